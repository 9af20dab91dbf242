#!/usr/bin/env python
"""Choose between NER models on dev splits: the whole detector's character-level F2 with
each model, on every public dev split, the generated train-split checkpoint texts and the
hand-written set.

    python training/compare_models.py MODEL_DIR [MODEL_DIR ...] [--limit 400]
    python training/compare_models.py builtin /tmp/run/checkpoints/model-best
    python training/compare_models.py builtin MODEL_DIR --latency 1000   # detect() ms too

"builtin" is the shipped model. Public dev splits are sampled (seeded) to --limit texts.
The generated texts come from split="train" with a seed of their own (1001, the trainer's
checkpoint-selection seed), so choosing here never looks at the generated eval split; the
hand-written set is printed for the record, not for choosing. --latency N times the
whole detector's detect() on N messages of about 300 characters, the models taking turns
on each message (a shared machine's drift reaches all alike); compare ratios, not
absolute times.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from typing import Any

from discreet.detect import Detector
from discreet.detect.config import DetectorConfig, NerConfig
from discreet.detect.ner.base import NerLoadError
from discreet.evaluation.bench import (
    HANDWRITTEN_PATH,
    PUBLIC_TYPES,
    _percentile,
    _time_calls_interleaved,
    latency_messages,
)
from discreet.evaluation.corpus import generate_corpus, read_jsonl
from discreet.evaluation.metrics import evaluate
from discreet.evaluation.public import CATALOGUE, load_split


def detector_for(model: str) -> Detector:
    if model == "builtin":
        return Detector()
    return Detector(DetectorConfig(ner=NerConfig(backend="spacy", model=model)))


def sets(limit: int) -> dict[str, tuple[list[Any], Sequence[str] | None]]:
    out: dict[str, tuple[list[Any], Sequence[str] | None]] = {}
    for name in CATALOGUE:
        texts = load_split(name, "dev")
        if len(texts) > limit:
            texts = random.Random(0).sample(texts, limit)
        out[name] = (texts, PUBLIC_TYPES)
    out["generated (train split, seed 1001)"] = (
        generate_corpus(limit, seed=1001, split="train"),
        None,
    )
    out["hand-written (record only)"] = (read_jsonl(HANDWRITTEN_PATH), None)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="+")
    parser.add_argument("--limit", type=int, default=400)
    parser.add_argument("--latency", type=int, default=0, metavar="N", help="time detect()")
    parser.add_argument("--no-quality", action="store_true", help="only the latency")
    args = parser.parse_args(argv)
    try:
        detectors = {m: detector_for(m) for m in args.models}
    except NerLoadError as exc:
        parser.error(f"cannot load a model: {exc}")
    if args.latency:
        texts = [t.text for t in generate_corpus(400, seed=7, split="train")]
        messages = latency_messages(texts, args.latency)
        times = _time_calls_interleaved(
            {m: (d.detect, len(messages), 50) for m, d in detectors.items()}, messages
        )
        for m, values in times.items():
            print(f"{m}: detect() p50 {_percentile(values, 0.5):.2f} ms, "
                  f"p99 {_percentile(values, 0.99):.2f} ms")  # fmt: skip
    if args.no_quality:
        return 0
    data = sets(args.limit)
    print("| set | " + " | ".join(f"{m} R / P / F2" for m in args.models) + " |")
    print("|---|" + "---|" * len(args.models))
    for name, (texts, types) in data.items():
        cells = []
        for detector in detectors.values():
            predicted = detector.detect_batch([t.text for t in texts])
            o = evaluate([t.spans for t in texts], predicted, types=types).char.overall
            cells.append(f"{o.recall:.3f} / {o.precision:.3f} / {o.f2:.3f}")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
