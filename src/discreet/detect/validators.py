"""Checks shared by several recognizers: digits, checksums, card brands, calendar dates.

Country-specific checksums come from python-stdnum; this module only holds what stdnum does
not have (card brand prefixes, the UK National Insurance number rules) and small helpers.
Every function takes the candidate text and returns a bool; none raises on any input.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from stdnum import luhn

_NON_DIGIT = re.compile(r"\D+")


def digits(text: str) -> str:
    """The digits of `text`, separators dropped: "4111 1111-1111" -> "411111111111"."""
    return _NON_DIGIT.sub("", text)


def safe(check: Callable[[str], bool]) -> Callable[[str], bool]:
    """Wrap a third-party `is_valid` so an unexpected exception means "not valid".

    Recognizers must not raise on any text (that would fail the whole turn closed for a
    number that merely looked odd); an exception here only rejects this candidate.
    """

    def wrapped(candidate: str) -> bool:
        try:
            return bool(check(candidate))
        except Exception:
            return False

    return wrapped


# (brand, prefix ranges as (low, high) over the first N digits, allowed lengths), from the
# schemes' published IIN ranges. Order matters where ranges overlap: first match names it.
_CARD_BRANDS: tuple[tuple[str, tuple[tuple[int, int, int], ...], frozenset[int]], ...] = (
    ("visa", ((1, 4, 4),), frozenset({16, 19})),
    ("mastercard", ((2, 51, 55), (4, 2221, 2720)), frozenset({16})),
    ("amex", ((2, 34, 34), (2, 37, 37)), frozenset({15})),
    ("mir", ((4, 2200, 2204),), frozenset(range(16, 20))),
    ("borica", ((4, 2205, 2205),), frozenset({16})),
    ("discover", ((4, 6011, 6011), (3, 644, 649), (2, 65, 65)), frozenset(range(16, 20))),
    ("jcb", ((4, 3528, 3589),), frozenset(range(16, 20))),
    ("jcb", ((4, 1800, 1800), (4, 2131, 2131)), frozenset({15})),
    ("diners", ((3, 300, 305), (2, 36, 36), (2, 38, 39)), frozenset(range(14, 20))),
    ("diners", ((4, 2014, 2014), (4, 2149, 2149)), frozenset({15})),  # enRoute
    ("unionpay", ((2, 62, 62), (2, 81, 81)), frozenset(range(16, 20))),
    ("rupay", ((2, 60, 60), (2, 82, 82), (3, 508, 508), (3, 353, 353), (3, 356, 356)),
     frozenset({16})),
    ("verve", ((6, 506099, 506198), (6, 650002, 650027), (6, 507865, 507964)),
     frozenset({16, 18, 19})),
    ("dankort", ((4, 5019, 5019),), frozenset({16})),
    ("interpayment", ((3, 636, 636),), frozenset(range(16, 20))),
    ("instapayment", ((3, 637, 639),), frozenset({16})),
    ("troy", ((4, 9792, 9792),), frozenset({16})),
    ("humo", ((4, 9860, 9860),), frozenset({16})),
    ("uatp", ((1, 1, 1),), frozenset({15})),
    ("maestro", ((2, 50, 50), (2, 56, 69)), frozenset(range(12, 20))),
    # 13-digit Visa cards are still in circulation, but 13-digit product barcodes (EAN-13)
    # are everywhere and one in ten passes Luhn by chance: see RARE_CARD_BRANDS.
    ("visa13", ((1, 4, 4),), frozenset({13})),
)  # fmt: skip

RARE_CARD_BRANDS = frozenset({"visa13", "uatp", "rupay", "maestro", "troy", "humo", "unionpay"})
"""Brands whose number shapes other numbers share often enough (barcodes, order numbers
starting with 1, 6 or 8) that a match needs a card word nearby or a card's grouping."""


def card_brand(number: str) -> str | None:
    """The card scheme whose issuer prefix and length fit `number` (digits only), or None."""
    n = len(number)
    for brand, ranges, lengths in _CARD_BRANDS:
        if n not in lengths:
            continue
        for width, low, high in ranges:
            if n >= width and low <= int(number[:width]) <= high:
                return brand
    return None


def is_card_number(candidate: str) -> bool:
    """A payment card number: a known brand's prefix and length, and the Luhn check."""
    number = digits(candidate)
    if not 12 <= len(number) <= 19 or len(set(number)) == 1:
        return False
    return card_brand(number) is not None and luhn.is_valid(number)


# National Insurance numbers: two prefix letters, six digits, a suffix A-D. Some letters and
# pairs are never issued (HMRC NIM39110), which keeps look-alike codes out.
_NINO = re.compile(r"([A-CEGHJ-PR-TW-Z])([A-CEGHJ-NPR-TW-Z])(\d{6})([A-D])")
_NINO_BAD_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def is_uk_nino(candidate: str) -> bool:
    compact = candidate.replace(" ", "").upper()
    match = _NINO.fullmatch(compact)
    return match is not None and compact[:2] not in _NINO_BAD_PREFIXES


def is_calendar_date(day: int, month: int, year: int) -> bool:
    """A real date between 1900 and 2100 (a 31 February or a year 3025 is not a date)."""
    if not 1900 <= year <= 2100:
        return False
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def expand_year(year: str) -> int:
    """A two-digit year as the most likely century for a person's date: "85" -> 1985."""
    value = int(year)
    if len(year) == 2:
        pivot = datetime.date.today().year % 100
        return value + (2000 if value <= pivot else 1900)
    return value
