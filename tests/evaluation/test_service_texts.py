"""The service texts teach the NER that a shop's capitalised words are not people or places,
so what they leave unlabelled must really be ordinary words, what they label must be exact,
and the evaluation fifth of names and towns must stay out of training."""

from __future__ import annotations

import re

import pytest

from discreet.detect.entities import EntityType
from discreet.evaluation.pools import is_held_out
from discreet.evaluation.service import LANGUAGES, generate_service_texts, ordinary_words


@pytest.fixture(scope="module")
def texts():
    return generate_service_texts(400, seed=7)


def test_same_arguments_give_the_same_texts_languages_in_turn(texts):
    again = generate_service_texts(8, seed=7)
    assert again == texts[:8]
    assert [t.language for t in texts[:8]] == list(LANGUAGES) * 2
    assert generate_service_texts(8, seed=8) != again


def test_spans_are_exact_names_and_towns_and_never_overlap(texts):
    labelled = 0
    for item in texts:
        previous_end = 0
        for span in item.spans:
            value = item.text[span.start : span.end]
            assert span.type in (EntityType.PERSON, EntityType.LOCATION), item.id
            assert value and value == value.strip(), (item.id, span)
            assert value[0].isupper(), (item.id, span)
            assert span.start >= previous_end, item.id
            previous_end = span.end
            labelled += 1
    assert labelled > len(texts) // 2  # customers stay in the texts, labelled


def _pool_parts(value: str, kind: EntityType) -> list[str]:
    """The pool draws a value is made of: a town whole; a name's first name and surname,
    each double-barrelled one in its parts (the generator joins two draws with "-")."""
    if kind is EntityType.LOCATION:
        return [value]
    first, _, last = value.partition(" ")
    return first.split("-") + (last.split("-") if last else [])


def test_the_train_split_holds_no_name_or_town_kept_for_evaluation(texts):
    for item in texts:
        for span in item.spans:
            value = item.text[span.start : span.end]
            assert not any(is_held_out(p) for p in _pool_parts(value, span.type)), item.id


def test_the_shops_words_stand_outside_the_labels(texts):
    with_shop_words = 0
    for item in texts:
        vocabulary = set(ordinary_words(item.language))
        outside = list(item.text)
        for span in item.spans:
            assert item.text[span.start : span.end] not in vocabulary, item.id
            outside[span.start : span.end] = " " * (span.end - span.start)
        if vocabulary & set(re.findall(r"\w+", "".join(outside))):
            with_shop_words += 1
    # Nearly every text: a few draw only frames with a town or first name as the product.
    assert with_shop_words >= 0.9 * len(texts)


@pytest.mark.parametrize(
    ("language", "ordinary", "not_ordinary"),
    [
        ("en", ["Inventory", "Upload"], ["Paris", "Emma", "Hudson", "Smith"]),
        ("nl", ["Afhalen"], ["Haarlem", "Jan"]),
        ("de", ["Abteilung", "Kurs"], ["Berlin", "Müller"]),
        ("fr", ["Formule", "Cuisine"], ["Lyon", "Dupont"]),
    ],
)
def test_ordinary_words_leave_out_first_names_surnames_and_places(language, ordinary, not_ordinary):
    words = set(ordinary_words(language))
    assert all(w in words for w in ordinary)
    assert not any(w in words for w in not_ordinary)


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError, match="n must be >= 0"):
        generate_service_texts(-1)
