"""Build and validate the hand-written evaluation set (``evaluation/data/handwritten.jsonl``).

The texts are written by hand in ``training/handwritten/{en,nl,de,fr}.txt``; this script never
invents text. Each file holds messages introduced by a ``### chat`` or ``### email`` line;
entities are marked inline as ``[[value|TYPE]]``. Markup keeps the labels next to the words they
label, so a reviewer can read them; counting offsets by hand would be error-prone.

``--build`` turns the markup into JSONL; both modes then validate the JSONL file: offsets on
non-blank, whitespace-trimmed text, sorted non-overlapping spans, known types, at least 40
messages per language, and checksums (IBAN mod-97, Luhn for cards, BSN 11-proof for Dutch
national IDs) via python-stdnum. Errors name the record id, span index and type, never the value.

    python training/make_handwritten.py --build   # after editing the .txt files
    python training/make_handwritten.py           # validate only
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from stdnum import iban, luhn
from stdnum.nl import bsn

from discreet.detect.entities import EntityType
from discreet.evaluation.corpus import LabelledSpan, LabelledText, read_jsonl, write_jsonl

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "training" / "handwritten"
TARGET = ROOT / "src" / "discreet" / "evaluation" / "data" / "handwritten.jsonl"
LANGUAGES = ("en", "nl", "de", "fr")
MIN_PER_LANGUAGE = 40
MARK = re.compile(r"\[\[([^\]|]+)\|([A-Z_]+)\]\]")
HEADER = re.compile(r"^### (chat|email)\s*$")


def parse_markup(source: str, language: str) -> list[LabelledText]:
    """Split a markup file into messages and strip ``[[value|TYPE]]`` into offsets."""
    blocks: list[tuple[str, list[str]]] = []
    for line in source.splitlines():
        header = HEADER.match(line)
        if header:
            blocks.append((header.group(1), []))
        elif blocks:
            blocks[-1][1].append(line)
    out: list[LabelledText] = []
    for number, (kind, lines) in enumerate(blocks, start=1):
        marked = "\n".join(lines).strip()
        text_parts: list[str] = []
        spans: list[LabelledSpan] = []
        pos = 0
        length = 0
        for match in MARK.finditer(marked):
            before = marked[pos : match.start()]
            text_parts.append(before)
            length += len(before)
            value = match.group(1)
            spans.append(LabelledSpan(length, length + len(value), EntityType(match.group(2))))
            text_parts.append(value)
            length += len(value)
            pos = match.end()
        text_parts.append(marked[pos:])
        text = "".join(text_parts)
        if "[[" in text or "]]" in text:
            raise ValueError(f"{language} message {number}: unbalanced markup")
        out.append(LabelledText(f"hw-{language}-{number:03d}", text, language, kind, tuple(spans)))
    return out


def checksum_ok(span_type: EntityType, value: str, language: str) -> bool:
    """True when a value of a checksummed type passes its checksum (other types: always)."""
    compact = re.sub(r"[\s.-]", "", value)
    if span_type is EntityType.IBAN:
        return bool(iban.is_valid(compact))
    if span_type is EntityType.CREDIT_CARD:
        return bool(luhn.is_valid(compact))
    if span_type is EntityType.NATIONAL_ID and language == "nl":
        return bool(bsn.is_valid(compact))
    return True


def validate(texts: list[LabelledText]) -> list[str]:
    """Problems found, each naming the record and span, never the text."""
    problems: list[str] = []
    seen: set[str] = set()
    per_language = dict.fromkeys(LANGUAGES, 0)
    for t in texts:
        if t.id in seen:
            problems.append(f"{t.id}: duplicate id")
        seen.add(t.id)
        if t.language not in per_language:
            problems.append(f"{t.id}: unknown language")
            continue
        per_language[t.language] += 1
        if t.kind not in ("chat", "email"):
            problems.append(f"{t.id}: kind must be chat or email")
        previous_end = 0
        for i, span in enumerate(t.spans):
            where = f"{t.id} span {i} ({span.type.value})"
            value = t.text[span.start : span.end]
            if not 0 <= span.start < span.end <= len(t.text):
                problems.append(f"{where}: offsets out of range")
            elif span.start < previous_end:
                problems.append(f"{where}: overlaps or is out of order")
            elif value != value.strip() or not value.strip():
                problems.append(f"{where}: span has surrounding whitespace")
            elif not checksum_ok(span.type, value, t.language):
                problems.append(f"{where}: fails its checksum")
            previous_end = max(previous_end, span.end)
    for language, count in per_language.items():
        if count < MIN_PER_LANGUAGE:
            problems.append(f"{language}: {count} messages, need {MIN_PER_LANGUAGE}")
    return problems


def build() -> list[LabelledText]:
    texts: list[LabelledText] = []
    for language in LANGUAGES:
        source = (SOURCES / f"{language}.txt").read_text(encoding="utf-8")
        texts += parse_markup(source, language)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    write_jsonl(texts, TARGET)
    return texts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--build", action="store_true", help="rebuild the JSONL from markup")
    args = parser.parse_args(argv)
    if args.build:
        build()
    texts = read_jsonl(TARGET)
    problems = validate(texts)
    for problem in problems:
        print(problem, file=sys.stderr)
    spans = [s for t in texts for s in t.spans]
    by_type: dict[str, int] = {}
    for s in spans:
        by_type[s.type.value] = by_type.get(s.type.value, 0) + 1
    print(f"{len(texts)} messages, {len(spans)} spans, {sum(len(t.text) for t in texts)} chars")
    print(json.dumps(dict(sorted(by_type.items(), key=lambda kv: -kv[1]))))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
