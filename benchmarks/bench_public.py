"""discreet vs Presidio on every human-annotated public corpus's dev split, one summary table.

    python training/fetch_corpora.py                      # once: extract train/dev files
    python benchmarks/bench_public.py --limit 600         # every corpus, 600 texts each
    python benchmarks/bench_public.py --only wikiann-de   # a silver corpus: only when named
    python benchmarks/bench_public.py --only uner-en-ewt --skip-presidio
    python benchmarks/bench_public.py --limit 400 --held-out 600 --skip-presidio  # to choose on

Each corpus is one `discreet bench --corpus NAME` run (same process, interleaved timing,
see discreet.evaluation.bench); the full reports go to benchmarks/results/public_NAME.{md,json}
and the summary (names and places, character level; docs/s ratio from the same run) is
printed as Markdown.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from discreet.evaluation.bench import BenchOptions, bench
from discreet.evaluation.public import CATALOGUE, human_annotated

RESULTS = Path(__file__).resolve().parent / "results"


def summary_rows(name: str, report: dict[str, Any]) -> list[str]:
    systems = report["systems"]
    d = systems["discreet"]["all_types"]["char"]
    p = systems.get("presidio", {}).get("all_types", {}).get("char")
    corpus = CATALOGUE[name]

    def cell(scores: Any) -> str:
        if scores is None:
            return "n/a | n/a | n/a"
        o = scores["overall"]
        return f"{o['recall']:.3f} | {o['precision']:.3f} | {o['f2']:.3f}"

    def per_type(scores: Any, t: str) -> str:
        if scores is None or t not in scores["per_type"]:
            return "n/a"
        return f"{scores['per_type'][t]['recall']:.2f}"

    ratio = report["speed"].get("ratio")
    p_lang = systems["presidio"]["language"] if "presidio" in systems else "not run"
    return [
        f"| {name} ({corpus.domain}) | {report['corpus']['texts']} | {cell(d)} | {cell(p)} | "
        f"{per_type(d, 'PERSON')} / {per_type(d, 'LOCATION')} | "
        f"{per_type(p, 'PERSON')} / {per_type(p, 'LOCATION')} | "
        f"{'n/a' if ratio is None else f'{ratio:.1f}x'} | {p_lang} |"
    ]


HEADER = [
    "| dev split | texts | discreet R | P | F2 | Presidio R | P | F2 | discreet R PER / LOC "
    "| Presidio R PER / LOC | docs/s ratio | Presidio language |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="corpus name (repeatable; default: every human-annotated corpus, no silver one)",
    )
    parser.add_argument(
        "--limit", type=int, default=600, help="texts sampled per dev split (default: 600)"
    )
    parser.add_argument(
        "--held-out",
        type=int,
        help="score this many other dev texts instead of the --limit sample (to choose on)",
    )
    parser.add_argument(
        "--skip-presidio",
        action="store_true",
        help="score discreet alone (no Presidio columns, no speed ratio): faster, for choosing",
    )
    parser.add_argument(
        "--latency-samples",
        type=int,
        default=300,
        help="300-character messages timed for detect() p50/p99 (default: 300)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=RESULTS,
        help="folder for public_<corpus>.md and .json (default: benchmarks/results)",
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.only if name not in CATALOGUE]
    if unknown:
        parser.error(f"--only {unknown[0]}: no such corpus; one of {', '.join(CATALOGUE)}")
    args.out.mkdir(parents=True, exist_ok=True)
    rows = list(HEADER)
    for name in args.only or human_annotated():
        md, js = args.out / f"public_{name}.md", args.out / f"public_{name}.json"
        bench(
            BenchOptions(
                public=name,
                limit=args.limit,
                held_out=args.held_out,
                skip_presidio=args.skip_presidio,
                latency_samples=args.latency_samples,
                out=md,
                json_out=js,
                progress=False,
            )
        )
        rows += summary_rows(name, json.loads(js.read_text(encoding="utf-8")))
        print(rows[-1], flush=True)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
