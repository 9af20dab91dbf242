"""Names written beside the writer's "I" or "me" ("Peder and I", "ik en Sanne")."""

from __future__ import annotations

from functools import partial

import pytest
from tests.support.findings import recognized

from discreet.detect import Detector, EntityType

companions = partial(recognized, "companions")


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # A surname or first name the lists may not know: "and I" says it is someone.
        ("en", "In fact Peder and I were remarking on how agreeable", ["Peder"]),
        ("en", "reintroduced me and Laura in his backyard", ["Laura"]),
        ("en", "Yesterday Peter Smith and I ordered two chairs", ["Peter Smith"]),
        ("en", "between you and me and Laura Smith", ["Laura Smith"]),
        ("en", "i think emma and i will pick it up", ["emma"]),  # a known first name
        ("nl", "Gisteren hebben Sanne en ik een bank besteld", ["Sanne"]),
        ("nl", "toen zijn ik en Bram naar de winkel gegaan", ["Bram"]),
        ("de", "Anna und ich haben zusammen bestellt", ["Anna"]),
        ("fr", "Marie et moi avons commandé la table", ["Marie"]),
        ("fr", "il a appelé moi et Julien hier", ["Julien"]),
    ],
)
def test_a_name_beside_the_writer_is_a_person(
    language: str, text: str, expected: list[str]
) -> None:
    assert companions(text, language) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Mom and I ordered two"),  # frequent words
        ("en", "Pizza and I go way back"),
        ("en", "This and I"),  # a function word
        ("en", "Paris and I"),  # a place
        ("en", "Amazon and me"),  # a brand
        ("en", "Monday and I were both busy"),  # a day
        ("en", "It's a Reel and i have danced to it"),  # an article before it
        ("en", "the bread and i"),  # lower case and no first name
        ("nl", "mijn vrouw en ik"),
        ("de", "Die Firma und ich"),
        ("en", "UPS and I"),  # capitals: an acronym
    ],
)
def test_words_beside_the_writer_are_no_people(language: str, text: str) -> None:
    assert companions(text, language) == []


def test_the_detector_masks_a_companion_the_model_does_not_know() -> None:
    text = "In fact Peder and I were remarking on how agreeable the staff were"
    found = [(f.value(text), f.type) for f in Detector().detect(text, language="en")]
    assert ("Peder", EntityType.PERSON) in found
