"""The hand-written evaluation set: consistent labels, valid checksums, no leak into training.

The set is the only score that does not come from the generator the NER model was trained
on, so a silently shifted offset or a template that quotes it would make the headline number
meaningless. Failures name the record id and span index, never the text.
"""

from __future__ import annotations

import collections
import importlib.util
import re
from importlib.resources import files
from pathlib import Path
from types import ModuleType

import pytest
from stdnum import iban, luhn
from stdnum.nl import bsn

from discreet.detect.entities import EntityType
from discreet.evaluation.bench import HANDWRITTEN_PATH
from discreet.evaluation.corpus import LabelledText, read_jsonl
from discreet.evaluation.templates import PACKS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def texts() -> list[LabelledText]:
    return read_jsonl(HANDWRITTEN_PATH)


def _builder() -> ModuleType:
    path = ROOT / "training" / "make_handwritten.py"
    spec = importlib.util.spec_from_file_location("make_handwritten", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_set_ships_inside_the_package() -> None:
    packaged = files("discreet.evaluation").joinpath("data", "handwritten.jsonl")
    assert packaged.is_file()
    assert Path(str(packaged)).resolve() == HANDWRITTEN_PATH.resolve()


def test_at_least_forty_messages_per_language_of_both_kinds(texts: list[LabelledText]) -> None:
    per_language = collections.Counter(t.language for t in texts)
    assert {lang: per_language[lang] >= 40 for lang in ("en", "nl", "de", "fr")} == dict.fromkeys(
        ("en", "nl", "de", "fr"), True
    )
    assert {t.kind for t in texts} == {"chat", "email"}
    assert len({t.id for t in texts}) == len(texts)


def test_spans_are_sorted_trimmed_and_on_word_boundaries(texts: list[LabelledText]) -> None:
    for t in texts:
        previous_end = 0
        for i, s in enumerate(t.spans):
            where = f"{t.id} span {i} ({s.type.value})"
            assert previous_end <= s.start < s.end <= len(t.text), f"{where}: offsets"
            value = t.text[s.start : s.end]
            assert value == value.strip(), f"{where}: surrounding whitespace"
            before = t.text[s.start - 1] if s.start else " "
            after = t.text[s.end] if s.end < len(t.text) else " "
            assert not (before.isalnum() and value[0].isalnum()), f"{where}: starts mid-word"
            assert not (after.isalnum() and value[-1].isalnum()), f"{where}: ends mid-word"
            previous_end = s.end


def test_labels_follow_the_corpus_conventions(texts: list[LabelledText]) -> None:
    titles = re.compile(r"^(?:mr|mrs|ms|dr|herr|herrn|frau|mevrouw|meneer|mme|m|monsieur)\b\.?")
    for t in texts:
        for i, s in enumerate(t.spans):
            value = t.text[s.start : s.end]
            where = f"{t.id} span {i} ({s.type.value})"
            if s.type is EntityType.PERSON:
                assert not titles.match(value.lower()) or value[1:2] == ".", f"{where}: title"
            if s.type is EntityType.AGE:
                assert value.isdigit(), f"{where}: AGE is the number only"
            if s.type is EntityType.STREET_ADDRESS:
                assert re.search(r"\d", value), f"{where}: street without a house number"


def test_checksummed_values_are_valid(texts: list[LabelledText]) -> None:
    checked = collections.Counter[EntityType]()
    for t in texts:
        for i, s in enumerate(t.spans):
            compact = re.sub(r"[\s.-]", "", t.text[s.start : s.end])
            where = f"{t.id} span {i} ({s.type.value})"
            if s.type is EntityType.IBAN:
                assert iban.is_valid(compact), f"{where}: fails mod-97"
            elif s.type is EntityType.CREDIT_CARD:
                assert luhn.is_valid(compact), f"{where}: fails Luhn"
            elif s.type is EntityType.NATIONAL_ID and t.language == "nl":
                assert bsn.is_valid(compact), f"{where}: fails the 11-proof"
            else:
                continue
            checked[s.type] += 1
    assert checked[EntityType.IBAN] >= 4 and checked[EntityType.CREDIT_CARD] >= 3


def test_jsonl_is_built_from_the_markup_sources(texts: list[LabelledText]) -> None:
    """Editing training/handwritten/*.txt without rebuilding would score a stale set."""
    builder = _builder()
    rebuilt: list[LabelledText] = []
    for language in builder.LANGUAGES:
        source = (builder.SOURCES / f"{language}.txt").read_text(encoding="utf-8")
        rebuilt += builder.parse_markup(source, language)
    assert rebuilt == texts
    assert builder.validate(texts) == []


def test_no_template_quotes_the_hand_written_set(texts: list[LabelledText]) -> None:
    """Templates must not leak test text into training (rule in training/README.md)."""
    corpus = "\n".join(t.text.lower() for t in texts)
    for language, pack in PACKS.items():
        for group in (pack.customer_lines, pack.agent_lines, pack.negative_lines):
            for template in group:
                for literal in re.split(r"\{[^}]*\}", template):
                    literal = literal.strip().lower()
                    quoted = len(literal) >= 30 and literal in corpus
                    assert not quoted, f"{language}: a template quotes the set"
