"""Phone numbers: international and national formats for NL, BE, DE, FR, UK and US."""

from __future__ import annotations

import phonenumbers
import pytest

from discreet.detect import Detector, DetectorConfig, EntityType, NerConfig
from discreet.detect.base import DetectionInput, Finding, Recognizer
from discreet.detect.registry import RecognizerRegistry

THRESHOLD = DetectorConfig().threshold
FMT = phonenumbers.PhoneNumberFormat


@pytest.fixture(scope="module")
def phone() -> Recognizer:
    return RecognizerRegistry.default().get("phone")


def found(recognizer: Recognizer, text: str, language: str = "en") -> list[tuple[str, float]]:
    findings: list[Finding] = list(recognizer.analyze(DetectionInput(text, language)))
    assert all(f.type is EntityType.PHONE_NUMBER for f in findings)
    return [(f.value(text), f.score) for f in findings]


def example(region: str, kind: int, fmt: int) -> str:
    number = phonenumbers.example_number_for_type(region, kind)
    assert number is not None, (region, kind)
    return str(phonenumbers.format_number(number, fmt))


REGION_LANGUAGE = {"NL": "nl", "BE": "nl", "DE": "de", "FR": "fr", "GB": "en", "US": "en"}
KINDS = [phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]


@pytest.mark.parametrize("region", sorted(REGION_LANGUAGE))
@pytest.mark.parametrize("kind", KINDS)
def test_international_format_scores_high_in_any_language(
    region: str, kind: int, phone: Recognizer
) -> None:
    number = example(region, kind, FMT.INTERNATIONAL)
    for language in ("en", "nl", "de", "fr"):
        text = f"Contact: {number}."
        [(value, score)] = found(phone, text, language)
        assert value == number
        assert score >= 0.85


@pytest.mark.parametrize("region", sorted(REGION_LANGUAGE))
@pytest.mark.parametrize("kind", KINDS)
def test_national_format_found_in_its_language(region: str, kind: int, phone: Recognizer) -> None:
    number = example(region, kind, FMT.NATIONAL)
    text = f"You can reach me at {number} after five"
    [(value, score)] = found(phone, text, REGION_LANGUAGE[region])
    assert value == number
    assert score >= THRESHOLD


def test_e164_and_double_zero_prefix(phone: Recognizer) -> None:
    text = "bel +31612345678 of 0031 6 12345678"
    assert [v for v, _ in found(phone, text, "nl")] == ["+31612345678", "0031 6 12345678"]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("bel me op 06-12345678 graag", "nl", "06-12345678"),
        ("mobiel: 0612345678", "nl", "0612345678"),
        ("Handy 0151 23456789 bitte", "de", "0151 23456789"),
        ("appelez le 06 12 34 56 78 svp", "fr", "06 12 34 56 78"),
        ("call 020 7946 0958 today", "en", "020 7946 0958"),
        ("call (212) 555-0123 today", "en", "(212) 555-0123"),
        ("call 212-555-0123 today", "en", "212-555-0123"),
        ("tel. +31 (0)20 123 4567", "nl", "+31 (0)20 123 4567"),
        ("Tel.: +49(0) 30 1234567", "de", "+49(0) 30 1234567"),  # no space before "(0)"
        ("mobil +49(0)171 2345678", "de", "+49(0)171 2345678"),
        ("GSM 0470 12 34 56", "nl", "0470 12 34 56"),
    ],
)
def test_spans_are_exact(text: str, language: str, expected: str, phone: Recognizer) -> None:
    [(value, score)] = found(phone, text, language)
    assert value == expected
    assert score >= THRESHOLD


def test_two_numbers_separated_by_a_space_are_two_findings(phone: Recognizer) -> None:
    text = "nummers 0612345678 0687654321"
    assert [v for v, _ in found(phone, text, "nl")] == ["0612345678", "0687654321"]


def test_a_count_before_a_number_is_not_part_of_it(phone: Recognizer) -> None:
    text = "ik heb 2 0612345678"
    assert [v for v, _ in found(phone, text, "nl")] == ["0612345678"]


@pytest.mark.parametrize(
    "text",
    [
        "iPhone 15 Pro and Galaxy S24",
        "version v2.3.1 released",
        "the price is € 1.234,56 or $1,234,567.89",
        "meet at 14:30 or 09:15:00",
        "born on 12-03-1985 or 12.03.1985 or 1985-03-12 or 01 03 1985",
        "in 2024 and 1999",
        "order 1234567890 arrived",  # ten digits, but no valid US area code
        "reference 12345678901234567890",
        "invoice #06123456789",
        "see https://example.com/0612345678",
    ],
)
def test_hard_negatives(text: str, phone: Recognizer) -> None:
    assert found(phone, text) == []


def test_invalid_number_with_plus_is_not_reported(phone: Recognizer) -> None:
    # +31 followed by too few digits for any Dutch number.
    assert found(phone, "bel +31 6 1234", "nl") == []


def test_bare_us_digits_need_context(phone: Recognizer) -> None:
    [(_, bare)] = found(phone, "ref 2015550123 ok")
    assert bare < THRESHOLD
    [(value, with_context)] = found(phone, "phone 2015550123 ok")
    assert value == "2015550123"
    assert with_context >= THRESHOLD


def test_german_landline_outside_german_text_needs_context(phone: Recognizer) -> None:
    # Almost any 0 + digits is a valid German landline; in English it is too weak alone.
    [(_, weak)] = found(phone, "code 030 123456 ok", "en")
    assert weak < THRESHOLD
    [(_, strong)] = found(phone, "my phone is 030 123456", "en")
    assert strong >= THRESHOLD
    [(_, german)] = found(phone, "Nummer 030 123456", "de")
    assert german >= THRESHOLD


def test_a_crown_dependency_mobile_counts_as_british(phone: Recognizer) -> None:
    # 07911 12xxxx is a Guernsey mobile: +44 like every British number, written the same
    # way, so it scores as a number of the text's own country, without a context word.
    [(value, score)] = found(phone, "Yours sincerely, Andrew Bell 07911 123456", "en")
    assert value == "07911 123456"
    assert score >= THRESHOLD


def test_context_words_raise_the_score(phone: Recognizer) -> None:
    [(_, plain)] = found(phone, "gegevens: 06 12345678", "nl")
    [(_, context)] = found(phone, "telefoonnummer: 06 12345678", "nl")
    assert context > plain


def test_detector_reports_phone_but_not_iban_digits() -> None:
    detector = Detector(DetectorConfig(ner=NerConfig(backend="none")))
    text = "IBAN NL91 ABNA 0417 1643 00, tel 06-12345678"
    got = [(f.type, f.value(text)) for f in detector.detect(text, "nl")]
    assert (EntityType.IBAN, "NL91 ABNA 0417 1643 00") in got
    assert (EntityType.PHONE_NUMBER, "06-12345678") in got
    assert [v for t, v in got if t is EntityType.PHONE_NUMBER] == ["06-12345678"]


def test_unseparated_double_zero_number_needs_context_and_is_not_a_barcode(
    phone: Recognizer,
) -> None:
    [(value, plain)] = found(phone, "ref 0031612345679", "nl")
    assert value == "0031612345679" and plain < THRESHOLD
    [(_, cued)] = found(phone, "tel 0031612345679", "nl")
    assert cued >= THRESHOLD
    # Same shape, but a valid EAN-13 check digit: a product barcode.
    assert found(phone, "tel 0016585934463", "en") == []
