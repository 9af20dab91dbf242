"""Generalisation: keep what analysis needs, drop what identifies.

A date of birth becomes its year, an age its band ("40-49"), a postal code its region
("1234 AB" → "1234", "SW1A 1AA" → "SW1A", "75008" → "75xxx"). When a value cannot be read
the caller gets None and must fall back to a placeholder, never to the value.
"""

from __future__ import annotations

import re

from discreet.detect.entities import EntityType

_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2[01]\d\d)(?!\d)")
_TWO_DIGIT_YEAR = re.compile(r"^\s*\d{1,2}[./\- ]\d{1,2}[./\- ](\d{2})\s*$")
_NUMBER = re.compile(r"(?<!\d)(\d{1,3})(?!\d)")
_NL_POSTCODE = re.compile(r"^\s*([1-9]\d{3})\s?[A-Za-z]{2}\s*$")
_UK_POSTCODE = re.compile(r"^\s*([A-Za-z]{1,2}\d[A-Za-z\d]?)\s*\d[A-Za-z]{2}\s*$")
_FIVE_DIGITS = re.compile(r"^\s*(?:[A-Za-z]{1,2}-)?(\d{2})\d{3}(?:-\d{4})?\s*$")
_FOUR_DIGITS = re.compile(r"^\s*(?:[A-Za-z]{1,2}-)?([1-9]\d)\d{2}\s*$")

GENERALIZABLE_TYPES = frozenset(
    {EntityType.DATE_OF_BIRTH, EntityType.DATE, EntityType.AGE, EntityType.POSTAL_CODE}
)


def generalize_year(value: str) -> str | None:
    """The year of a date in any common notation.

    Two-digit years use a fixed window (00-29 → 20xx, 30-99 → 19xx), so the same value
    always generalises the same way.
    """
    match = _YEAR.search(value)
    if match:
        return match.group(1)
    match = _TWO_DIGIT_YEAR.match(value)
    if match:
        yy = int(match.group(1))
        return str(2000 + yy if yy <= 29 else 1900 + yy)
    return None


def generalize_age(value: str, band: int = 10) -> str | None:
    """An age as a band of `band` years: 42 → "40-49"."""
    match = _NUMBER.search(value)
    if match is None:
        return None
    age = int(match.group(1))
    if age > 130:
        return None
    low = age - age % band
    return f"{low}-{low + band - 1}"


def generalize_postal_code(value: str) -> str | None:
    """The region part of a postal code, or None when the format is not recognised.

    NL "1234 AB" → "1234"; UK "SW1A 1AA" → "SW1A" (the outward code); five-digit codes
    (DE, FR, US ZIP) → the first two digits + "xxx"; four-digit codes (BE, AT, CH, DK)
    → the first two digits + "xx".
    """
    if match := _NL_POSTCODE.match(value):
        return match.group(1)
    if match := _UK_POSTCODE.match(value):
        return match.group(1).upper()
    if match := _FIVE_DIGITS.match(value):
        return match.group(1) + "xxx"
    if match := _FOUR_DIGITS.match(value):
        return match.group(1) + "xx"
    return None


def generalize(entity_type: EntityType, value: str, age_band: int = 10) -> str | None:
    """The generalised form of `value`, or None if there is no rule or it does not apply."""
    if entity_type in (EntityType.DATE_OF_BIRTH, EntityType.DATE):
        return generalize_year(value)
    if entity_type is EntityType.AGE:
        return generalize_age(value, age_band)
    if entity_type is EntityType.POSTAL_CODE:
        return generalize_postal_code(value)
    return None
