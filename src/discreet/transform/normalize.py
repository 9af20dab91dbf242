"""Normalise values so that one real-world value gets one token per conversation.

"Jan de Vries" and "jan  de vries", "NL91 ABNA 0417 1643 00" and "nl91abna0417164300",
"06-12345678" and "+31 6 1234 5678" are the same value written differently; they must map
to the same token, or the model sees two people where there is one.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

from discreet.detect.entities import EntityType
from discreet.transform.names import name_key

_WHITESPACE = re.compile(r"\s+")
_ID_SEPARATORS = re.compile(r"[\s.\-/]+")
_NON_DIGITS = re.compile(r"\D+")

# Identifiers whose separators carry no meaning: "123.456.789" and "123456789" are one BSN.
_SEPARATOR_FREE_TYPES = frozenset(
    {
        EntityType.IBAN,
        EntityType.BANK_ACCOUNT,
        EntityType.NATIONAL_ID,
        EntityType.PASSPORT,
        EntityType.DRIVER_LICENSE,
        EntityType.VAT_ID,
        EntityType.LICENSE_PLATE,
        EntityType.POSTAL_CODE,
    }
)
# Values where case can matter (URL paths, order numbers, secrets): merging two of them
# would rehydrate the second as the first.
_CASE_SENSITIVE_TYPES = frozenset(
    {EntityType.URL, EntityType.CUSTOMER_ID, EntityType.ORDER_ID, EntityType.SECRET}
)


def _collapse(value: str) -> str:
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", value)).strip()


def normalize_phone(value: str, region: str | None = None) -> str:
    """E.164 when the number parses (national formats need `region`), else its digits.

    The region is a deployment setting, not the message language: it must be the same
    every time a conversation's map is reloaded, or one number would get two tokens.
    """
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    digits = _NON_DIGITS.sub("", value)
    stripped = value.lstrip()
    if stripped.startswith("+"):
        return "+" + digits
    if stripped.startswith("00") and len(digits) > 2:
        return "+" + digits[2:]
    return digits


def normalize_value(entity_type: EntityType, value: str, phone_region: str | None = None) -> str:
    """The canonical form of `value` as an `entity_type`, used as the token-map key."""
    text = _collapse(value)
    if entity_type is EntityType.PHONE_NUMBER:
        return normalize_phone(text, phone_region)
    if entity_type is EntityType.EMAIL_ADDRESS:
        return text.replace(" ", "").lower()
    if entity_type is EntityType.CREDIT_CARD:
        return _NON_DIGITS.sub("", text)
    if entity_type in _SEPARATOR_FREE_TYPES:
        return _ID_SEPARATORS.sub("", text).upper()
    if entity_type is EntityType.MAC_ADDRESS:
        return text.lower().replace("-", ":")
    if entity_type is EntityType.IP_ADDRESS:
        return text.lower()
    if entity_type in _CASE_SENSITIVE_TYPES:
        return text  # case may distinguish two values; only whitespace is normalised
    if entity_type is EntityType.PERSON:
        return name_key(text)  # "Lefevre" is "Lefèvre", "Mueller" is "Müller"
    return text.casefold()
