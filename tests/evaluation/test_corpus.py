"""The labelled corpus is what the NER model learns from and what the benchmark scores
against, so its labels must be exact, its checksummed values valid, its hard negatives
really unlabelled and really invalid, and its train/eval split honest."""

from __future__ import annotations

import collections
import json
import re
from pathlib import Path

import phonenumbers
import pytest
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.at import vnr as at_vnr
from stdnum.be import nn as be_nn
from stdnum.de import idnr as de_idnr
from stdnum.eu import vat as eu_vat
from stdnum.fr import nir as fr_nir
from stdnum.gb import vat as gb_vat
from stdnum.nl import bsn as nl_bsn
from stdnum.us import ssn as us_ssn

from discreet.detect.entities import EntityType
from discreet.evaluation import data
from discreet.evaluation.corpus import (
    AnnotatedText,
    LabelledSpan,
    LabelledText,
    generate_annotated,
    generate_corpus,
    main,
    read_jsonl,
    write_jsonl,
)
from discreet.evaluation.pools import is_held_out
from discreet.evaluation.render import HARD_NEGATIVE_FAMILIES, SLOTS, template_keys
from discreet.evaluation.templates import PACKS
from discreet.evaluation.values import is_valid_nino

LANGUAGES = ("en", "nl", "de", "fr")
REQUIRED_TYPES = {
    EntityType.PERSON,
    EntityType.EMAIL_ADDRESS,
    EntityType.PHONE_NUMBER,
    EntityType.STREET_ADDRESS,
    EntityType.POSTAL_CODE,
    EntityType.LOCATION,
    EntityType.IBAN,
    EntityType.CREDIT_CARD,
    EntityType.NATIONAL_ID,
    EntityType.DATE_OF_BIRTH,
    EntityType.DATE,
    EntityType.IP_ADDRESS,
    EntityType.URL,
    EntityType.LICENSE_PLATE,
    EntityType.SECRET,
    EntityType.CUSTOMER_ID,
    EntityType.ORDER_ID,
    EntityType.AGE,
    EntityType.VAT_ID,
    EntityType.ORGANIZATION,
}
PHONE_REGIONS = {"en": ("GB", "US"), "nl": ("NL", "BE"), "de": ("DE", "AT"), "fr": ("FR", "BE")}


@pytest.fixture(scope="module")
def corpus() -> list[AnnotatedText]:
    return generate_annotated(2000)


@pytest.fixture(scope="module")
def train_corpus() -> list[AnnotatedText]:
    return generate_annotated(800, seed=1000, split="train")


def _spans_of(corpus: list[AnnotatedText], etype: EntityType) -> list[tuple[str, str]]:
    """(language, surface) for every span of a type."""
    return [
        (a.text.language, a.text.text[s.start : s.end])
        for a in corpus
        for s in a.text.spans
        if s.type is etype
    ]


def test_spans_are_exact_sorted_and_non_overlapping(corpus: list[AnnotatedText]) -> None:
    for a in corpus:
        t = a.text
        assert len(t.spans) == len(a.span_values)
        previous_end = 0
        for span, value in zip(t.spans, a.span_values, strict=True):
            assert t.text[span.start : span.end] == value, f"{t.id}: offset mismatch"
            assert previous_end <= span.start < span.end <= len(t.text), f"{t.id}: order"
            assert value == value.strip(), f"{t.id}: span with edge whitespace"
            previous_end = span.end


def test_spans_sit_on_word_boundaries(corpus: list[AnnotatedText]) -> None:
    # Token-based NER training needs spans that do not start or end inside a word.
    for a in corpus:
        t = a.text
        for s in t.spans:
            before = t.text[s.start - 1] if s.start else " "
            after = t.text[s.end] if s.end < len(t.text) else " "
            assert not before.isalnum() and not after.isalnum(), f"{t.id}: {s.type} mid-word"


def test_languages_are_balanced_and_both_kinds_present(corpus: list[AnnotatedText]) -> None:
    per_language = collections.Counter(a.text.language for a in corpus)
    assert set(per_language) == set(LANGUAGES)
    assert max(per_language.values()) - min(per_language.values()) <= 1
    for lang in LANGUAGES:
        kinds = collections.Counter(a.text.kind for a in corpus if a.text.language == lang)
        assert set(kinds) == {"chat", "email"}
        assert min(kinds.values()) > 0.3 * sum(kinds.values())


def test_every_required_type_occurs(corpus: list[AnnotatedText]) -> None:
    counts = collections.Counter(s.type for a in corpus for s in a.text.spans)
    missing = REQUIRED_TYPES - set(counts)
    assert not missing, f"types never generated: {sorted(missing)}"
    assert all(counts[t] >= 30 for t in REQUIRED_TYPES), counts


def test_text_lengths_stay_in_range(corpus: list[AnnotatedText]) -> None:
    lengths = [len(a.text.text) for a in corpus]
    assert min(lengths) >= 50
    assert max(lengths) <= 800
    assert 180 <= sum(lengths) / len(lengths) <= 350


def test_checksummed_values_are_valid(corpus: list[AnnotatedText]) -> None:
    for _, value in _spans_of(corpus, EntityType.IBAN):
        assert std_iban.is_valid(value), "labelled IBAN fails mod-97"
    for _, value in _spans_of(corpus, EntityType.CREDIT_CARD):
        assert luhn.is_valid(re.sub(r"[ -]", "", value)), "labelled card fails Luhn"
    for _, value in _spans_of(corpus, EntityType.VAT_ID):
        assert eu_vat.is_valid(value) or gb_vat.is_valid(value), "labelled VAT id invalid"
    id_checks = (nl_bsn, be_nn, de_idnr, at_vnr, fr_nir, us_ssn)
    for _, value in _spans_of(corpus, EntityType.NATIONAL_ID):
        assert any(m.is_valid(value) for m in id_checks) or is_valid_nino(value)


def test_phone_numbers_are_valid_for_their_language_regions(
    corpus: list[AnnotatedText],
) -> None:
    def valid(value: str, region: str) -> bool:
        try:
            return bool(phonenumbers.is_valid_number(phonenumbers.parse(value, region)))
        except phonenumbers.NumberParseException:
            return False

    for lang, value in _spans_of(corpus, EntityType.PHONE_NUMBER):
        assert any(valid(value, r) for r in PHONE_REGIONS[lang]), "invalid phone number"


def test_birth_dates_and_other_dates_are_told_apart(corpus: list[AnnotatedText]) -> None:
    # A DATE_OF_BIRTH is 18+ years back; order and delivery dates are recent.
    years = re.compile(r"(19|20)\d\d")
    for _, value in _spans_of(corpus, EntityType.DATE_OF_BIRTH):
        found = years.search(value)
        assert found and int(found.group()) <= 2008
    for _, value in _spans_of(corpus, EntityType.DATE):
        found = years.search(value)
        assert found is None or int(found.group()) >= 2023


def test_every_hard_negative_family_occurs_in_a_good_share(
    corpus: list[AnnotatedText],
) -> None:
    seen = collections.Counter(f for a in corpus for f in a.families)
    assert set(seen) == set(HARD_NEGATIVE_FAMILIES)
    unlabelled_families = HARD_NEGATIVE_FAMILIES - {"non_birth_date"}
    share = sum(1 for a in corpus if a.families & unlabelled_families) / len(corpus)
    assert share >= 0.35


def test_no_valid_identifier_hides_in_unlabelled_text(corpus: list[AnnotatedText]) -> None:
    """Hard negatives must fail their checksums, and nothing valid may go unlabelled."""
    iban_like = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b")
    card_like = re.compile(r"\b\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}\b")
    bsn_like = re.compile(r"\b\d{9}\b")
    checked = collections.Counter[str]()
    for a in corpus:
        t = a.text
        masked = list(t.text)
        for s in t.spans:
            masked[s.start : s.end] = "#" * (s.end - s.start)
        rest = "".join(masked)
        for m in iban_like.finditer(rest):
            checked["iban"] += 1
            assert not std_iban.is_valid(m.group()), f"{t.id}: unlabelled valid IBAN"
        for m in card_like.finditer(rest):
            checked["card"] += 1
            assert not luhn.is_valid(re.sub(r"[ -]", "", m.group())), f"{t.id}: valid card"
        for m in bsn_like.finditer(rest):
            checked["bsn"] += 1
            assert not nl_bsn.is_valid(m.group()), f"{t.id}: unlabelled valid BSN"
        assert "@" not in rest, f"{t.id}: unlabelled e-mail address"
    assert checked["iban"] >= 10 and checked["card"] >= 10 and checked["bsn"] >= 10


def test_hard_negative_products_and_shops_are_never_labelled(
    corpus: list[AnnotatedText],
) -> None:
    names = set(data.PRODUCTS) | set(data.SHOPS)
    for a in corpus:
        for s in a.text.spans:
            assert a.text.text[s.start : s.end] not in names


def test_train_split_never_uses_held_out_pool_values(
    train_corpus: list[AnnotatedText], corpus: list[AnnotatedText]
) -> None:
    train_values = {v for a in train_corpus for v in a.pool_values}
    assert train_values
    assert not any(is_held_out(v) for v in train_values)
    # The same held-out rule applies to labelled surfaces (cities, first-name chat openers).
    countries = {c.lower() for names in data.COUNTRIES.values() for c in names}
    for _, city in _spans_of(train_corpus, EntityType.LOCATION):
        assert city.lower() in countries or not is_held_out(city)
    eval_values = [v for a in corpus for v in a.pool_values]
    held_out_share = sum(map(is_held_out, eval_values)) / len(eval_values)
    assert 0.1 <= held_out_share <= 0.3


def test_generation_is_deterministic_and_seed_dependent() -> None:
    first = generate_corpus(40, seed=7)
    assert first == generate_corpus(40, seed=7)
    assert first[:10] == generate_corpus(10, seed=7)  # a longer corpus extends a shorter one
    assert [t.text for t in first] != [t.text for t in generate_corpus(40, seed=8)]
    train = generate_corpus(40, seed=7, split="train")
    assert {t.text for t in first}.isdisjoint({t.text for t in train})


def test_language_subset_and_validation() -> None:
    texts = generate_corpus(6, languages=("nl",))
    assert {t.language for t in texts} == {"nl"}
    with pytest.raises(ValueError, match="unsupported language"):
        generate_corpus(1, languages=("xx",))


def test_jsonl_round_trip(tmp_path: Path) -> None:
    texts = generate_corpus(30, seed=3)
    path = tmp_path / "corpus.jsonl"
    write_jsonl(texts, path)
    assert read_jsonl(path) == texts
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert all(set(r) == {"id", "text", "language", "kind", "spans"} for r in records)
    assert all(set(s) == {"start", "end", "type"} for r in records for s in r["spans"])
    assert any(r["spans"] for r in records)


def test_read_jsonl_names_the_bad_line_without_leaking_text(tmp_path: Path) -> None:
    good = LabelledText("x", "Jan Jansen", "nl", "chat", (LabelledSpan(0, 10, EntityType.PERSON),))
    path = tmp_path / "bad.jsonl"
    write_jsonl([good], path)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(
            json.dumps(
                {
                    "id": "y",
                    "text": "Piet Secret",
                    "language": "nl",
                    "kind": "chat",
                    "spans": [{"start": 0, "type": "NOPE"}],
                }
            )
            + "\n"
        )
    with pytest.raises(ValueError, match="line 2") as info:
        read_jsonl(path)
    assert "Piet" not in str(info.value)


def test_module_entry_point_writes_a_corpus(tmp_path: Path) -> None:
    out = tmp_path / "eval.jsonl"
    assert main(["--n", "12", "--seed", "1", "--split", "eval", "--out", str(out)]) == 0
    texts = read_jsonl(out)
    assert len(texts) == 12
    assert texts == generate_corpus(12, seed=1)


def test_entry_point_defaults_train_to_its_own_seed(tmp_path: Path) -> None:
    out = tmp_path / "train.jsonl"
    assert main(["--n", "4", "--split", "train", "--languages", "de,fr", "--out", str(out)]) == 0
    texts = read_jsonl(out)
    assert texts == generate_corpus(4, seed=1000, languages=("de", "fr"), split="train")
    assert [t.language for t in texts] == ["de", "fr", "de", "fr"]


def test_template_packs_are_large_and_use_known_slots() -> None:
    for lang, pack in PACKS.items():
        assert pack.language == lang
        assert pack.template_count() >= 40
        assert len(pack.customer_lines) >= 40
        groups = (
            pack.email_subjects,
            pack.email_greetings_customer,
            pack.email_greetings_agent,
            pack.customer_lines,
            pack.agent_lines,
            pack.negative_lines,
            pack.chat_openers,
            pack.chat_agent_lines,
            pack.closings_customer,
            pack.signatures_customer,
            pack.closings_agent,
            pack.signatures_agent,
        )
        for group in groups:
            for template in group:
                unknown = [k for k in template_keys(template) if k not in SLOTS]
                assert not unknown, f"{lang}: unknown slots {unknown}"
