"""Realistic fake values (surrogates) for training data and demos.

A surrogate reads naturally in the text's language (Faker locale per language), is the
same for the same value throughout a conversation and different in other conversations
(the Faker seed is an HMAC of key, conversation and normalised value), and is *valid*
where validity matters: a fake IBAN passes mod-97, a fake card passes Luhn, a fake BSN
passes the 11-proof. Downstream validators then treat it like real data, and a model
trained on it learns the real formats.

Surrogates are not reversible and are not stored anywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import re
import threading
from datetime import date

import phonenumbers
from faker import Faker
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.nl import bsn

from discreet.detect.entities import EntityType

LOCALE_BY_LANGUAGE: dict[str, str] = {"en": "en_GB", "nl": "nl_NL", "de": "de_DE", "fr": "fr_FR"}
# IBAN country -> a Faker locale whose `iban()` produces that country's IBANs.
_IBAN_LOCALES: dict[str, str] = {
    "NL": "nl_NL",
    "DE": "de_DE",
    "FR": "fr_FR",
    "GB": "en_GB",
    "BE": "nl_BE",
    "AT": "de_AT",
    "CH": "de_CH",
    "ES": "es_ES",
    "IT": "it_IT",
    "IE": "en_IE",
}
_DATE_FORMATS: dict[str, str] = {
    "en": "%d/%m/%Y",
    "nl": "%d-%m-%Y",
    "de": "%d.%m.%Y",
    "fr": "%d/%m/%Y",
}
_ISO_DATE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")
_FIRST_NUMBER = re.compile(r"\d+")


class _Fakers(threading.local):
    """One Faker per locale per thread: building one costs ~20 ms, and `seed_instance`
    mutates it, so instances cannot be shared between threads."""

    def __init__(self) -> None:
        self.by_locale: dict[str, Faker] = {}

    def get(self, locale: str) -> Faker:
        fake = self.by_locale.get(locale)
        if fake is None:
            fake = self.by_locale[locale] = Faker(locale)
        return fake


_fakers = _Fakers()


class SurrogateGenerator:
    """Makes surrogates; deterministic for a given key, conversation, type and value."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("surrogate key must be at least 16 bytes")
        self._key = key

    def __repr__(self) -> str:
        return "SurrogateGenerator(<key>)"

    def surrogate(
        self,
        entity_type: EntityType,
        normalized: str,
        original: str,
        language: str,
        conversation_id: str,
        subtype: str | None = None,
    ) -> str:
        """A fake for `original` (whose canonical form is `normalized`)."""
        digest = hmac.new(
            self._key,
            b"\x00".join(
                (
                    b"surrogate",
                    conversation_id.encode(),
                    entity_type.value.encode(),
                    normalized.encode(),
                )
            ),
            hashlib.sha256,
        ).digest()
        seed = int.from_bytes(digest[:8], "big")
        rng = random.Random(seed)
        locale = LOCALE_BY_LANGUAGE.get(language, LOCALE_BY_LANGUAGE["en"])
        fake = _fakers.get(locale)
        fake.seed_instance(seed)
        return _make(entity_type, subtype, original, language, fake, rng, seed)


def _make(
    entity_type: EntityType,
    subtype: str | None,
    original: str,
    language: str,
    fake: Faker,
    rng: random.Random,
    seed: int,
) -> str:
    match entity_type:
        case EntityType.PERSON:
            return str(fake.name())
        case EntityType.EMAIL_ADDRESS:
            return str(fake.email(safe=True))  # example.* domains: nobody receives mail there
        case EntityType.PHONE_NUMBER:
            return fake_phone(original, language, rng) or str(fake.phone_number())
        case EntityType.STREET_ADDRESS:
            return str(fake.street_address())
        case EntityType.LOCATION:
            return str(fake.city())
        case EntityType.POSTAL_CODE:
            return str(fake.postcode())
        case EntityType.ORGANIZATION:
            return str(fake.company())
        case EntityType.USERNAME:
            return str(fake.user_name())
        case EntityType.URL:
            return str(fake.url())
        case EntityType.MAC_ADDRESS:
            return str(fake.mac_address())
        case EntityType.IP_ADDRESS:
            return str(fake.ipv6() if ":" in original else fake.ipv4_private())
        case EntityType.DATE_OF_BIRTH | EntityType.DATE:
            return _fake_date(fake, original, language, entity_type)
        case EntityType.AGE:
            return _FIRST_NUMBER.sub(lambda _m: str(rng.randint(18, 90)), original, count=1)
        case EntityType.IBAN:
            return fake_iban(original, language, seed)
        case EntityType.CREDIT_CARD:
            return fake_card(original, rng)
        case EntityType.NATIONAL_ID if subtype == "NL_BSN" or bsn.is_valid(original):
            return _reformat(fake_bsn(rng), original)
        case _:
            return shape_preserving(original, rng)


def _fake_date(fake: Faker, original: str, language: str, entity_type: EntityType) -> str:
    if entity_type is EntityType.DATE_OF_BIRTH:
        value: date = fake.date_of_birth(minimum_age=18, maximum_age=90)
    else:
        value = fake.date_between(start_date="-3y", end_date="+1y")
    if _ISO_DATE.match(original):
        return value.isoformat()
    return value.strftime(_DATE_FORMATS.get(language, "%d/%m/%Y"))


def fake_iban(original: str, language: str, seed: int) -> str:
    """A mod-97-valid IBAN, from the original's country where Faker knows it, printed in
    groups of four when the original was."""
    country = original.strip()[:2].upper()
    locale = _IBAN_LOCALES.get(country, LOCALE_BY_LANGUAGE.get(language, "nl_NL"))
    if locale == "en_GB" and country != "GB":
        locale = "nl_NL"  # en_GB has no non-GB IBANs; NL is a valid SEPA IBAN everywhere
    fake = _fakers.get(locale)
    for attempt in range(8):
        fake.seed_instance(seed + attempt)
        candidate = str(fake.iban())
        if stdnum_iban.is_valid(candidate):
            break
    else:  # pragma: no cover - Faker's IBANs are valid; keep the guarantee regardless
        raise RuntimeError("could not generate a valid IBAN surrogate")
    if " " in original.strip():
        return stdnum_iban.format(candidate)
    return candidate


_PHONE_REGIONS: dict[str, str] = {"en": "GB", "nl": "NL", "de": "DE", "fr": "FR"}
_MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


def fake_phone(original: str, language: str, rng: random.Random) -> str | None:
    """A valid number of the original's country and kind (mobile or fixed line), written
    the way the original was (national or international, grouped or not).

    None when phonenumbers has no example for the region (the caller uses Faker instead).
    """
    region = _PHONE_REGIONS.get(language, "GB")
    kind = phonenumbers.PhoneNumberType.MOBILE
    try:
        parsed = phonenumbers.parse(original, region)
        region = phonenumbers.region_code_for_number(parsed) or region
        if phonenumbers.number_type(parsed) not in _MOBILE_TYPES:
            kind = phonenumbers.PhoneNumberType.FIXED_LINE
    except phonenumbers.NumberParseException:
        pass
    example = phonenumbers.example_number_for_type(region, kind)
    if example is None:
        return None
    template = str(example.national_number)
    keep = 2  # the leading digits carry the number's kind (mobile prefix, area code)
    for _ in range(50):
        digits = template[:keep] + "".join(
            str(rng.randint(0, 9)) for _ in range(len(template) - keep)
        )
        candidate = phonenumbers.PhoneNumber(
            country_code=example.country_code, national_number=int(digits)
        )
        if phonenumbers.is_valid_number(candidate):
            break
    else:  # pragma: no cover - a valid number is found within a few tries
        return None
    stripped = original.strip()
    international = stripped.startswith(("+", "00"))
    style = (
        phonenumbers.PhoneNumberFormat.INTERNATIONAL
        if international
        else phonenumbers.PhoneNumberFormat.NATIONAL
    )
    text = phonenumbers.format_number(candidate, style)
    if not any(c in stripped for c in " -()"):
        return text.replace(" ", "").replace("-", "")  # "+31612345678", "0612345678"
    if "-" in stripped and " " not in stripped:
        return text.replace(" ", "-")
    return text


def fake_card(original: str, rng: random.Random) -> str:
    """A Luhn-valid number with the original's length, network digit and separators."""
    digits = [c for c in original if c.isdigit()]
    length = max(len(digits), 13)
    first = digits[0] if digits else "4"
    body = first + "".join(str(rng.randint(0, 9)) for _ in range(length - 2))
    number = body + luhn.calc_check_digit(body)
    return _reformat(number, original)


def fake_bsn(rng: random.Random) -> str:
    """A 9-digit number passing the BSN 11-proof."""
    while True:
        head = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(7))
        total = sum(int(d) * w for d, w in zip(head, range(9, 1, -1), strict=True))
        check = total % 11
        if check < 10:  # the last digit weighs -1: sum ≡ check (mod 11)
            candidate = head + str(check)
            if bsn.is_valid(candidate):
                return candidate


def shape_preserving(original: str, rng: random.Random) -> str:
    """Random digits for digits and letters for letters (same case); the rest is kept,
    so "AB-123-C" stays a plausible "QX-804-K"."""
    out = []
    for index, char in enumerate(original):
        if char.isdigit():
            low = 1 if index == 0 and char != "0" else 0
            out.append(str(rng.randint(low, 9)))
        elif char.isalpha() and char.isascii():
            letter = chr(rng.randint(ord("a"), ord("z")))
            out.append(letter.upper() if char.isupper() else letter)
        elif char.isalpha():
            out.append(chr(rng.randint(ord("a"), ord("z"))))
        else:
            out.append(char)
    return "".join(out)


def _reformat(digits: str, original: str) -> str:
    """Put `digits` into the original's layout ("1234 5678 ..." or "123.456.789")."""
    if sum(c.isdigit() for c in original) != len(digits):
        return digits
    it = iter(digits)
    return "".join(next(it) if c.isdigit() else c for c in original)
