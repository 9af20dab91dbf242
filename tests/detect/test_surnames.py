"""A known surname alone, where nothing was found, is a person (`detect.surnames`).

The findings are given as the merged list the detector hands over, so each rule is checked
whatever model is installed; the last tests run the real detector."""

from __future__ import annotations

import pytest
from tests.support.findings import model_findings, values

from discreet.detect import Detector, DetectorConfig, EntityType
from discreet.detect.base import DetectionInput
from discreet.detect.surnames import RECOGNIZER, SCORE, lone_surnames

P, L = EntityType.PERSON, EntityType.LOCATION


def added(text: str, language: str = "en") -> list[str]:
    """The values `lone_surnames` adds to a text where nothing was found."""
    return [f.value(text) for f in lone_surnames(DetectionInput(text, language), [])]


@pytest.mark.parametrize(
    ("text", "language", "surname"),
    [
        ("Three minutes later Degryse put the ball over the bar.", "en", "Degryse"),
        ("So weit scheint die Liebe zu Sutter nicht zu gehen.", "de", "Sutter"),
        ("Volgens hem zoekt Moreels spijkers op laag water.", "nl", "Moreels"),
        ("Selon le journal, Vaillant a quitté le club.", "fr", "Vaillant"),
    ],
)
def test_a_lone_surname_nothing_found_is_a_person(text: str, language: str, surname: str) -> None:
    found = lone_surnames(DetectionInput(text, language), [])
    assert values(text, found) == [(surname, P)]
    # A guess from the name lists: under what is repeated through the text (0.5).
    assert [(f.score, f.recognizer) for f in found] == [(SCORE, RECOGNIZER)]
    assert SCORE < 0.5


def test_a_possessive_s_is_no_part_of_the_name() -> None:
    assert added("It was Degryse's greatest gift to the club.") == ["Degryse"]


def test_what_was_found_stays_as_it_was_found() -> None:
    text = "Later that year Sutter moved to Zobel with his family."
    given = model_findings(text, ("Zobel", L, 0.6))
    found = lone_surnames(DetectionInput(text, "en"), given)
    # Zobel keeps the model's reading; only Sutter, which nothing touched, is added.
    assert values(text, found) == [("Sutter", P), ("Zobel", L)]
    assert found[1] is given[0]


def test_first_names_frequent_words_and_places_are_not_lone_surnames() -> None:
    # A first name alone is the names recognizer's to judge from its context.
    assert added("Yesterday Anna called twice.") == []
    # Frequent as a word: in the text's language ("Brown") or in another of the four
    # ("Kraft" is a German word; "Renault" frequent in Dutch and French).
    assert added("Yesterday Brown called twice.") == []
    assert added("The top four, including Kraft, went through.") == []
    assert added("My Renault needs new tyres.") == []
    # A town the gazetteer knows, a shop.
    assert added("The train from Davenport was late.") == []
    assert added("Ich habe es gestern bei Rossmann gekauft.", "de") == []


def test_a_word_beside_a_capitalised_word_or_with_a_hyphen_is_no_lone_surname() -> None:
    assert added("He moved to FC Sutter last summer.") == []  # a club's name
    assert added("Thomas Sutter called.") == []  # a run for the names recognizer
    assert added("Sutter Holding was sold.") == []
    assert added("Die Sutter-Zobel GmbH wurde verkauft.", "de") == []
    # Punctuation between them: each word stands alone.
    assert added("Gestern, Sutter, kam der Brief.", "de") == ["Sutter"]


def test_the_detector_finds_a_lone_surname() -> None:
    text = "Three minutes later Degryse put the ball over the bar."
    found = Detector().detect(text, language="en")
    assert [(f.value(text), f.type, f.recognizer) for f in found] == [("Degryse", P, RECOGNIZER)]


def test_a_higher_threshold_or_no_persons_wanted_adds_none() -> None:
    text = "Three minutes later Degryse put the ball over the bar."
    strict = Detector(DetectorConfig(threshold=0.5)).detect(text, language="en")
    assert "Degryse" not in [f.value(text) for f in strict]
    emails_only = Detector(DetectorConfig(entities=[EntityType.EMAIL_ADDRESS]))
    assert emails_only.detect(text, language="en") == []
