"""The blind-index entries of a subject: every form in which the output guard may meet
one of its identifiers in an answer.

A field declared an identifier (per data category in the policy, or by the defaults in
`vault.fields`) is indexed under its own kind and under the generic forms the guard looks
up whatever the detector thought the text was:

* phones: E.164 (`PHONE`) and the digits alone in international ("31612345678") and
  national ("0612345678") form (`NUMBER`), so "0031 6 ...", "06-...", digit-spaced and
  fullwidth spellings, and numbers `phonenumbers` calls invalid, are all found;
* reference numbers (customer, order, invoice numbers, postcodes, IBANs, any field of kind
  `reference`): upper-case letters and digits (`REFERENCE`: "CN-700009" -> "CN700009"),
  and their digits alone when there are at least `MIN_NUMBER_DIGITS` (`NUMBER`);
* dates (of birth): ISO 8601 (`DATE`), whatever format the record holds;
* names: the full name, also built from ``first_name`` + ``last_name`` (`NAME`), the
  surname first ("Jansen Jan"), and the first initial with the surname (`NAME_INITIALS`).

Entries are rows of the ``blind_index`` table keyed by (subject, label); a label is the
field name, or ``field~variant`` for a derived form. Every entry of a subject is rebuilt
from all its fields whenever one changes (composite names depend on two fields).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date

import phonenumbers
from sqlalchemy import ColumnElement, or_

from discreet.store.models import BlindIndexEntry, table_of
from discreet.transform.fold import fold
from discreet.vault.blind_index import IdentifierKind

MIN_NUMBER_DIGITS = 6
"""Shorter digit runs (house numbers, amounts, years) are too common to mean anyone."""

FIRST_NAME_FIELDS = ("first_name", "given_name", "firstname")
LAST_NAME_FIELDS = ("last_name", "surname", "family_name", "lastname")

_DIGITS = re.compile(r"\d")
_NOT_DIGIT = re.compile(r"\D+")
_WORDS = re.compile(r"[^\W\d_]+")

# Month names of the four languages discreet serves (folded: no accents, lower case).
MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan januari janvier janv januar jaenner",
        "february feb februari fevrier fevr februar",
        "march mar maart mrt mars marz maerz",
        "april apr avril avr",
        "may mei mai",
        "june jun juni juin",
        "july jul juli juillet juil",
        "august aug augustus aout august",
        "september sep sept septembre",
        "october oct oktober okt octobre",
        "november nov novembre",
        "december dec dezember decembre",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,4})\s?([-/.])\s?(\d{1,2})\s?\2\s?(\d{1,4})(?!\d)")
_DAY_MONTH_YEAR = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th|e|er|\.)?\s*(?:of\s+)?({_MONTH})\.?,?\s*(\d{{4}})(?!\d)"
)
_MONTH_DAY_YEAR = re.compile(
    rf"(?<![a-z])({_MONTH})\.?\s*(\d{{1,2}})(?:st|nd|rd|th)?,?\s*(\d{{4}})(?!\d)"
)


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _year(value: str) -> int | None:
    if len(value) == 4:
        return int(value)
    return None


def dates_in(text: str) -> set[str]:
    """Every date `text` may mean, as ISO strings: numeric dates in year-first,
    day-first and month-first order (both readings of "03/04/1980"), and dates with month
    names in EN/NL/DE/FR. `text` should be folded (`transform.fold`)."""
    found: set[str] = set()
    for first, _, middle, last in _NUMERIC_DATE.findall(text):
        readings: list[tuple[int | None, int, int]] = []
        if len(first) == 4:
            readings.append((int(first), int(middle), int(last)))
        elif len(last) == 4:
            readings.append((int(last), int(middle), int(first)))
            readings.append((int(last), int(first), int(middle)))
        for year, month, day in readings:
            if year is not None and (iso := _iso(year, month, day)):
                found.add(iso)
    for day, month, year in _DAY_MONTH_YEAR.findall(text):
        if iso := _iso(int(year), MONTHS[month], int(day)):
            found.add(iso)
    for month, day, year in _MONTH_DAY_YEAR.findall(text):
        if iso := _iso(int(year), MONTHS[month], int(day)):
            found.add(iso)
    return found


def parse_date(value: str) -> str | None:
    """A stored date's ISO form (the first reading), or None when it holds no date."""
    folded = fold(value)
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*", folded)
    if match:
        return _iso(int(match[1]), int(match[2]), int(match[3]))
    found = sorted(dates_in(folded))
    return found[0] if len(found) == 1 else (found[0] if found else None)


def phone_numbers(value: str, region: str | None = None) -> set[str]:
    """The digit forms of a phone number: international without "+" and national with
    the trunk prefix 0. A number `phonenumbers` cannot parse keeps its digits."""
    compact = value.strip()
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    digits = _NOT_DIGIT.sub("", compact)
    forms = {digits} if len(digits) >= MIN_NUMBER_DIGITS else set()
    try:
        number = phonenumbers.parse(compact, region)
    except phonenumbers.NumberParseException:
        return forms
    national = str(number.national_number)
    if number.italian_leading_zero:
        national = "0" * (number.number_of_leading_zeros or 1) + national
    forms.add(f"{number.country_code}{national}")
    forms.add(f"0{national}")
    return {f for f in forms if len(f) >= MIN_NUMBER_DIGITS}


def name_forms(full: str, first: str | None = None, last: str | None = None) -> set[str]:
    """Name forms of `full`: itself, and the surname first (from `last` if given)."""
    words = _WORDS.findall(fold(full))
    forms = {" ".join(words)} if len(words) >= 2 else set()
    if first and last:
        forms.add(" ".join(_WORDS.findall(fold(f"{last} {first}"))))
    elif len(words) >= 2:
        forms.add(" ".join([words[-1], *words[:-1]]))
    return {f for f in forms if f}


def initials_form(first: str, last: str) -> str | None:
    """ "J jansen" for Jan Jansen ("j van der berg" for Jan van der Berg)."""
    first_words = _WORDS.findall(fold(first))
    last_words = _WORDS.findall(fold(last))
    if not first_words or not last_words:
        return None
    return " ".join([first_words[0][0], *last_words])


def index_forms(
    fields: Mapping[str, str],
    kinds: Mapping[str, IdentifierKind],
    *,
    phone_region: str | None = None,
) -> list[tuple[str, IdentifierKind, str]]:
    """(label, kind, value) for every blind-index entry of a subject with `fields`;
    `kinds` names the identifier fields. Values are handed to `BlindIndexer.digest`."""
    out: list[tuple[str, IdentifierKind, str]] = []
    for name, value in fields.items():
        kind = kinds.get(name)
        if kind is None or not value:
            continue
        if kind is IdentifierKind.NAME:
            if name in FIRST_NAME_FIELDS or name in LAST_NAME_FIELDS:
                continue  # composed below, with the other half
            out.append((name, kind, value))
            for i, form in enumerate(sorted(name_forms(value) - {value})):
                out.append((f"{name}~{i}", kind, form))
            words = _WORDS.findall(fold(value))
            if len(words) >= 2 and (initials := initials_form(words[0], " ".join(words[1:]))):
                out.append((f"{name}~initials", IdentifierKind.NAME_INITIALS, initials))
        elif kind is IdentifierKind.PHONE:
            out.append((name, kind, value))
            for i, form in enumerate(sorted(phone_numbers(value, phone_region))):
                out.append((f"{name}~{i}", IdentifierKind.NUMBER, form))
        elif kind is IdentifierKind.DATE:
            iso = parse_date(value)
            if iso is not None:
                out.append((name, kind, iso))
        elif kind in (
            IdentifierKind.REFERENCE,
            IdentifierKind.CUSTOMER_NUMBER,
            IdentifierKind.IBAN,
        ):
            out.append((name, kind, value))
            if kind is not IdentifierKind.REFERENCE:
                out.append((f"{name}~ref", IdentifierKind.REFERENCE, value))
            digits = _NOT_DIGIT.sub("", fold(value))
            if len(digits) >= MIN_NUMBER_DIGITS:
                out.append((f"{name}~digits", IdentifierKind.NUMBER, digits))
        else:
            out.append((name, kind, value))
    first = next((fields[f] for f in FIRST_NAME_FIELDS if fields.get(f) and f in kinds), None)
    last = next((fields[f] for f in LAST_NAME_FIELDS if fields.get(f) and f in kinds), None)
    if first and last:
        for i, form in enumerate(sorted(name_forms(f"{first} {last}", first, last))):
            out.append((f"~name~{i}", IdentifierKind.NAME, form))
        if initials := initials_form(first, last):
            out.append(("~name~initials", IdentifierKind.NAME_INITIALS, initials))
    return out


def has_digits(value: str) -> bool:
    return bool(_DIGITS.search(value))


__all__ = [
    "FIRST_NAME_FIELDS",
    "LAST_NAME_FIELDS",
    "MIN_NUMBER_DIGITS",
    "MONTHS",
    "dates_in",
    "derived_from",
    "index_forms",
    "initials_form",
    "name_forms",
    "parse_date",
    "phone_numbers",
]


def derived_from(names: Iterable[str]) -> ColumnElement[bool]:
    """A condition on ``blind_index.field`` matching every entry derived from the fields
    `names`: the field's own, its ``field~variant`` forms and, for a name half, the
    composed name entries. For deleting them when a field is deleted or expires."""
    names = list(names)
    column = table_of(BlindIndexEntry).c.field
    conditions = [column.in_(names)]
    conditions += [column.like(f"{name}~%") for name in names]
    if any(n in FIRST_NAME_FIELDS or n in LAST_NAME_FIELDS for n in names):
        conditions.append(column.like("~name~%"))
    return or_(*conditions)
