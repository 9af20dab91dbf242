"""Phones with extensions and without a country hint, cards of every brand, ages in running
text, short birth dates and obfuscated e-mail addresses, in the four languages."""

from __future__ import annotations

import pytest
from stdnum import luhn

from discreet.detect import EntityType
from discreet.detect.base import DetectionInput
from discreet.detect.registry import RecognizerRegistry
from discreet.detect.validators import card_brand

THRESHOLD = 0.4
REGISTRY = RecognizerRegistry.default()


def found(name: str, text: str, language: str) -> list[tuple[str, EntityType]]:
    recognizer = REGISTRY.get(name)
    return [
        (f.value(text), f.type)
        for f in recognizer.analyze(DetectionInput(text, language))
        if f.score >= THRESHOLD
    ]


def values(name: str, text: str, language: str) -> list[str]:
    return [value for value, _ in found(name, text, language)]


# --- phones ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "call 463-612-6138x036 after five", "463-612-6138x036"),
        ("en", "phone: +1-903-140-4508x769", "+1-903-140-4508x769"),
        ("en", "reach me at (212) 555-0123 ext. 12", "(212) 555-0123 ext. 12"),
        ("nl", "bel me op 020 123 4567 toestel 12", "020 123 4567 toestel 12"),
        ("nl", "mijn nummer is 78 651 450", "78 651 450"),
        ("de", "Telefon 0211 123456 Durchwahl 12", "0211 123456 Durchwahl 12"),
        ("de", "Sie erreichen mich unter 22 33 44 55", "22 33 44 55"),
        ("fr", "mon numéro : 612 34 56 78", "612 34 56 78"),
        ("fr", "appelez le 01 23 45 67 89 poste 214", "01 23 45 67 89 poste 214"),
    ],
)
def test_phones_with_extensions_and_without_country_hint(
    language: str, text: str, expected: str
) -> None:
    assert values("phone", text, language) == [expected]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "it costs 78 651 450 euros in total"),
        ("en", "+1-903-140 is not a number"),
        ("nl", "bel +31 6 1234"),  # too short for any Dutch number
        ("nl", "bestelling 12 34 56 78 is onderweg"),
        ("de", "Version 10.2.3.4 wurde installiert"),
        ("de", "Wir haben 1200 500 Stück verkauft"),
        ("fr", "le prix est de 1 234 567 euros"),
        ("fr", "référence 2024 11 05 12"),
    ],
)
def test_phone_look_alikes_without_context(language: str, text: str) -> None:
    assert values("phone", text, language) == []


# --- payment cards -------------------------------------------------------------------------


def _luhn_complete(prefix: str, length: int) -> str:
    body = prefix + "0" * (length - len(prefix) - 1)
    return body + luhn.calc_check_digit(body)


@pytest.mark.parametrize(
    ("prefix", "length", "brand"),
    [
        ("4", 16, "visa"),
        ("4", 13, "visa13"),
        ("51", 16, "mastercard"),
        ("2221", 16, "mastercard"),
        ("37", 15, "amex"),
        ("3528", 16, "jcb"),
        ("3589", 19, "jcb"),
        ("2131", 15, "jcb"),
        ("36", 14, "diners"),
        ("300", 14, "diners"),
        ("2014", 15, "diners"),
        ("6011", 16, "discover"),
        ("62", 16, "unionpay"),
        ("2200", 16, "mir"),
        ("5019", 16, "dankort"),
        ("506099", 16, "verve"),
        ("9792", 16, "troy"),
        ("1", 15, "uatp"),
        ("6759", 16, "maestro"),
    ],
)
def test_every_card_brand_is_recognised(prefix: str, length: int, brand: str) -> None:
    number = _luhn_complete(prefix, length)
    assert card_brand(number) == brand
    for language, cue in (("en", "card"), ("nl", "kaart"), ("de", "Karte"), ("fr", "carte")):
        text = f"{cue}: {number}"
        assert values("credit_card", text, language) == [number], (brand, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "barcode 4006381333931 on the box"),  # EAN-13 with a valid Luhn digit
        ("nl", "artikelnummer 1354123456789110"),
        ("de", "Bestellnummer 8200000000000006"),
        ("fr", "code article 6062826786276634"),
    ],
)
def test_rare_brand_shapes_without_a_card_word_are_not_cards(language: str, text: str) -> None:
    assert values("credit_card", text, language) == []


def test_a_thirteen_digit_visa_in_card_groups_is_a_card() -> None:
    text = "my card is 4222 2222 2222 2"
    assert values("credit_card", text, "en") == ["4222 2222 2222 2"]


# --- ages and dates of birth --------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "I am 47 and live alone"),
        ("en", "I am 47 years, so not that old"),
        ("en", "my mother is 47."),
        ("en", "My mother's 47, and she lives alone"),
        ("en", "my son’s 47."),
        ("nl", "ik ben 47, en ik woon alleen"),
        ("nl", "mijn moeder is 47 jaar"),
        ("de", "Ich bin 47."),
        ("de", "meine Mutter ist 47 Jahre alt"),
        ("fr", "j'ai 47 ans"),
        ("fr", "elle a 47 ans"),
        ("en", "My son Arjun is 47 - can he get the senior rate?"),  # a dash ends the clause
    ],
)
def test_ages_in_running_text(language: str, text: str) -> None:
    assert values("age", text, language) == ["47"]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "I am 10 minutes late"),
        ("en", "the warranty is 2 years."),
        ("en", "my son's 2 toys broke"),
        ("nl", "ik ben 10 jaar klant"),
        ("nl", "de garantie is 2 jaar."),
        ("de", "Ich bin 5 Minuten zu spät"),
        ("de", "die Garantie ist 2 Jahre."),
        ("fr", "il y a 10 ans"),
        ("fr", "j'ai 10 ans d'ancienneté"),
        ("en", "my son is 15 - 20 minutes away"),  # a range, not a clause
    ],
)
def test_durations_are_not_ages(language: str, text: str) -> None:
    assert values("age", text, language) == []


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("de", "Max Müller, geb. 12.3.85", "12.3.85"),
        ("nl", "geb. 1-2-85, Utrecht", "1-2-85"),
        ("en", "DOB 3/4/85", "3/4/85"),
        ("fr", "née le 5.6.91", "5.6.91"),
    ],
)
def test_short_birth_dates_next_to_a_birth_word(language: str, text: str, expected: str) -> None:
    assert found("date", text, language) == [(expected, EntityType.DATE_OF_BIRTH)]


@pytest.mark.parametrize("language", ["en", "nl", "de", "fr"])
def test_short_dates_without_a_birth_word_stay_versions(language: str) -> None:
    assert values("date", "firmware 1.2.24 installed", language) == []


# --- obfuscated e-mail ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("fr", "écrivez à jp.lefevre(at)free.fr svp", "jp.lefevre(at)free.fr"),
        ("nl", "mail naar jan [at] example [dot] nl", "jan [at] example [dot] nl"),
        ("en", "reach me: anna at example dot com", "anna at example dot com"),
        ("de", "Mail an k.schmidt (at) web (punkt) de", "k.schmidt (at) web (punkt) de"),
    ],
)
def test_obfuscated_email_addresses(language: str, text: str, expected: str) -> None:
    assert values("email_obfuscated", text, language) == [expected]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "I left at this point lol"),
        ("en", "we are at home dot"),
        ("nl", "ik ben at home, punt uit"),
        ("de", "wir treffen uns at the Punkt"),
        ("fr", "rendez-vous at midi point final"),
    ],
)
def test_obfuscation_look_alikes(language: str, text: str) -> None:
    assert values("email_obfuscated", text, language) == []
