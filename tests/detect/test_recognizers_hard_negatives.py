"""Everyday customer-service text that is NOT personal data must pass the whole pattern
detector untouched: product names, versions, prices, times, years, quantities."""

from __future__ import annotations

import pytest

from discreet.detect import Detector, DetectorConfig, EntityType, NerConfig
from discreet.detect.base import DetectionInput
from discreet.detect.registry import RecognizerRegistry

# Types the structured recognizers produce (names and addresses belong to NER/other modules).
STRUCTURED = frozenset(EntityType) - {
    EntityType.PERSON,
    EntityType.LOCATION,
    EntityType.ORGANIZATION,
    EntityType.STREET_ADDRESS,
}
# The modules of discreet.detect.recognizers that hold the pattern recognizers.
STRUCTURED_MODULES = frozenset(
    {
        "age",
        "bank_account",
        "credit_card",
        "dates",
        "documents",
        "email",
        "iban",
        "identifiers",
        "license_plate",
        "national_id",
        "network",
        "phone",
        "postal_code",
        "secrets",
        "vat",
    }
)


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector(DetectorConfig(ner=NerConfig(backend="none"), entities=sorted(STRUCTURED)))


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("My iPhone 15 Pro and Galaxy S24 both crash on v2.3.1 since the 14:30 update.", "en"),
        ("The TV cost € 1.234,56 incl. 21% BTW, delivered in 2024 in 3 boxes.", "nl"),
        ("Das Gerät kostet 1.299,00 € und wiegt 2,5 kg; Version 10.4.2 von 2023.", "de"),
        ("Le colis de 12 articles coûte 49,99 € et arrive à 9h30, version 3.2.", "fr"),
        ("I have been a customer for 10 years and ordered 3 times in 2023.", "en"),
        ("We sold 15000 units in Q3, a 12.5% increase; ticket priority 2.", "en"),
        ("Ik ben al 10 jaar klant en heb 2 pakketten van 5 kg besteld.", "nl"),
        ("Bitte um Rückruf zwischen 9 und 17 Uhr, Raum 1.204.", "de"),
        ("Windows 11, Office 365, USB-C, Wi-Fi 6E, COVID-19, ISO 9001.", "en"),
        ("My password is not working and my username was not found.", "en"),
        # product barcodes (EAN-13, UPC, ISBN) near words that also cue phones and cards
        ("Phone case EAN 0016585934463, card holder EAN 4006381333931.", "en"),
        ("Telefoonhoesje, barcode 0540548709404 en ISBN 978-0-306-40615-7.", "nl"),
        # an amount and a year next to a phone cue
        ("Call about invoice: 3243.97 2011 was the total.", "en"),
        # "2 YO-668-OM" is a number and a plate, not "2 y/o"
        ("ISBN 978-0-633-81955-2 YO-668-OM", "fr"),
        # no single-letter UK postcode area A or T
        ("codes A39 0FN and T50 2SX", "en"),
    ],
)
def test_everyday_text_has_no_structured_findings(
    detector: Detector, text: str, language: str
) -> None:
    found = [(f.type.value, f.recognizer) for f in detector.detect(text, language)]
    assert found == []


def test_mixed_message_finds_exactly_the_personal_data(detector: Detector) -> None:
    text = (
        "Hoi, mijn iPhone 15 Pro (€ 1.234,56) is stuk. Bestelnummer 2024-88121, "
        "bel me op 06-12345678 of mail jan@example.nl. Mijn IBAN is NL91 ABNA 0417 1643 00 "
        "en ik ben geboren op 12-03-1985."
    )
    got = [(f.type, f.value(text)) for f in detector.detect(text, "nl")]
    assert got == [
        (EntityType.ORDER_ID, "2024-88121"),
        (EntityType.PHONE_NUMBER, "06-12345678"),
        (EntityType.EMAIL_ADDRESS, "jan@example.nl"),
        (EntityType.IBAN, "NL91 ABNA 0417 1643 00"),
        (EntityType.DATE_OF_BIRTH, "12-03-1985"),
    ]


ODD_INPUTS = [
    "",
    " ",
    "1" * 3000,
    "1-" * 1500,
    "a:" * 1500,
    ":" * 3000,
    "AB-" * 1000,
    "password: " * 300,
    "order number " * 200,
    "(1) " * 800,
    "https://" + "a" * 3000,
    "-----BEGIN PRIVATE KEY-----" + "a\n" * 1000,
    "BSN ١١١٢٢٢٣٣٣, tel +٣١ ٦ ١٢٣٤٥٦٧٨, geboren ١٢-٠٣-١٩٨٥",  # Arabic-Indic digits
    "SSN 𝟓𝟑𝟔-𝟗𝟎-𝟒𝟑𝟗𝟗 card 𝟒𝟏𝟏𝟏 𝟏𝟏𝟏𝟏 𝟏𝟏𝟏𝟏 𝟏𝟏𝟏𝟏",  # mathematical digits
    "İstanbul İİİ 12-03-1985 geboren",  # lower-cases to a longer string
    "\x00\x01\ufeff\u200b 06-12345678 \ud7ff",
]


@pytest.mark.parametrize("text", ODD_INPUTS, ids=range(len(ODD_INPUTS)))
def test_structured_recognizers_never_raise_and_spans_stay_in_the_text(text: str) -> None:
    checked = 0
    for recognizer in RecognizerRegistry.default():
        if type(recognizer).__module__.rpartition(".")[2] not in STRUCTURED_MODULES:
            continue
        for language in ("en", "nl"):
            for finding in recognizer.analyze(DetectionInput(text, language)):
                assert 0 <= finding.start < finding.end <= len(text), recognizer.name
                assert 0.0 <= finding.score <= 1.0, recognizer.name
        checked += 1
    assert checked >= 25  # every pattern recognizer ran


def test_offsets_survive_text_whose_lower_case_is_longer(detector: Detector) -> None:
    text = "İİİ geboren op 12-03-1985"
    [finding] = detector.detect(text, "nl")
    assert (finding.type, finding.value(text)) == (EntityType.DATE_OF_BIRTH, "12-03-1985")
