"""People quoted by name: the name next to a quotation's verb of saying."""

from __future__ import annotations

from functools import partial

import pytest
from tests.support.findings import recognized

from discreet.detect import Detector, EntityType

values = partial(recognized, "speakers")


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # The verb after the quotation, then the name; an office before it left out.
        ("de", '" Darüber habe ich mir noch keine Gedanken gemacht ", sagte Brehme am Samstag.',
         ["Brehme"]),
        ("de", '" Das reicht nicht ", sagt Eymer der Zeitung.', ["Eymer"]),
        ("de", '„Wir bleiben“, sagte Bundeskanzler Helmut Kohl.', ["Helmut Kohl"]),
        ("de", '„Wir bleiben“, sagte Ursula von der Leyen.', ["Ursula von der Leyen"]),
        # An office the role list lacks, before a first name, is no part of the name either.
        ("de", '" Ja ", sagte Filmtheoretiker Siegfried Kracauer.', ["Siegfried Kracauer"]),
        ("de", 'Er geht. " Bremens Stürmer Nelson Valdez sagte, es sei vorbei.',
         ["Nelson Valdez"]),
        ("en", 'It is over. " Senegalese President Macky Sall said.', ["Macky Sall"]),
        ("en", 'It is over. " Burma\'s Suu Kyi said.', ["Suu Kyi"]),  # the owner left out
        ("en", 'if I could beat him, " said Eyles. " My biggest problem', ["Eyles"]),
        ("fr", "« Nous sommes prêts », a déclaré Jean-Luc Mélenchon hier.",
         ["Jean-Luc Mélenchon"]),
        ("fr", "« Le colis est parti », explique Dupont.", ["Dupont"]),
        # The name opens the sentence, the verb follows.
        ("de", 'nichts ausrichten. " Emde betonte, er wolle nicht.', ["Emde"]),
        ("de", "Kinkel sagte der Welt am Sonntag, er sei dagegen.", ["Kinkel"]),
        ("en", 'for a long time, " Woods said. " Today', ["Woods"]),
        ("nl", "De levering is te laat. Kowalczyk zei dat het pakket kwijt is.", ["Kowalczyk"]),
        ("fr", "Le colis est arrivé. Kowalczyk souligne que tout va bien.", ["Kowalczyk"]),
        # A comma, "so" or "aldus", the name, the sentence's end.
        ("de", "Das Wasser braucht Jahre, so Lehr. In manchen Regionen", ["Lehr"]),
        ("nl", "Dat klopt niet, aldus Jansen.", ["Jansen"]),
    ],
)  # fmt: skip
def test_the_name_beside_a_verb_of_saying_is_a_person(
    language: str, text: str, expected: list[str]
) -> None:
    assert values(text, language) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Police said the man fled. Officials said nothing."),  # words, not names
        ("en", "It fell. Brokers said it would. Eyewitnesses said so."),  # plural nouns
        ("en", '" We will appeal, " said Reuters Television.'),  # frequent words
        ("de", "Die Polizei sagte, es sei ruhig."),  # a function word opens it
        ("de", "So Gott will, kommt er. Es geht, so Kinder meinen, um Spiele."),
        ("de", '" Wir bleiben ", erklärte Moskau am Montag.'),  # a capital: its government
        ("fr", "« Nous restons », affirme la France."),  # lower case: no name follows
        ("en", "He said Paris was lovely."),  # no quotation before the verb
        ("nl", "wanneer is hij leverbaar? Coolblue zegt volgende week"),  # a shop answers
    ],
)
def test_no_person_where_the_speaker_is_a_word_or_a_place(language: str, text: str) -> None:
    assert values(text, language) == []


def test_the_detector_finds_a_quoted_surname_the_model_may_not_know() -> None:
    text = '" Das Paket kam nie an ", sagte Wojciechowski am Telefon.'
    found = Detector().detect(text, language="de")
    people = [f.value(text) for f in found if f.type is EntityType.PERSON]
    assert people == ["Wojciechowski"]
