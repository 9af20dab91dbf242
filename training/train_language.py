"""Build the language model behind `discreet.detect.language` (its tier 2).

    python training/train_language.py            # writes src/discreet/detect/language_ngrams.json

A naive Bayes model of character 1-3-grams (`discreet.detect.language.char_ngrams`),
counted over texts of the generated training split in the four languages (seeded, so the
file is the same on every run), keeping each language's most frequent n-grams; add-one
smoothing over the kept n-grams. It then prints its accuracy on the generated eval split
and on the hand-written set, on the texts tier 1 leaves to it and overall; neither set
takes part in training.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from discreet.detect import language
from discreet.detect.entities import SUPPORTED_LANGUAGES
from discreet.evaluation.bench import HANDWRITTEN_PATH
from discreet.evaluation.corpus import LabelledText, generate_corpus, read_jsonl

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src/discreet/detect/language_ngrams.json"


def train(texts: Sequence[LabelledText], top: int) -> dict[str, object]:
    counts = {lang: Counter[str]() for lang in SUPPORTED_LANGUAGES}
    for text in texts:
        counts[text.language].update(language.char_ngrams(text.text))
    kept = sorted({gram for c in counts.values() for gram, _ in c.most_common(top)})
    log_prob: dict[str, list[float]] = {gram: [] for gram in kept}
    for lang in SUPPORTED_LANGUAGES:
        total = sum(counts[lang][gram] for gram in kept) + len(kept)
        for gram in kept:
            log_prob[gram].append(round(math.log((counts[lang][gram] + 1) / total), 4))
    return {
        "format": 1,
        "languages": list(SUPPORTED_LANGUAGES),
        "features": "casefolded words padded with one space each side; 1- to 3-grams",
        "trained_on": f"{len(texts)} generated texts, split=train",
        "log_prob": log_prob,
    }


def report(name: str, texts: Sequence[LabelledText]) -> None:
    left = [t for t in texts if language.function_word_language(t.text) is None]
    right_left = sum(language.ngram_language(t.text) == t.language for t in left)
    right = sum(language.detect_language(t.text) == t.language for t in texts)
    print(
        f"{name}: {right}/{len(texts)} right overall; tier 2 decided {len(left)}, "
        f"{right_left} of them right"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--n-train", type=int, default=4000, help="training texts")
    parser.add_argument("--seed", type=int, default=1100)
    parser.add_argument("--top", type=int, default=4000, help="n-grams kept per language")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    texts = generate_corpus(args.n_train, seed=args.seed, split="train")
    model = train(texts, args.top)
    args.out.write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":")) + "\n")
    size = args.out.stat().st_size
    print(
        f"wrote {args.out} ({size / 1024:.0f} KB, {len(model['log_prob'])} n-grams) "  # type: ignore[arg-type]
        f"in {time.perf_counter() - start:.1f} s"
    )

    language.MODEL_PATH = args.out  # measure what was just written
    language._model = None
    report("generated eval split (2,000)", generate_corpus(2000, seed=0, split="eval"))
    report("hand-written set", read_jsonl(HANDWRITTEN_PATH))
    return 0


if __name__ == "__main__":
    sys.exit(main())
