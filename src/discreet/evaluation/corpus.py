"""A labelled, synthetic customer-service corpus (chats and e-mails in EN, NL, DE, FR).

Used to train discreet's own NER model (``split="train"``) and to evaluate the detector
against peers (``split="eval"``). Every span's offsets are exact by construction: texts
are assembled from segments and offsets are counted while joining (see ``render.py``).

Determinism: text ``i`` depends only on ``(split, seed, i)`` and its language, so the same
arguments always give the same corpus, and a longer corpus extends a shorter one.

Run ``python -m discreet.evaluation.corpus --n 2000 --seed 1 --split eval --out FILE``.

Labelling conventions (what a detector is scored against):

* PERSON covers the name only, never the title: "Dear Mrs. [de Vries]", "[Anna de Vries]".
  Customers, agents, colleagues and third persons (neighbours, relatives) are all labelled.
* STREET_ADDRESS is street plus house number ("[Kerkstraat 12]", "[12 rue de la Paix]");
  POSTAL_CODE and the city (LOCATION) are separate spans. Countries are LOCATION.
* AGE is the number only ("I'm [67] years old"); DATE_OF_BIRTH is a date in a birth
  context; every other calendar date (order, delivery, login) is DATE.
* SECRET is the value after "password:"/"wachtwoord is", or an API key (sk-..., ghp_...).
* CUSTOMER_ID / ORDER_ID are the value after their context word (customer number,
  bestelnummer, Bestellnummer, numéro de commande, ...).
* E-mail addresses, phone numbers and URLs are labelled wherever they occur, the shop's
  own support contacts included: they are pattern-detectable and a detector cannot know
  whose they are.
* Never labelled (hard negatives): product names, the shop's own brand, parcel carriers,
  street-like titles ("Sesame Street season 2"), prices, times, quantities, product codes
  and barcodes, version numbers, and identifier look-alikes that fail their checksum
  (BSN 11-proof, Luhn, IBAN mod-97).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from discreet.detect.entities import EntityType
from discreet.evaluation.compose import Kind, compose
from discreet.evaluation.pools import Split
from discreet.evaluation.regions import REGIONS_BY_LANGUAGE, Region
from discreet.evaluation.render import Segment, TextContext, join, render
from discreet.evaluation.templates import PACKS
from discreet.evaluation.values import ValueSource

MIN_CHARS = 50
MAX_CHARS = 800
DEFAULT_EVAL_SEED = 0
DEFAULT_TRAIN_SEED = 1000


@dataclass(frozen=True, slots=True)
class LabelledSpan:
    start: int
    end: int
    type: EntityType


@dataclass(frozen=True, slots=True)
class LabelledText:
    id: str
    text: str
    language: str
    kind: str
    """"chat" or "email"."""
    spans: tuple[LabelledSpan, ...]
    """Sorted, non-overlapping, exact character offsets into ``text``."""


@dataclass(frozen=True, slots=True)
class AnnotatedText:
    """A corpus text plus generator metadata that tests and analyses use."""

    text: LabelledText
    families: frozenset[str]
    """Hard-negative families present in the text (see ``render.HARD_NEGATIVE_FAMILIES``)."""
    pool_values: tuple[str, ...]
    """Split-pooled values (name parts, streets, cities) the text drew."""
    span_values: tuple[str, ...]
    """The value inserted for each span, in span order (lets tests check offsets)."""


def text_seed(split: str, seed: int, index: int) -> int:
    """Text `index`'s seed: stable across processes and Python versions (unlike `hash()`),
    and apart for each split and generator name, so one corpus never repeats another's."""
    digest = hashlib.blake2b(f"{split}:{seed}:{index}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _pick_region(rng: random.Random, language: str) -> Region:
    regions = REGIONS_BY_LANGUAGE[language]
    return rng.choices(regions, weights=[r.weight for r in regions], k=1)[0]


class CorpusGenerator:
    """Holds the Faker instances (slow to build) and generates texts one by one."""

    def __init__(self, split: Split) -> None:
        self.split: Split = split
        self.values = ValueSource(split)

    def generate(self, seed: int, index: int, language: str) -> AnnotatedText:
        if language not in PACKS:
            raise ValueError(f"unsupported language {language!r}; expected one of {sorted(PACKS)}")
        pack = PACKS[language]
        seeded = text_seed(self.split, seed, index)
        rng = random.Random(seeded)
        region = _pick_region(rng, language)
        kind: Kind = "email" if rng.random() < 0.5 else "chat"
        self.values.reseed(seeded, region)
        ctx = TextContext(
            values=self.values,
            language=language,
            customer=self.values.person(),
            agent=self.values.person(),
            other=self.values.person(),
            colleague=self.values.person(),
            shop=self.values.shop(),
            lookalikes=pack.lookalikes,
        )
        segments: list[Segment] = []
        text = ""
        for max_lines in (4, 3, 2, 1, 1, 1):
            ctx.memo.clear()
            ctx.families.clear()
            segments = compose(pack, ctx, rng, kind, max_lines)
            text, _ = join(segments)
            if MIN_CHARS <= len(text) <= MAX_CHARS:
                break
        if len(text) < MIN_CHARS:
            # Too short even so: append one more customer sentence.
            segments += [Segment(" "), *_render_extra(pack.customer_lines, ctx, rng)]
        text, raw_spans = join(segments)
        spans = tuple(LabelledSpan(s, e, t) for s, e, t in raw_spans)
        span_values = tuple(seg.text for seg in segments if seg.type is not None and seg.text)
        labelled = LabelledText(
            id=f"{self.split}-{seed}-{index:06d}",
            text=text,
            language=language,
            kind=kind,
            spans=spans,
        )
        return AnnotatedText(
            labelled, frozenset(ctx.families), tuple(self.values.used_pool_values), span_values
        )


def _render_extra(lines: Sequence[str], ctx: TextContext, rng: random.Random) -> list[Segment]:
    return render(rng.choice(lines), ctx)


def generate_annotated(
    n: int,
    seed: int = 0,
    languages: Sequence[str] = ("en", "nl", "de", "fr"),
    split: Split = "eval",
) -> list[AnnotatedText]:
    """Like :func:`generate_corpus`, with the generator metadata kept."""
    if n < 0:
        raise ValueError("n must be >= 0")
    if not languages:
        raise ValueError("languages must not be empty")
    generator = CorpusGenerator(split)
    return [generator.generate(seed, i, languages[i % len(languages)]) for i in range(n)]


def generate_corpus(
    n: int,
    seed: int = 0,
    languages: Sequence[str] = ("en", "nl", "de", "fr"),
    split: Literal["train", "eval"] = "eval",
) -> list[LabelledText]:
    """Generate ``n`` labelled texts, languages round-robin (balanced), reproducibly."""
    return [a.text for a in generate_annotated(n, seed, languages, split)]


# -- JSONL --------------------------------------------------------------------------------


def _to_json(text: LabelledText) -> dict[str, object]:
    return {
        "id": text.id,
        "text": text.text,
        "language": text.language,
        "kind": text.kind,
        "spans": [{"start": s.start, "end": s.end, "type": s.type.value} for s in text.spans],
    }


def write_jsonl(texts: Iterable[LabelledText], path: str | Path) -> None:
    """One JSON object per line: {"id","text","language","kind","spans":[{start,end,type}]}."""
    with Path(path).open("w", encoding="utf-8") as fh:
        for text in texts:
            fh.write(json.dumps(_to_json(text), ensure_ascii=False) + "\n")


def read_jsonl(path: str | Path) -> list[LabelledText]:
    """Read a corpus written by :func:`write_jsonl`; errors name the line, never the text."""
    out: list[LabelledText] = []
    with Path(path).open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                spans = tuple(
                    LabelledSpan(int(s["start"]), int(s["end"]), EntityType(s["type"]))
                    for s in obj["spans"]
                )
                out.append(
                    LabelledText(
                        id=str(obj["id"]),
                        text=str(obj["text"]),
                        language=str(obj["language"]),
                        kind=str(obj["kind"]),
                        spans=spans,
                    )
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(
                    f"{path}: line {lineno}: malformed corpus record ({type(exc).__name__})"
                ) from None
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m discreet.evaluation.corpus",
        description="Generate the labelled synthetic customer-service corpus as JSONL.",
    )
    parser.add_argument("--n", type=int, default=2000, help="number of texts")
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help=f"default {DEFAULT_EVAL_SEED} for eval, {DEFAULT_TRAIN_SEED} for train",
    )
    parser.add_argument("--split", choices=("train", "eval"), default="eval")
    parser.add_argument("--languages", default="en,nl,de,fr", help="comma-separated")
    parser.add_argument("--out", required=True, help="output .jsonl path")
    args = parser.parse_args(argv)
    split: Split = args.split
    seed = args.seed
    if seed is None:
        seed = DEFAULT_TRAIN_SEED if split == "train" else DEFAULT_EVAL_SEED
    languages = tuple(x.strip() for x in args.languages.split(",") if x.strip())
    texts = generate_corpus(args.n, seed=seed, languages=languages, split=split)
    write_jsonl(texts, args.out)
    spans = sum(len(t.spans) for t in texts)
    print(f"wrote {len(texts)} texts, {spans} spans to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
