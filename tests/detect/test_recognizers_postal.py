"""Postal codes (NL, UK distinctive; DE/FR/US five digits and BE four digits need evidence)
and Dutch licence plates."""

from __future__ import annotations

import pytest

from discreet.detect import Detector, DetectorConfig, EntityType, NerConfig
from discreet.detect.base import DetectionInput
from discreet.detect.registry import RecognizerRegistry

THRESHOLD = DetectorConfig().threshold
REGISTRY = RecognizerRegistry.default()
POSTAL = ("nl_postal_code", "uk_postcode", "five_digit_postal_code", "be_postal_code")


def reported(text: str, language: str = "en", names: tuple[str, ...] = POSTAL) -> list[str]:
    """Values at or above the detector threshold from the given recognizers."""
    item = DetectionInput(text, language)
    return [
        f.value(text)
        for name in names
        for f in REGISTRY.get(name).analyze(item)
        if f.score >= THRESHOLD
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dorpsstraat 12, 1234 AB Amsterdam", ["1234 AB"]),
        ("postcode 1234AB", ["1234AB"]),
        ("London SW1A 1AA", ["SW1A 1AA"]),
        ("Manchester M1 1AE, UK", ["M1 1AE"]),
        ("Birmingham B33 8TH", ["B33 8TH"]),
    ],
)
def test_distinctive_postal_codes(text: str, expected: list[str]) -> None:
    assert reported(text) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Hauptstraße 5, 10115 Berlin", "de", ["10115"]),
        ("PLZ 80331", "de", ["80331"]),
        ("12 rue de la Paix, 75002 Paris", "fr", ["75002"]),
        ("code postal 69001", "fr", ["69001"]),
        ("123 Main St, Springfield, IL 62704", "en", ["62704"]),
        ("zip code 90210-1234", "en", ["90210-1234"]),
        ("Rue de la Loi 16, 1000 Brussel", "nl", ["1000"]),
        ("postcode 9000 Gent", "nl", ["9000"]),
        # A street and house number on the line before: a multi-line address.
        ("Jean Lemmens\nJanweg 161\n6355 Vilvoorde", "nl", ["6355"]),
        ("Hugo Hofbauer\nHauptstraße 40\n7376 Kapfenberg", "de", ["7376"]),
        ("chaussée de Charleroi 176\n9246 Spa", "fr", ["9246"]),
        # A town the gazetteer knows right before: American addresses without the state.
        ("Paul Burns\n108 Main Street\nLas Vegas 72401", "en", ["72401"]),
        ("my address is 5620 Jefferson Street, Columbus, 46700. The", "en", ["46700"]),
        # A four-digit code that closes an address: a known town after it, or the line's end.
        ("Woon sinds kort in België, Meir 12, 2000 Antwerpen. Verzenden", "nl", ["2000"]),
        ("Graben 21, 1010 Wien", "de", ["1010"]),
        ("ich wohne in Wien, Mariahilfer Straße 45/3, 1060", "de", ["1060"]),
        ("Kerkstraat 4, 1500.", "nl", ["1500"]),
        # Chat: a town in lower case, and no comma between the house number and the code.
        ("lieferadresse getreidegasse 134, 3536 hallein ändern?", "de", ["3536"]),
        ("lieferadresse am markt 107 33519 dessau", "de", ["33519"]),
        ("mijn nieuwe adres is kapelstraat 60, 4877 lokeren.", "nl", ["4877"]),
        ("Adres: Steenweg 17b 6944 Lokeren", "nl", ["6944"]),
        ("Kasper Lambrecht\nMeir 70 7707 Lier", "nl", ["7707"]),
        # An American town before the code, in lower case.
        ("my new address is 5333 highland avenue, nashville, 61323.", "en", ["61323"]),
        ("my new address is 1131 elm street, salt lake city, 19484.", "en", ["19484"]),
        # Dutch codes whose letters are also a unit, with an address around them.
        ("Dat is Lunasingel 96, 3325 MW Oss.", "nl", ["3325 MW"]),
        ("Molenweg 53\n8543AD Groningen", "nl", ["8543AD"]),
    ],
)
def test_ambiguous_codes_with_evidence(text: str, language: str, expected: list[str]) -> None:
    assert reported(text, language) == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Es kostet 50000 Euro", "de"),
        ("Ich habe 10000 Kunden", "de"),
        ("ticket 12345 is open", "en"),
        ("in 2024 Berlin was cold", "de"),
        ("Ticket 12345 of the Paris office", "en"),
        ("1000 Brussel", "nl"),  # four digits and a city: not enough on its own
        ("we sold 1500 units", "en"),
        ("1000 GB storage and 2048 MB", "en"),
        ("iPhone 15 Pro, Galaxy S24", "en"),
        # Address-shaped, but a year: a date's day before the comma, or no known town.
        ("delivery to 98 Cedar Lane in Detroit on July 27, 2025.", "en"),
        ("Ik heb 12, 2000 Antwerpen", "nl"),
        ("Hauptstraße 5, 2000 Stück", "de"),
        ("Dorpsstraat 12, 2023 was een goed jaar", "nl"),
        ("we paid 2000 euro for it", "nl"),  # a lower-case word after it, no town
        ("the plant makes 1200 MW at full load", "en"),  # a unit, no address around it
        ("the 1000 MW plant", "en"),
    ],
)
def test_postal_code_negatives(text: str, language: str) -> None:
    assert reported(text, language) == []


def test_context_word_counts_for_the_nearest_number_only() -> None:
    assert reported("PLZ 80331, 50000 Euro", "de") == ["80331"]


def test_dutch_code_is_not_also_a_belgian_code() -> None:
    detector = Detector(DetectorConfig(ner=NerConfig(backend="none")))
    text = "postcode 1234 AB"
    got = [(f.type, f.value(text), f.recognizer) for f in detector.detect(text, "nl")]
    assert got == [(EntityType.POSTAL_CODE, "1234 AB", "nl_postal_code")]


# ---------------------------------------------------------------- licence plates


@pytest.mark.parametrize(
    "plate",
    [
        "AB-12-34",
        "12-34-BD",
        "12-BD-34",
        "BD-12-FG",
        "BD-FG-12",
        "12-BD-FG",
        "12-BDF-3",
        "1-BDF-23",
        "AB-123-C",
        "G-123-BB",
        "BDF-12-G",
        "G-12-BDF",
        "1-BD-234",
        "123-BD-4",
    ],
)
def test_dutch_plate_sidecodes(plate: str) -> None:
    assert reported(f"kenteken {plate} graag", "nl", ("nl_license_plate",)) == [plate]


def test_plate_without_context_is_still_reported_when_it_uses_issued_letters() -> None:
    assert reported("de auto G-123-BB staat buiten", "nl", ("nl_license_plate",)) == ["G-123-BB"]


@pytest.mark.parametrize(
    "text",
    [
        "COVID-19",
        "UTF-8",
        "MP3-player",
        "12-03-1985",
        "GPT-4o",
        "A-1234",
        "ABC-DEF-GH",
        "Wi-Fi",
        "ISO-27001",
        "covid-19-test",
        "X-MEN-2",
    ],
)
def test_plate_negatives(text: str) -> None:
    assert reported(text, "nl", ("nl_license_plate",)) == []


@pytest.mark.parametrize(
    ("text", "language", "plate"),
    [
        ("The car with plate LK08MYW was blocking the drive.", "en", "LK08MYW"),
        ("My car reg is AB12 CDE", "en", "AB12 CDE"),
        ("Registration number: WN67 DSO.", "en", "WN67 DSO"),
        ("Ein Auto mit dem Kennzeichen M-SA 9566 stand in der Einfahrt.", "de", "M-SA 9566"),
        ("ma plaque d'immatriculation est AB-123-CD.", "fr", "AB-123-CD"),
        ("Une voiture immatriculée ZJ-814-QT bloquait l'entrée", "fr", "ZJ-814-QT"),
        ("Er stond een auto met kenteken NLO-356 voor de deur.", "nl", "NLO-356"),
    ],
)
def test_any_countrys_plate_after_a_word_for_one(text: str, language: str, plate: str) -> None:
    assert reported(text, language, ("license_plate",)) == [plate]


@pytest.mark.parametrize(
    "text",
    [
        "my plate is cracked, see photo IMG4471",  # a word, not a plate, after "plate"
        "registration 2024 is done",  # digits only
        "la plaque de cuisson 4 FEUX",
        "plate number ABCDEFGH1234",  # longer than any plate
    ],
)
def test_words_and_numbers_after_a_plate_word_are_no_plates(text: str) -> None:
    assert reported(text, "en", ("license_plate",)) == []
