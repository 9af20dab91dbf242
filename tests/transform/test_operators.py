"""Each operator on its own: output shape, validity of surrogates, keyed hashing."""

from __future__ import annotations

import re

import phonenumbers
import pytest
from stdnum import iban, luhn
from stdnum.nl import bsn

from discreet.detect import EntityType
from discreet.transform.generalize import (
    generalize,
    generalize_age,
    generalize_postal_code,
    generalize_year,
)
from discreet.transform.operators import keyed_hash, mask, placeholder
from discreet.transform.surrogates import SurrogateGenerator

KEY = b"k" * 32
CONVERSATIONS = [f"conv-{i}" for i in range(40)]


def surrogate(entity_type: EntityType, value: str, conv: str = "c1", lang: str = "nl") -> str:
    return SurrogateGenerator(KEY).surrogate(entity_type, value, value, lang, conv)


def test_placeholder_uses_the_readable_label() -> None:
    assert placeholder(EntityType.PERSON) == "[Customer Name]"
    assert placeholder(EntityType.EMAIL_ADDRESS, "{label}") == "Email Address"
    assert placeholder(EntityType.EMAIL_ADDRESS, "[{type}]") == "[EMAIL_ADDRESS]"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("4111 1111 1111 1111", "**** **** **** 1111"),
        ("NL91 ABNA 0417 1643 00", "**** **** **** **43 00"),
        ("NL91ABNA0417164300", "**************4300"),
        ("1234", "**34"),  # never more than half shown
        ("7", "*"),
    ],
)
def test_mask_keeps_last_four_and_layout(value: str, expected: str) -> None:
    assert mask(value) == expected


def test_mask_options() -> None:
    assert mask("4111111111111111", keep=0) == "*" * 16
    assert mask("4111-1111-1111-1111", keep=2, char="X") == "XXXX-XXXX-XXXX-XX11"


def test_keyed_hash_depends_on_key_and_is_truncated() -> None:
    a = keyed_hash(EntityType.EMAIL_ADDRESS, "jan@example.nl", KEY, 16)
    assert re.fullmatch(r"[0-9a-f]{16}", a)
    assert a == keyed_hash(EntityType.EMAIL_ADDRESS, "jan@example.nl", KEY, 16)
    assert a != keyed_hash(EntityType.EMAIL_ADDRESS, "jan@example.nl", b"x" * 32, 16)
    assert a != keyed_hash(EntityType.USERNAME, "jan@example.nl", KEY, 16)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1234 AB", "1234"),
        ("1234ab", "1234"),
        ("SW1A 1AA", "SW1A"),
        ("M1 1AE", "M1"),
        ("10115", "10xxx"),
        ("75008", "75xxx"),
        ("D-10115", "10xxx"),
        ("1000", "10xx"),
        ("not a code", None),
    ],
)
def test_generalize_postal_code(value: str, expected: str | None) -> None:
    assert generalize_postal_code(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12-03-1985", "1985"),
        ("1985-03-12", "1985"),
        ("12 maart 1985", "1985"),
        ("March 12, 1985", "1985"),
        ("12.03.85", "1985"),
        ("01/02/03", "2003"),
        ("yesterday", None),
    ],
)
def test_generalize_date_to_year(value: str, expected: str | None) -> None:
    assert generalize_year(value) == expected


@pytest.mark.parametrize(
    ("value", "band", "expected"),
    [("42", 10, "40-49"), ("42 jaar", 10, "40-49"), ("40", 5, "40-44"), ("7", 10, "0-9")],
)
def test_generalize_age_to_band(value: str, band: int, expected: str) -> None:
    assert generalize_age(value, band) == expected


def test_generalize_has_no_rule_for_names() -> None:
    assert generalize(EntityType.PERSON, "Jan de Vries") is None
    assert generalize(EntityType.AGE, "two hundred") is None


@pytest.mark.parametrize("conv", CONVERSATIONS)
@pytest.mark.parametrize(
    "original", ["NL91 ABNA 0417 1643 00", "NL91ABNA0417164300", "DE89370400440532013000"]
)
def test_iban_surrogate_passes_mod97(conv: str, original: str) -> None:
    fake = surrogate(EntityType.IBAN, original, conv)
    assert iban.is_valid(fake)
    assert fake[:2] == original[:2]  # same country
    assert (" " in fake) == (" " in original)  # same layout
    assert iban.compact(fake) != iban.compact(original)


@pytest.mark.parametrize("conv", CONVERSATIONS)
@pytest.mark.parametrize(
    "original", ["4111 1111 1111 1111", "5500-0000-0000-0004", "340000000000009"]
)
def test_card_surrogate_passes_luhn_and_keeps_layout(conv: str, original: str) -> None:
    fake = surrogate(EntityType.CREDIT_CARD, original, conv)
    digits = re.sub(r"\D", "", fake)
    assert luhn.is_valid(digits)
    assert re.sub(r"\d", "0", fake) == re.sub(r"\d", "0", original)
    assert digits[0] == original[0]  # same card network


@pytest.mark.parametrize("conv", CONVERSATIONS)
def test_bsn_surrogate_passes_eleven_proof(conv: str) -> None:
    fake = SurrogateGenerator(KEY).surrogate(
        EntityType.NATIONAL_ID, "111222333", "111222333", "nl", conv, "NL_BSN"
    )
    assert bsn.is_valid(fake)
    assert fake != "111222333"


def test_bsn_surrogate_keeps_dotted_layout() -> None:
    fake = surrogate(EntityType.NATIONAL_ID, "111.222.333")
    assert re.fullmatch(r"\d{3}\.\d{3}\.\d{3}", fake)
    assert bsn.is_valid(fake)


@pytest.mark.parametrize(
    "entity_type",
    [EntityType.PERSON, EntityType.EMAIL_ADDRESS, EntityType.IBAN, EntityType.LICENSE_PLATE],
)
def test_surrogates_are_consistent_within_and_differ_across_conversations(
    entity_type: EntityType,
) -> None:
    value = {"IBAN": "NL91ABNA0417164300", "LICENSE_PLATE": "AB-123-C"}.get(
        entity_type.value, "Jan de Vries"
    )
    within = {surrogate(entity_type, value, "conv-a") for _ in range(3)}
    assert len(within) == 1
    across = {surrogate(entity_type, value, conv) for conv in CONVERSATIONS[:10]}
    assert len(across) >= 8  # unrelated per conversation (a rare coincidence is allowed)
    assert value not in across | within


def test_surrogate_depends_on_the_key() -> None:
    a = SurrogateGenerator(KEY).surrogate(EntityType.PERSON, "jan", "Jan", "nl", "c")
    b = SurrogateGenerator(b"z" * 32).surrogate(EntityType.PERSON, "jan", "Jan", "nl", "c")
    c = SurrogateGenerator(b"y" * 32).surrogate(EntityType.PERSON, "jan", "Jan", "nl", "c")
    assert len({a, b, c}) >= 2


@pytest.mark.parametrize(
    ("language", "postcode"),
    [
        ("nl", r"[1-9]\d{3} ?[A-Z]{2}"),
        ("de", r"\d{5}"),
        ("fr", r"\d{5}"),
        ("en", r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}"),
    ],
)
def test_surrogates_follow_the_text_language(language: str, postcode: str) -> None:
    for conv in CONVERSATIONS[:10]:
        fake = surrogate(EntityType.POSTAL_CODE, "1234 AB", conv, language)
        assert re.fullmatch(postcode, fake), f"{language}: {fake}"


def test_email_surrogate_uses_a_reserved_domain() -> None:
    for conv in CONVERSATIONS[:10]:
        fake = surrogate(EntityType.EMAIL_ADDRESS, "jan@example.nl", conv)
        assert re.fullmatch(r"[^@\s]+@example\.(org|com|net)", fake)


def test_shape_preserving_surrogate_for_identifiers() -> None:
    fake = surrogate(EntityType.LICENSE_PLATE, "AB-123-C")
    assert re.fullmatch(r"[A-Z]{2}-\d{3}-[A-Z]", fake)


def test_short_surrogate_key_is_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        SurrogateGenerator(b"short")


@pytest.mark.parametrize(
    ("original", "language", "region", "shape"),
    [
        ("06-12345678", "nl", "NL", r"06-\d{8}"),
        ("+31 6 12345678", "en", "NL", r"\+31 6 \d{8}"),
        ("+31612345678", "nl", "NL", r"\+316\d{8}"),
        ("010 123 4567", "nl", "NL", r"0\d\d \d{3} \d{4}"),
        ("+44 7400 123456", "en", "GB", r"\+44 7\d{3} \d{6}"),
        ("06 12 34 56 78", "fr", "FR", r"06( \d\d){4}"),
    ],
)
def test_phone_surrogate_is_a_valid_number_written_alike(
    original: str, language: str, region: str, shape: str
) -> None:
    for conv in CONVERSATIONS[:10]:
        fake = surrogate(EntityType.PHONE_NUMBER, original, conv, language)
        assert re.fullmatch(shape, fake), fake
        parsed = phonenumbers.parse(fake, region)
        assert phonenumbers.is_valid_number(parsed), fake
        assert phonenumbers.region_code_for_number(parsed) == region
