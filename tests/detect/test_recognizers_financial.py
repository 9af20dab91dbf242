"""IBAN (mod-97), payment cards (brand prefix + Luhn), VAT ids (check digits), bank accounts."""

from __future__ import annotations

import pytest
from stdnum import iban, luhn

from discreet.detect import Detector, DetectorConfig, EntityType, NerConfig
from discreet.detect.base import DetectionInput
from discreet.detect.registry import RecognizerRegistry
from discreet.detect.validators import card_brand, is_card_number

THRESHOLD = DetectorConfig().threshold
REGISTRY = RecognizerRegistry.default()


def found(name: str, text: str, language: str = "en") -> list[tuple[str, float]]:
    recognizer = REGISTRY.get(name)
    return [(f.value(text), f.score) for f in recognizer.analyze(DetectionInput(text, language))]


def values(name: str, text: str, language: str = "en") -> list[str]:
    return [v for v, _ in found(name, text, language)]


def with_check_digits(country: str, bban: str) -> str:
    """A valid IBAN for a BBAN, computed rather than copied."""
    check = iban.calc_check_digits(f"{country}00{bban}")
    return f"{country}{check}{bban}"


def belgian_bban(account: str) -> str:
    """Belgian account numbers end in the first ten digits mod 97 (97 for 0)."""
    return f"{account}{(int(account) % 97) or 97:02d}"


# ---------------------------------------------------------------- IBAN

IBANS = [
    with_check_digits("NL", "ABNA0417164300"),
    with_check_digits("BE", belgian_bban("3200701849")),  # bank 320 (BBRUBEBB)
    with_check_digits("DE", "370400440532013000"),
    with_check_digits("FR", "20041010050500013M02606"),
    with_check_digits("GB", "NWBK60161331926819"),
]


@pytest.mark.parametrize("number", IBANS)
def test_iban_electronic_and_printed_forms(number: str) -> None:
    assert iban.is_valid(number)
    printed = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    for form in (number, printed, number.lower()):
        text = f"Mijn rekening: {form}. Dank!"
        [(value, score)] = found("iban", text, "nl")
        assert value == form
        assert score >= 0.9


def test_iban_with_wrong_check_digits_is_not_reported() -> None:
    good = IBANS[0]
    bad = good[:2] + f"{(int(good[2:4]) + 1) % 100:02d}" + good[4:]
    assert not iban.is_valid(bad)
    assert values("iban", f"IBAN {bad}") == []


def test_printed_iban_followed_by_a_word_stops_at_the_number() -> None:
    number = " ".join(IBANS[1][i : i + 4] for i in range(0, len(IBANS[1]), 4))
    text = f"maak over naar {number} TEST aub"
    assert values("iban", text, "nl") == [number]


# ---------------------------------------------------------------- cards


def luhn_complete(prefix: str, length: int) -> str:
    body = prefix + "1" * (length - len(prefix) - 1)
    return body + luhn.calc_check_digit(body)


CARDS = {
    "visa": luhn_complete("4", 16),
    "mastercard": luhn_complete("52", 16),
    "mastercard-2series": luhn_complete("2221", 16),
    "amex": luhn_complete("37", 15),
    "discover": luhn_complete("6011", 16),
    "jcb": luhn_complete("3530", 16),
}


@pytest.mark.parametrize("brand", sorted(CARDS))
def test_card_numbers_in_groups_or_plain(brand: str) -> None:
    number = CARDS[brand]
    assert is_card_number(number)
    grouped = (
        f"{number[:4]} {number[4:10]} {number[10:]}"
        if len(number) == 15
        else " ".join(number[i : i + 4] for i in range(0, 16, 4))
    )
    for form in (number, grouped, grouped.replace(" ", "-")):
        text = f"card number {form}, exp 12/27"
        [(value, score)] = found("credit_card", text)
        assert value == form
        assert score >= 0.85


def test_card_failing_luhn_is_not_reported() -> None:
    number = CARDS["visa"]
    bad = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert values("credit_card", f"kaart {bad}", "nl") == []


def test_luhn_valid_number_without_a_known_prefix_is_not_a_card() -> None:
    number = luhn_complete("9", 16)  # no scheme issues 9xxx
    assert card_brand(number) is None
    assert values("credit_card", f"Karte {number}", "de") == []


def test_card_followed_by_a_year_keeps_the_card_span() -> None:
    grouped = " ".join(CARDS["visa"][i : i + 4] for i in range(0, 16, 4))
    text = f"carte {grouped} 2027"
    assert values("credit_card", text, "fr") == [grouped]


def test_card_hard_negatives() -> None:
    text = "Price € 1.234,56; version 4.1.1.1; phone +4111111111111111; 0000 0000 0000 0000"
    assert values("credit_card", text) == []


# ---------------------------------------------------------------- VAT


@pytest.mark.parametrize(
    "vat",
    [
        "NL004495445B01",
        "DE136695976",
        "BE0403170701",
        "BE 0403.170.701",
        "FR40303265045",
        "ATU13585627",
        "GB 980 7806 84",
    ],
)
def test_vat_with_country_prefix(vat: str) -> None:
    text = f"Our VAT id is {vat}, thanks"
    [(value, score)] = found("vat", text)
    assert value == vat
    assert score >= 0.85


def test_vat_failing_check_digits_is_not_reported() -> None:
    assert values("vat", "BTW NL004495446B01 en DE136695977", "nl") == []


def test_vat_followed_by_a_word_stops_at_the_number() -> None:
    assert values("vat", "BTW BE 0403.170.701 BV", "nl") == ["BE 0403.170.701"]


def test_vat_without_prefix_is_not_reported() -> None:
    assert values("vat", "btw-nummer 004495445B01", "nl") == []


# ---------------------------------------------------------------- bank accounts


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("mijn rekeningnummer is 12.34.56.789", "nl", "12.34.56.789"),
        ("Kontonummer: 1234567890", "de", "1234567890"),
        ("account number 12345678 please", "en", "12345678"),
        ("numéro de compte 00012345678", "fr", "00012345678"),
    ],
)
def test_bank_account_with_context(text: str, language: str, expected: str) -> None:
    [(value, score)] = found("bank_account", text, language)
    assert value == expected
    assert score >= THRESHOLD


def test_bank_account_requires_context() -> None:
    assert values("bank_account", "ticket 12345678 en 12.34.56.789", "nl") == []


def test_iban_wins_over_bank_account_in_the_detector() -> None:
    detector = Detector(DetectorConfig(ner=NerConfig(backend="none")))
    number = " ".join(IBANS[0][i : i + 4] for i in range(0, len(IBANS[0]), 4))
    text = f"rekeningnummer {number}"
    got = [(f.type, f.value(text)) for f in detector.detect(text, "nl")]
    assert got == [(EntityType.IBAN, number)]
