#!/usr/bin/env python
"""Fit the built-in NER's score calibration on dev data; write src/.../ner/calibration.json.

    python training/fetch_corpora.py            # once
    python training/calibrate_ner.py            # fit, print ECE, write the map

Data: the dev splits of every public corpus in the catalogue (PERSON, LOCATION and
ORGANIZATION are annotated there; never a test split: `load_split` refuses them) and
generated texts (eval split, seed 101: not the benchmark's seed-0 sample), where every
type is annotated. A finding the model emits (before `refine_ner`) counts as right when at
least half of its characters lie inside gold spans of its type.

The expected calibration error is printed for the fixed score (0.85), the raw confidence
and the calibrated score, the latter fitted on one half of the texts and measured on the
other (both ways round), so the figure is not the fit's own data.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from discreet.detect.config import INFORMAL_RECALL_BIAS, RECALL_BIAS, NerConfig
from discreet.detect.entities import EntityType
from discreet.detect.ner.calibration import (
    BUILTIN_CALIBRATION,
    INFORMAL_RECALL_BIAS_KEY,
    MODEL_KEY,
    RECALL_BIAS_KEY,
    Calibration,
    expected_calibration_error,
    model_fingerprint,
)
from discreet.detect.ner.labels import FIXED_SCORE
from discreet.detect.ner.loader import BUILTIN_MODEL_DIR
from discreet.detect.ner.spacy_backend import SpacyBackend
from discreet.evaluation.corpus import LabelledText, generate_corpus
from discreet.evaluation.public import human_annotated, load_split

PUBLIC_TYPES = frozenset({EntityType.PERSON, EntityType.LOCATION, EntityType.ORGANIZATION})

Sample = tuple[float, bool, int, str]
"""(raw confidence, right, text number, language): the text number assigns the fold."""


def right(start: int, end: int, etype: EntityType, text: LabelledText) -> bool:
    inside = sum(
        max(0, min(end, s.end) - max(start, s.start)) for s in text.spans if s.type is etype
    )
    return 2 * inside >= end - start


def collect(
    backend: SpacyBackend, texts: Sequence[LabelledText], types: frozenset[EntityType] | None
) -> dict[EntityType, list[Sample]]:
    out: dict[EntityType, list[Sample]] = defaultdict(list)
    found = backend.predict([t.text for t in texts], [t.language for t in texts])
    for number, (text, findings) in enumerate(zip(texts, found, strict=True)):
        for f in findings:
            if types is None or f.type in types:
                is_right = right(f.start, f.end, f.type, text)
                out[f.type].append((f.score, is_right, number, text.language))
    return out


def _pair(item: str) -> tuple[str, float]:
    language, sep, value = item.partition("=")
    try:
        if not sep:
            raise ValueError
        return language.strip(), float(value)
    except ValueError:
        raise ValueError(f"{item!r} is not LANG=NUMBER (e.g. de=2)") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--per-corpus", type=int, default=2000, help="dev texts per corpus")
    parser.add_argument("--generated", type=int, default=3000, help="generated texts")
    parser.add_argument("--out", type=Path, default=BUILTIN_CALIBRATION)
    parser.add_argument(
        "--recall-bias",
        metavar="LANG=BIAS",
        action="append",
        default=[],
        help="decode with this lean towards names and places in LANG (default: the "
        "configuration's default, NerConfig.recall_bias); the findings it adds are the "
        "least sure, so the map must be fitted on the decoding that will run",
    )
    parser.add_argument(
        "--informal-recall-bias",
        metavar="LANG=BIAS",
        action="append",
        default=[],
        help="the same for informal text (default: NerConfig.informal_recall_bias)",
    )
    args = parser.parse_args(argv)
    try:
        config = NerConfig(
            recall_bias=dict(_pair(item) for item in args.recall_bias) or RECALL_BIAS,
            informal_recall_bias=dict(_pair(item) for item in args.informal_recall_bias)
            or INFORMAL_RECALL_BIAS,
        )
    except ValidationError as exc:  # a language or number out of range
        parser.error(exc.errors()[0]["msg"].removeprefix("Value error, "))
    except ValueError as exc:  # not LANG=NUMBER
        parser.error(str(exc))
    bias, informal_bias = config.recall_bias, config.informal_recall_bias

    # The identity calibration: scores are the raw span confidences.
    backend = SpacyBackend(
        BUILTIN_MODEL_DIR,
        plugins=False,
        calibration=Calibration({}),
        recall_bias=bias,
        informal_recall_bias=informal_bias,
    )
    print(f"recall bias: {bias or 'none'}; informal text: {informal_bias or 'none'}")
    samples: dict[EntityType, list[Sample]] = defaultdict(list)
    offset = 0
    for name in human_annotated():
        texts = load_split(name, "dev")[: args.per_corpus]
        for etype, found in collect(backend, texts, PUBLIC_TYPES).items():
            samples[etype].extend((c, r, n + offset, lang) for c, r, n, lang in found)
        offset += len(texts)
        print(f"{name}: {len(texts)} dev texts")
    generated = generate_corpus(args.generated, seed=101, split="eval")
    for etype, found in collect(backend, generated, None).items():
        samples[etype].extend((c, r, n + offset, lang) for c, r, n, lang in found)
    print(f"generated (eval split, seed 101): {len(generated)} texts")

    def fit(fold: int | None) -> Calibration:
        """Tables per type and per (type, language), on one fold's texts (None: all)."""
        pairs: dict[EntityType | tuple[EntityType, str], list[tuple[float, bool]]] = {}
        for etype, found in samples.items():
            for c, r, n, lang in found:
                if fold is None or n % 2 == fold:
                    pairs.setdefault(etype, []).append((c, r))
                    pairs.setdefault((etype, lang), []).append((c, r))
        return Calibration.fit(pairs)

    held_out: list[tuple[float, bool]] = []
    for fold in (0, 1):
        fitted = fit(fold)
        held_out.extend(
            (fitted.score(t, c, lang), r)
            for t in samples
            for c, r, n, lang in samples[t]
            if n % 2 != fold
        )
    everything = [(c, r) for t in samples for c, r, _, _ in samples[t]]
    print(f"findings: {len(everything)}, right: {sum(r for _, r in everything)}")
    for etype in sorted(samples, key=lambda t: t.value):
        p = samples[etype]
        by_language = Counter(lang for *_, lang in p)
        print(
            f"  {etype.value}: {len(p)} findings, {sum(r for _, r, *_ in p) / len(p):.3f} "
            f"right ({', '.join(f'{k} {v}' for k, v in sorted(by_language.items()))})"
        )
    fixed = [(FIXED_SCORE, r) for _, r in everything]
    print(f"ECE fixed {FIXED_SCORE}: {expected_calibration_error(fixed):.3f}")
    print(f"ECE raw confidence: {expected_calibration_error(everything):.3f}")
    print(f"ECE calibrated (held-out half): {expected_calibration_error(held_out):.3f}")
    final = fit(None)
    print(f"languages with tables of their own: {', '.join(sorted(final.languages)) or 'none'}")
    tables = {
        MODEL_KEY: model_fingerprint(BUILTIN_MODEL_DIR),
        RECALL_BIAS_KEY: dict(sorted(bias.items())),
        INFORMAL_RECALL_BIAS_KEY: dict(sorted(informal_bias.items())),
        **final.to_json(),
    }
    lines = ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in tables.items())
    args.out.write_text("{\n" + lines + "\n}\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
