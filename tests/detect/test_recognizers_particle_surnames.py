"""Flemish surnames with a capitalised particle, alone inside a Dutch sentence."""

from __future__ import annotations

from functools import partial

import pytest
from tests.support.findings import recognized

from discreet.detect import Detector, EntityType

particle_surnames = partial(recognized, "particle_surnames", language="nl")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("VRT of zelfs 4FM sluit De Coster niet uit.", ["De Coster"]),
        ("In 1996 was De Prins enkele maanden hoofdredacteur.", ["De Prins"]),
        ("Ik heb gisteren met Van den Bossche gebeld.", ["Van den Bossche"]),
        # "kg" in lower case is a weight, no legal form; a form after the full stop
        # belongs to another sentence.
        ("Volgens De Coster weegt het pakket 5 kg.", ["De Coster"]),
        ("Ik sprak De Prins. BV Kantoor belt later.", ["De Prins"]),
    ],
)
def test_a_capitalised_particle_and_a_known_surname_inside_a_sentence(
    text: str, expected: list[str]
) -> None:
    assert particle_surnames(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "De Fransen lieten weten dat het kan.",  # a sentence's article: the French
        "(Bloomberg) De Fransen lieten weten dat het kan.",
        "We gaan naar De Panne en Ter Apel.",  # places named so
        "Het pakket ging mee met De Post.",  # a brand
        "Ik las het in de Coster van gisteren.",  # the article in lower case
        "Op naam van De Cock, Verlinden en Van de Velde CV graag.",  # a firm
        "De factuur gaat naar Van Dijk B.V. in Utrecht.",
        "Bel met De Smet BVBA over de levering.",
    ],
)
def test_articles_places_and_brands_are_no_surnames(text: str) -> None:
    assert particle_surnames(text) == []


@pytest.mark.parametrize(
    ("text", "surname"),
    [
        ("Volgens De Coster komt de levering morgen.", "De Coster"),
        ("Ik heb gisteren met Van den Bossche gebeld.", "Van den Bossche"),
        ("De factuur staat op naam van Vande Velde.", "Vande Velde"),
    ],
)
def test_the_detector_masks_the_surname_alone(text: str, surname: str) -> None:
    found = [(f.value(text), f.type) for f in Detector().detect(text, language="nl")]
    assert (surname, EntityType.PERSON) in found


@pytest.mark.parametrize(
    ("language", "text", "surname"),
    [
        ("en", "A quick penalty from Van der Westhuizen five metres out.", "Van der Westhuizen"),
        ("de", "Der Vertrag lief über Van der Merwe und endete im Mai.", "Van der Merwe"),
        ("fr", "Le colis est parti chez Van den Heuvel hier soir.", "Van den Heuvel"),
        ("nl", "Morgen belt Van den Oetelaar terug.", "Van den Oetelaar"),
    ],
)
def test_a_two_word_particle_opens_a_surname_in_any_language_known_or_not(
    language: str, text: str, surname: str
) -> None:
    assert recognized("particle_surnames", text, language=language) == [surname]
    found = [(f.value(text), f.type) for f in Detector().detect(text, language=language)]
    assert (surname, EntityType.PERSON) in found
    assert all(t is not EntityType.LOCATION for _, t in found)  # Van is a city in Turkey


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("nl", "Het Boek Van de Maand is uit."),  # a title's words
        ("en", "Van der Merwe scored twice."),  # a sentence's start says nothing
        ("en", "I spoke with Van Gogh's curator."),  # one particle: known surnames, Dutch only
    ],
)
def test_no_surname_where_the_words_are_a_title_or_only_one_particle(
    language: str, text: str
) -> None:
    assert recognized("particle_surnames", text, language=language) == []


def test_the_place_van_stays_a_place_without_a_name_after_it() -> None:
    text = "We flew to Van last summer."
    found = [(f.value(text), f.type) for f in Detector().detect(text, language="en")]
    assert found == [("Van", EntityType.LOCATION)]
