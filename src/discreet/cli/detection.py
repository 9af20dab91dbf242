"""`discreet scan` and `discreet bench`: finding personal data in files, and measuring
how well and how fast it is found."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer()

DetectorConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="YAML file with DetectorConfig fields.")
]


@app.command()
def scan(
    inputs: Annotated[
        list[Path] | None,
        typer.Option(
            "--input",
            "-i",
            help="File to scan (repeatable): .jsonl/.ndjson lines of {id, text, language?}, "
            "or plain text; '-' reads JSONL from stdin. Without it: plain text piped on "
            "stdin (`echo 'call me on 06 12345678' | discreet scan`), else the bundled sample.",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write results here ('-': stdout); a one-line summary goes to stderr.",
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="jsonl or table (default: table on a terminal or for the sample, else jsonl).",
        ),
    ] = None,
    lines: Annotated[
        bool, typer.Option("--lines", help="Plain-text inputs hold one document per line.")
    ] = False,
    show_values: Annotated[
        bool, typer.Option("--show-values", help="Print found values unmasked in the table.")
    ] = False,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Skip bad input lines instead of stopping.")
    ] = False,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Processes (default: all cores).")
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            "--language", help="en, nl, de or fr for texts without one (default: detect)."
        ),
    ] = None,
    threshold: Annotated[
        float | None, typer.Option("--threshold", min=0.0, max=1.0, help="Minimum score.")
    ] = None,
    entities: Annotated[
        str | None,
        typer.Option("--entities", help="Only these types, comma-separated (e.g. PERSON,IBAN)."),
    ] = None,
    config: DetectorConfigOpt = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="local (all cores) or ray (a Ray cluster, for large JSONL/Parquet inputs; "
            "extra 'ray').",
        ),
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option("--address", help="Ray cluster (ray://HOST:PORT); default: a local one."),
    ] = None,
) -> None:
    """Find personal data in files (or the bundled sample) and report where it is."""
    from discreet.detect.entities import parse_entity_type
    from discreet.scan import ScanOptions, run_scan

    if engine not in ("local", "ray"):
        raise typer.BadParameter("must be local or ray", param_hint="--engine")
    if fmt is not None and fmt not in ("jsonl", "table"):
        raise typer.BadParameter("must be jsonl or table", param_hint="--format")
    try:
        types = (
            [parse_entity_type(t) for t in entities.split(",") if t.strip()] if entities else None
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--entities") from None
    options = ScanOptions(
        inputs=list(inputs or []),
        output=output,
        format="jsonl" if fmt == "jsonl" else "table" if fmt == "table" else None,
        lines=lines,
        show_values=show_values,
        skip_bad=skip_bad,
        workers=workers,
        language=language,
        threshold=threshold,
        entities=types,
        config=config,
        engine="ray" if engine == "ray" else "local",
        address=address,
    )
    raise typer.Exit(run_scan(options))


@app.command()
def bench(
    n: Annotated[int, typer.Option("--n", min=1, help="Texts to generate.")] = 2000,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    corpus: Annotated[
        str | None,
        typer.Option(
            "--corpus",
            help="A public annotated corpus's dev split by NAME (conll2003-en, conll2003-de, "
            "conll2002-nl, wikineural-en/-de/-nl/-fr, uner-en-ewt, wnut17-en, germeval2014-de, "
            "and the silver wikiann-en/-de/-nl; fetch them first with "
            "`python training/fetch_corpora.py`; only names and places are scored), or a "
            "labelled JSONL file. With --limit, that many texts are sampled.",
        ),
    ] = None,
    handwritten: Annotated[
        bool,
        typer.Option(
            "--handwritten",
            help="Score the packaged hand-written set (197 messages written by hand, not by "
            "the generator the NER model was trained from) instead of a generated corpus.",
        ),
    ] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Only the first N texts (quick look).")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="YAML DetectorConfig for discreet.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Processes for detect_many.")
    ] = None,
    skip_presidio: Annotated[
        bool, typer.Option("--skip-presidio", help="Measure discreet only.")
    ] = False,
    latency_samples: Annotated[int, typer.Option("--latency-samples", min=10)] = 1000,
    out: Annotated[Path | None, typer.Option("--out", help="Write the Markdown report.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the JSON report.")] = None,
) -> None:
    """Benchmark detection quality and speed against Presidio (needs the bench extra)."""
    from discreet.errors import InvalidInput
    from discreet.evaluation.bench import BenchOptions, split_corpus_argument
    from discreet.evaluation.bench import bench as run_bench

    if handwritten and corpus is not None:
        raise InvalidInput("give --handwritten or --corpus, not both")

    public, corpus_path = split_corpus_argument(corpus)
    options = BenchOptions(
        n=n,
        seed=seed,
        corpus=corpus_path,
        public=public,
        handwritten=handwritten,
        limit=limit,
        config=config,
        workers=workers,
        skip_presidio=skip_presidio,
        latency_samples=latency_samples,
        out=out,
        json_out=json_out,
    )
    typer.echo(run_bench(options))
