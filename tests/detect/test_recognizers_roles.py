"""Person names after the office or role they hold ("Innenminister Ismet Sezgin")."""

from __future__ import annotations

from functools import partial

import pytest
from tests.support.findings import recognized

values = partial(recognized, "roles")


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("de", "Der türkische Innenminister Ismet Sezgin und Finanzminister Hata",
         ["Ismet Sezgin", "Hata"]),
        ("de", "Südwestfunk-Redakteur Hansjörg N. Schultz wird neuer Intendant",
         ["Hansjörg N. Schultz"]),
        ("de", "Mein Kollege Müller ruft Sie an", ["Müller"]),
        ("en", "Biographer Forrest McDonald argues otherwise", ["Forrest McDonald"]),
        ("fr", "le président Park Chung-hee et la ministre Ségolène Royal",
         ["Park Chung-hee", "Ségolène Royal"]),
        ("nl", "Volgens voorzitter Jan de Vries niet", ["Jan de Vries"]),
        # German offices declined, and a driver for a make.
        ("de", "Sie hat dem Abgeordneten Sutter geschrieben.", ["Sutter"]),
        ("de", "Honda-Fahrer Waldmann belegte den dritten Platz.", ["Waldmann"]),
        # The name ends before the office it is given.
        ("de", "Er wurde von Premierminister Garret FitzGerald zum Landwirtschaftsminister "
         "ernannt.", ["Garret FitzGerald"]),
        # A weak noun's "-n"; a function word ends the name where a full stop was lost.
        ("de", "Was würde das für Bushs Parteikollegen McCain bedeuten?", ["McCain"]),
        ("de", "Er widmete es seinem Kollegen Salomon Neumann Im Vorwort steht",
         ["Salomon Neumann"]),
        # A ruler's numeral is his name's, and so is a surname that is an office too.
        ("en", "Belgian King Baudouin I was born in 1930.", ["Baudouin I"]),
        ("de", "Das sagte Minister Klaus König gestern.", ["Klaus König"]),
    ],
)  # fmt: skip
def test_a_name_after_a_role_is_a_person(language: str, text: str, expected: list[str]) -> None:
    assert values(text, language) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # The office's place or body, not a name: "Leiter des Amtes", "maire de Lérida".
        ("de", "Der Leiter des Gartenamtes und der Sprecher der SPD-Fraktion"),
        ("fr", "Il est maire de Lérida et député des Bouches-du-Rhône"),
        ("nl", "De burgemeester van Rooborst sprak"),
        # Frequent words and places after a role word; another language's adjective.
        ("en", "The President Said nothing; the president of France"),
        ("de", "Der Trainer Neue Wege, reine Freude, rechter Mittelfeldspieler"),
        ("de", "Ministerpräsident Bayern"),
        # Product words that look like roles are not roles: "Coach", "Driver", "Manager".
        ("en", "My Coach Tabby bag, the Driver Pack and Manager Pro"),
    ],
)
def test_role_words_before_other_words_are_not_names(language: str, text: str) -> None:
    assert values(text, language) == []
