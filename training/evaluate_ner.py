#!/usr/bin/env python
"""Measure an NER model on the held-out evaluation corpus: quality, load time, latency, size.

    python training/evaluate_ner.py                      # the shipped built-in model
    python training/evaluate_ner.py --model DIR_OR_NAME  # any spaCy pipeline
    python training/evaluate_ner.py --with-names         # plus the names recognizer

Quality is scored on split="eval" (a fifth of its names, streets and cities never appear in
training) for the four NER types only, with `discreet.evaluation.metrics`: exact spans,
overlapping spans (>= half of the longer span) and characters. Latency is per message of
about 300 characters, one message per call as the gateway sends them, after a warm-up.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

NER_TYPES = ("PERSON", "STREET_ADDRESS", "LOCATION", "ORGANIZATION")


def _messages(texts: list[str], n: int, size: int = 300) -> list[str]:
    """`n` messages of about `size` characters, cut at a space."""
    out: list[str] = []
    for text in texts:
        if len(text) < size * 0.8:
            continue
        cut = text[:size]
        if len(text) > size and " " in cut:
            cut = cut[: cut.rindex(" ")]
        out.append(cut)
        if len(out) == n:
            break
    while out and len(out) < n:
        out.extend(out[: n - len(out)])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="spaCy pipeline name or directory")
    parser.add_argument("--n", type=int, default=2000, help="evaluation texts")
    parser.add_argument("--seed", type=int, default=0, help="evaluation corpus seed")
    parser.add_argument("--latency-n", type=int, default=1000, help="messages timed")
    parser.add_argument("--with-names", action="store_true", help="merge the names recognizer")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()

    from discreet.detect.base import DetectionInput
    from discreet.detect.merge import merge_findings
    from discreet.detect.ner.loader import BUILTIN_MODEL_DIR
    from discreet.detect.ner.spacy_backend import SpacyBackend
    from discreet.evaluation.corpus import generate_corpus
    from discreet.evaluation.metrics import evaluate

    source = args.model or BUILTIN_MODEL_DIR
    started = time.perf_counter()
    backend = SpacyBackend(source)
    load_s = time.perf_counter() - started

    corpus = generate_corpus(args.n, seed=args.seed, split="eval")
    texts = [t.text for t in corpus]
    langs = [t.language for t in corpus]
    predicted = backend.predict(texts, langs)
    if args.with_names:
        from discreet.detect.recognizers.names import NameRecognizer

        names = NameRecognizer()
        predicted = [
            merge_findings([*found, *names.analyze(DetectionInput(text, lang))])
            for found, text, lang in zip(predicted, texts, langs, strict=True)
        ]
    result = evaluate([t.spans for t in corpus], predicted, types=NER_TYPES)

    messages = _messages(texts, args.latency_n)
    for message in messages[:200]:
        backend.predict([message], ["en"])
    timings: list[float] = []
    for message in messages:
        t0 = time.perf_counter()
        backend.predict([message], ["en"])
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    t0 = time.perf_counter()
    backend.predict(messages, ["en"] * len(messages))
    batch_ms = (time.perf_counter() - t0) * 1000 / max(1, len(messages))

    size = (
        sum(p.stat().st_size for p in Path(source).rglob("*") if p.is_file())
        if Path(source).is_dir()
        else None
    )
    report = {
        "model": str(source),
        "with_names": args.with_names,
        "eval_texts": args.n,
        "load_s": round(load_s, 3),
        "size_mb": round(size / 1e6, 2) if size else None,
        "latency_ms": {
            "messages": len(timings),
            "mean_chars": round(statistics.mean(len(m) for m in messages), 1),
            "p50": round(timings[len(timings) // 2], 3),
            "p99": round(timings[min(len(timings) - 1, int(len(timings) * 0.99))], 3),
            "batched_per_message": round(batch_ms, 3),
        },
        "span_exact": result.span_exact.to_dict(),
        "span_overlap": result.span_overlap.to_dict(),
        "char": result.char.to_dict(),
        "confusion": result.confusion,
    }
    print(f"model {report['model']}  load {load_s:.2f} s  size {report['size_mb']} MB")
    lat = report["latency_ms"]
    print(
        f"latency per ~{lat['mean_chars']:.0f}-char message: p50 {lat['p50']} ms, "
        f"p99 {lat['p99']} ms, batched {lat['batched_per_message']} ms"
    )
    print(
        f"{'type':15} {'exact P':>8} {'R':>6} {'F1':>6} | {'overlap P':>9} {'R':>6} {'F2':>6}"
        f" | {'char F2':>7}"
    )
    for etype in (*NER_TYPES, None):
        ex = result.span_exact.per_type.get(etype) if etype else result.span_exact.overall
        ov = result.span_overlap.per_type.get(etype) if etype else result.span_overlap.overall
        ch = result.char.per_type.get(etype) if etype else result.char.overall
        if ex is None or ov is None or ch is None:
            continue
        f1 = 2 * ex.precision * ex.recall / (ex.precision + ex.recall or 1)
        print(
            f"{etype or 'overall':15} {ex.precision:8.3f} {ex.recall:6.3f} {f1:6.3f} | "
            f"{ov.precision:9.3f} {ov.recall:6.3f} {ov.f2:6.3f} | {ch.f2:7.3f}"
        )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
