#!/usr/bin/env python
"""Train variants of the built-in NER side by side for the same wall-clock time and rank
them on the public dev splits: the model-size sweep, for a machine with many cores.

    python training/train_ner.py --corpus-only --workdir training/output/sweep
    python training/sweep_ner.py --workdir training/output/sweep --minutes 7
    python training/sweep_ner.py --workdir training/output/sweep --minutes 7 \\
        --variant base={} --variant w96='{"components.tok2vec.model.encode.width": 96}'

Each variant trains training/ner.cfg on the same DocBins (those `train_ner.py` builds with
the same corpus arguments, so the shipped recipe by default) with its config overrides, in
a process of its own on one thread: give it one core per variant (--jobs says how many run
at once). Training stops when --minutes have passed or the variant's steps are done; each
variant's best checkpoint (spaCy keeps the best dev tag accuracy) is then scored with the
whole detector, character-level recall / precision / F2 of names and places on every
public dev split (compare_models.py's measure, seeded samples of --limit texts) and of all
types on generated train-split texts. The table lists the variants best first by the mean
F2 over the public dev splits, with the steps each reached.

Equal time, not equal steps: a wider network reaches fewer steps in the box, and the
question this answers is which model a fixed training budget should buy. The winner is
then trained to the end with train_ner.py's `--set` overrides.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_WORKDIR = HERE / "output" / "sweep"
_ROWS_2X = [40000, 4000, 10000, 2000]
_W = "components.tok2vec.model.encode.width"
_D = "components.tok2vec.model.encode.depth"
_R = "components.tok2vec.model.embed.rows"
# The sweep behind the shipped recipe (training/README.md, "Model size").
DEFAULT_VARIANTS: dict[str, dict[str, Any]] = {
    "base": {},
    "d4": {_D: 4},
    "rows2": {_R: _ROWS_2X},
    "w80": {_W: 80},
    "w96": {_W: 96},
    "w96d4": {_W: 96, _D: 4},
    "w96r2": {_W: 96, _R: _ROWS_2X},
    "w128": {_W: 128},
    "w128d4r2": {_W: 128, _D: 4, _R: _ROWS_2X},
    "mx3": {"components.tok2vec.model.encode.maxout_pieces": 3},
    "lr2": {"training.optimizer.learn_rate": 0.002},
    "b5k": {"training.batcher.size.stop": 5000},
}
_STEP_LINE = re.compile(r"^\s*\d+\s+(\d+)\s")


def parse_variant(text: str) -> tuple[str, dict[str, Any]]:
    name, sep, overrides = text.partition("=")
    if not sep or not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise argparse.ArgumentTypeError(
            f"--variant {text!r}: expected NAME=JSON, NAME of letters, digits, '_' or '-'"
        )
    try:
        value = json.loads(overrides)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"--variant {name}: not JSON ({exc.msg})") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"--variant {name}: JSON must be an object")
    return name, value


def _train(config: str, out: str, overrides: dict[str, Any], log: str) -> None:
    """One variant, in a spawned process: spaCy's own training loop, output to `log`."""
    with open(log, "w", encoding="utf-8") as stream:
        os.dup2(stream.fileno(), 1)
        os.dup2(stream.fileno(), 2)
        sys.path.insert(0, str(HERE))
        import train_ner  # registers the tokenizer callback ner.cfg names
        from spacy.cli.train import train as spacy_train

        spacy_train(Path(config), Path(out), use_gpu=-1, overrides=overrides)
        del train_ner


def steps_reached(log: Path) -> int:
    steps = [
        int(m.group(1))
        for line in log.read_text(errors="replace").splitlines()
        if (m := _STEP_LINE.match(line))
    ]
    return max(steps, default=0)


def score(model: str, limit: int) -> dict[str, tuple[float, float, float]]:
    """compare_models.py's measure of one model: the whole detector, character level, on
    the same seeded samples (the hand-written set is left out: it is not for choosing)."""
    sys.path.insert(0, str(HERE))
    from compare_models import detector_for, sets

    from discreet.evaluation.metrics import evaluate

    detector = detector_for(model)
    out: dict[str, tuple[float, float, float]] = {}
    for name, (texts, types) in sets(limit).items():
        if name.startswith("hand-written"):
            continue
        predicted = detector.detect_batch([t.text for t in texts])
        o = evaluate([t.spans for t in texts], predicted, types=types).char.overall
        out["generated" if name.startswith("generated") else name] = (
            o.recall,
            o.precision,
            o.f2,
        )
    return out


def _score_job(job: tuple[str, str, int]) -> tuple[str, dict[str, tuple[float, float, float]]]:
    name, model, limit = job
    return name, score(model, limit)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Variants default to the sweep in training/README.md: "
        + ", ".join(DEFAULT_VARIANTS),
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=DEFAULT_WORKDIR,
        help="holds train.spacy and dev.spacy (train_ner.py --corpus-only)",
    )
    parser.add_argument("--minutes", type=float, default=7.0, help="training time box")
    parser.add_argument(
        "--variant",
        type=parse_variant,
        action="append",
        metavar="NAME=JSON",
        help="config overrides of one variant (repeatable)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="variants trained at once, one core each",
    )
    parser.add_argument("--limit", type=int, default=400, help="dev texts per split to score")
    args = parser.parse_args(argv)
    for needed in ("train.spacy", "dev.spacy"):
        if not (args.workdir / needed).exists():
            parser.error(
                f"{args.workdir / needed} is missing: build the DocBins first with "
                f"python training/train_ner.py --corpus-only --workdir {args.workdir}"
            )
    variants = dict(args.variant) if args.variant else DEFAULT_VARIANTS
    # One thread per variant: they share the machine's cores.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
        os.environ[var] = "1"
    sys.path.insert(0, str(HERE))
    from train_ner import CONFIG

    runs = args.workdir / "runs"
    deadline = time.monotonic() + args.minutes * 60
    pending = list(variants.items())
    running: dict[str, Any] = {}
    spawn = get_context("spawn")
    print(f"training {len(pending)} variants, {args.jobs} at once, {args.minutes:g} minutes")
    while (pending or running) and time.monotonic() < deadline:
        while pending and len(running) < args.jobs:
            name, extra = pending.pop(0)
            overrides = {
                "paths.train": str(args.workdir / "train.spacy"),
                "paths.dev": str(args.workdir / "dev.spacy"),
                "training.max_steps": 8000,  # the time box ends it
                **extra,
            }
            (runs / name).mkdir(parents=True, exist_ok=True)
            process = spawn.Process(
                target=_train,
                args=(str(CONFIG), str(runs / name), overrides, str(runs / f"{name}.log")),
            )
            process.start()
            running[name] = process
            print(f"  started {name}: {json.dumps(extra)}", flush=True)
        time.sleep(2)
        for name in [n for n, p in running.items() if not p.is_alive()]:
            running.pop(name).join()
    for process in running.values():
        process.kill()  # the time box: the best checkpoint so far is the variant
        process.join()
    if pending:
        print(f"not started within the time box: {', '.join(n for n, _ in pending)}")

    jobs = [
        (n, str(runs / n / "model-best"), args.limit)
        for n in variants
        if n not in dict(pending) and (runs / n / "model-best" / "meta.json").exists()
    ]
    with ProcessPoolExecutor(max(1, min(args.jobs, len(jobs)))) as pool:
        scores = dict(pool.map(_score_job, jobs))
    rows = []
    for name, per_set in scores.items():
        public = [v[2] for k, v in per_set.items() if k != "generated"]
        rows.append((statistics.fmean(public), name, per_set))
    rows.sort(reverse=True)
    sets = [k for k in rows[0][2] if k != "generated"] if rows else []
    print("\n| variant | steps | mean F2 (public) | generated F2 | " + " | ".join(sets) + " |")
    print("|---|---|---|---|" + "---|" * len(sets))
    for mean, name, per_set in rows:
        cells = " | ".join(f"{per_set[s][0]:.3f} / {per_set[s][2]:.3f}" for s in sets)
        steps = steps_reached(runs / f"{name}.log")
        print(f"| {name} | {steps} | {mean:.3f} | {per_set['generated'][2]:.3f} | {cells} |")
    (args.workdir / "sweep.json").write_text(json.dumps(scores, indent=1), encoding="utf-8")
    print("cells: recall / F2 of names and places; all scores in", args.workdir / "sweep.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
