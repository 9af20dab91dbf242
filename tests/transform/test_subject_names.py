"""`transform.names`: which part of a written name is which of the subject's name fields."""

from __future__ import annotations

import pytest

from discreet.detect import Detector, DetectorConfig, NerConfig
from discreet.detect.base import KnownSubject
from discreet.detect.entities import EntityType
from discreet.transform import MemoryTokenStore, OperatorConfig, Pseudonymizer
from discreet.transform.names import SubjectName, name_key
from discreet.transform.normalize import normalize_value


def _parts(name: SubjectName, span: str) -> list[tuple[str, str]] | None:
    found = name.match(span)
    return None if found is None else [(span[p.start : p.end], p.value) for p in found]


@pytest.mark.parametrize(
    ("given", "family", "span", "expected"),
    [
        (
            "Elaine",
            "Pritchard",
            "Mrs. E. Pritchard",
            [("E.", "Elaine"), ("Pritchard", "Pritchard")],
        ),
        (
            "Elaine",
            "Pritchard",
            "Pritchard, Elaine",
            [("Pritchard", "Pritchard"), ("Elaine", "Elaine")],
        ),
        (
            "Elaine",
            "Pritchard",
            "ELAINE PRITCHARD",
            [("ELAINE", "Elaine"), ("PRITCHARD", "Pritchard")],
        ),
        ("Jan", "de Vries", "meneer De Vries", [("De Vries", "de Vries")]),
        ("Jan", "de Vries", "J. Vries", [("J.", "Jan"), ("Vries", "de Vries")]),
        (
            "Anna",
            "van der Berg",
            "A. van der Berg",
            [("A.", "Anna"), ("van der Berg", "van der Berg")],
        ),
        ("Jürgen", "Müller", "Juergen Mueller", [("Juergen", "Jürgen"), ("Mueller", "Müller")]),
        ("Jürgen", "Müller", "Herr Muller", [("Muller", "Müller")]),
        ("Hélène", "Lefèvre", "Mme H. Lefevre", [("H.", "Hélène"), ("Lefevre", "Lefèvre")]),
        # "M." is Marie's initial here, not the French "Monsieur".
        ("Marie", "Curie", "M. Curie", [("M.", "Marie"), ("Curie", "Curie")]),
    ],
)
def test_each_part_names_its_field(
    given: str, family: str, span: str, expected: list[tuple[str, str]]
) -> None:
    assert _parts(SubjectName(None, given, family), span) == expected


@pytest.mark.parametrize(
    "span",
    ["Elaine Smith", "Edward Pritchard", "E.", "Mrs.", "Pritchard Elaine Jones", "Ed Pritchard"],
)
def test_other_people_and_fragments_are_not_the_subject(span: str) -> None:
    assert SubjectName(None, "Elaine", "Pritchard").match(span) is None


def test_a_whole_name_field_links_every_spelling_to_the_whole_name() -> None:
    name = SubjectName("Jan de Vries")
    for span in ("J. de Vries", "de Vries, Jan", "meneer De Vries"):
        found = name.match(span)
        assert found is not None and [p.value for p in found] == ["Jan de Vries"], span
        assert not span[found[0].start : found[0].end].startswith("meneer")


def test_names_compare_with_accents_folded_and_umlauts_transliterated() -> None:
    assert name_key("Müller") == name_key("MUELLER") == "mueller"
    assert name_key("Lefèvre") == name_key("lefevre")
    # Decomposed ü (u + combining diaeresis) is the same name as the composed one.
    assert name_key("Mu\u0308ller") == "mueller"
    key = normalize_value(EntityType.PERSON, "Hélène  Lefèvre")
    assert key == normalize_value(EntityType.PERSON, "helene lefevre")


def test_the_subjects_name_parts_never_show_in_its_repr() -> None:
    subject = KnownSubject(name="Elaine Pritchard", given_name="Elaine", family_name="Pritchard")
    assert "Elaine" not in repr(subject) and "Pritchard" not in repr(
        SubjectName(None, "E", "Pritchard")
    )


def test_a_conversation_gives_every_spelling_of_the_subject_one_set_of_tokens() -> None:
    """Through the real detector and a token store: parts take their fields' tokens, a
    whole-name record one token, and the map rehydrates to the values as stored."""
    detector = Detector(DetectorConfig(ner=NerConfig(backend="none")))
    pseudonymizer = Pseudonymizer(detector, OperatorConfig(), MemoryTokenStore())
    parts = KnownSubject(name="Hélène Lefèvre", given_name="Hélène", family_name="Lefèvre")
    turn = pseudonymizer.turn("c-parts", parts)
    fields = turn.pseudonymize_typed(
        [("Hélène", EntityType.PERSON), ("Lefèvre", EntityType.PERSON)], "fr"
    )
    first, last = (r.text for r in fields)
    said = turn.pseudonymize_messages(
        ["C'est Helene Lefevre.", "Mme H. Lefèvre", "Lefèvre, Hélène"], "fr"
    )
    assert [r.text for r in said] == [
        f"C'est {first} {last}.",
        f"Mme {first} {last}",
        f"{last}, {first}",
    ]
    assert turn.rehydrate(said[1].text).text == "Mme Hélène Lefèvre"

    whole = pseudonymizer.turn("c-whole", KnownSubject(name="Jan de Vries"))
    texts = whole.pseudonymize_messages(["Jan de Vries", "de Vries, Jan", "meneer J. de Vries"])
    token = texts[0].text
    assert [t.text for t in texts] == [token, token, f"meneer {token}"]
