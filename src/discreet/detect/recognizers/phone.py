"""Phone numbers in international and national formats (NL, BE, DE, FR, UK, US).

A cheap regex proposes digit groups; `phonenumbers` decides. Running
`phonenumbers.PhoneNumberMatcher` over every text costs far more than parsing the few
candidates the regex leaves, so we parse only those, and only for the regions a number of
that shape can belong to:

* ``+31 6 ...`` / ``0031 6 ...``: the country code names the region (one parse);
* ``06 ...``, ``030 ...``, ``020 ...``: a trunk prefix 0, used by NL, BE, DE, FR and the UK,
  tried in the order the text's language suggests;
* ``(212) 555-0123``: ten digits without a trunk prefix can only be North American.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import phonenumbers
from stdnum import ean

from discreet.detect.base import DIGIT, DetectionInput, Finding, PatternRecognizer
from discreet.detect.context import all_languages
from discreet.detect.entities import EntityType
from discreet.detect.registry import builtin
from discreet.detect.validators import digits, safe

# Digit groups joined by one separator; possessive groups keep backtracking linear on long
# digit runs. The look-arounds keep amounts (1.234,56), versions (v2.3.1), times (14:30),
# ids (#123456) and URLs out.
_GROUP = r"(?:\(\d{1,5}\)|\d++)"
# Nothing between a group and a bracket: "+49(0)30 1234567", "(030)1234567".
_SEP = r"(?:[ \t]?[.\-/][ \t]?|[ \t]|(?<=\))|(?=\())"
_CANDIDATE = re.compile(
    rf"(?<![\w@/+#.,:=-])(?:\+|00)?(?=(?:[ \t.\-/()]*\d){{7}})"  # at least seven digits
    rf"{_GROUP}(?:{_SEP}{_GROUP}){{0,7}}(?!(?!x\d)[\w@]|[.,:/-]?\d)"  # "x036": an extension
)
# An extension after the number: "x036", "ext. 12", "extension 12", "toestel 12",
# "tst. 12", "Durchwahl 12", "Dw. 12", "poste 12", "#12".
_EXTENSION = re.compile(
    r"[ \t]*(?:,[ \t]*)?(?:x|ext\.?|extn\.?|extension|toestel|tst\.?|durchwahl|dw\.?|"
    r"nebenstelle|poste|p\.|#)[ \t]*\d{1,6}(?![\w]|[.,]?\d)",
    re.IGNORECASE,
)
# Every candidate holds seven digits with at most separators between them (its look-ahead),
# and starts at most two characters ("+(") before the first of them ("00(" starts with
# digits). Searching for such a run first is cheap; it rules out a third of texts and lets
# the costlier candidate scan start just before the first run instead of at every position.
# One character of margin costs nothing.
_SEVEN_DIGITS = re.compile(r"\d(?:[ \t.\-/()]*+\d){6}")
_MAX_PREFIX = 3
_CHUNK = re.compile(r"\S+")
_DATE_LIKE = re.compile(
    r"\d{1,2}([-./])\d{1,2}\1(?:\d{2}|\d{4})|\d{4}([-./])\d{1,2}\2\d{1,2}|\d{1,2}[./-]\d{4}"
)

# Regions whose national format starts with the trunk prefix 0, first those of the language.
_TRUNK_ZERO_REGIONS: dict[str, tuple[str, ...]] = {
    "nl": ("NL", "BE", "DE", "FR", "GB"),
    "de": ("DE", "NL", "BE", "FR", "GB"),
    "fr": ("FR", "BE", "NL", "DE", "GB"),
    "en": ("GB", "NL", "BE", "DE", "FR"),
}
_PRIMARY_REGIONS: dict[str, frozenset[str]] = {
    "nl": frozenset({"NL", "BE"}),
    "de": frozenset({"DE"}),
    "fr": frozenset({"FR", "BE"}),
    "en": frozenset({"GB", "US"}),
}
_MOBILE = phonenumbers.PhoneNumberType.MOBILE
_is_ean = safe(ean.is_valid)
_US_STYLE = re.compile(
    r"(?:1[ .-]?)?(?:\(\d{3}\)[ ]?\d{3}[-. ]\d{4}|\d{3}([-.])\d{3}\1\d{4}|\d{3} \d{3} \d{4})"
)

SCORE_INTERNATIONAL = 0.9
SCORE_NATIONAL_PRIMARY = 0.7
SCORE_NATIONAL_OTHER = 0.55
# German numbering is open: almost any 0 + 6-11 digits is a valid German landline, so a
# German landline in a text that is not German needs a context word.
SCORE_DE_LANDLINE_ELSEWHERE = 0.35
SCORE_US_BARE = 0.3
SCORE_BARE_DOUBLE_ZERO = 0.35
SCORE_US_SHAPE = 0.4
# Numbers written without a trunk prefix or country code, valid in a country that dials
# them that way (see _NO_TRUNK_REGIONS). Below the default threshold: dates ("2024 11
# 05") and references are valid somewhere too; a context word (+0.3) reports them.
SCORE_NO_HINT = 0.3
SCORE_NO_HINT_GROUPED = 0.35
# Not valid anywhere tried, but written like a phone number: reported only next to a
# context word ("tel", "Telefon"), which adds the recognizer's boost (0.3).
SCORE_SHAPE_ONLY = 0.25
# Countries whose numbers have no trunk prefix, so a national number starts with any
# digit: the Nordics, Southern Europe, Luxembourg.
_NO_TRUNK_REGIONS = ("NO", "DK", "IS", "ES", "PT", "IT", "GR", "LU", "MT", "CY")
# Two to five groups of two to four digits: how people write phone numbers.
_GROUPED = re.compile(r"\(?\d{2,4}\)?(?:[ .\-/]\d{2,4}){1,4}")
_THOUSANDS = re.compile(r"\d{1,3}(?:([ .])\d{3})(?:\1\d{3})*")
# Most attempts to parse one candidate (each region tried counts); bounds the cost of a
# long list of numbers such as "12 34 56 78 90 12 34".
_PARSE_BUDGET = 16


@builtin
class PhoneRecognizer(PatternRecognizer):
    trigger = DIGIT

    def __init__(self) -> None:
        super().__init__(
            "phone",
            EntityType.PHONE_NUMBER,
            patterns=(),
            context=all_languages("PHONE_NUMBER"),
            context_boost=0.3,
        )

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        text = item.text
        run = _SEVEN_DIGITS.search(text)
        if run is None:
            return
        # The candidate regex's look-behind still sees the text before `pos`.
        for match in _CANDIDATE.finditer(text, max(0, run.start() - _MAX_PREFIX)):
            yield from self.findings(item, match)

    def findings(self, item: DetectionInput, match: re.Match[str]) -> Iterator[Finding]:
        """The phone numbers in one candidate match, scored, with any extension."""
        text = item.text
        budget = [_PARSE_BUDGET]
        for start, end, score in self._split_and_score(text, match, item.language, budget):
            context = self.has_context(item, start, end)
            if score == SCORE_SHAPE_ONLY and not context:
                continue  # neither valid anywhere nor called a phone number
            if context:
                score = min(1.0, score + self.context_boost)
            extension = _EXTENSION.match(text, end)
            if extension is not None:
                end = extension.end()
            yield Finding(start, end, EntityType.PHONE_NUMBER, score, self.name)

    def _split_and_score(
        self, text: str, match: re.Match[str], language: str, budget: list[int]
    ) -> Iterator[tuple[int, int, float]]:
        """The phone numbers in one candidate; whole first, else its space-separated parts.

        "2 0612345678" or "0612345678 0687654321" are one regex candidate but hold one or
        two numbers: take the longest valid run of chunks from the left, then continue.
        """
        chunks = [(m.start(), m.end()) for m in _CHUNK.finditer(text, match.start(), match.end())]
        i = 0
        while i < len(chunks) and budget[0] > 0:
            for j in range(len(chunks), i, -1):
                start, end = chunks[i][0], chunks[j - 1][1]
                score = self._score(text[start:end], language, budget)
                if score is not None:
                    yield start, end, score
                    i = j
                    break
            else:
                i += 1

    def _score(self, candidate: str, language: str, budget: list[int]) -> float | None:
        n_digits = len(digits(candidate))
        if not 7 <= n_digits <= 15 or _DATE_LIKE.fullmatch(candidate):
            return None
        if candidate.startswith(("+", "00")):
            international = "+" + candidate[2:] if candidate.startswith("00") else candidate
            if _parse_valid(international, None, budget) is None:
                # "+1-903-140-4508": no such exchange, but a "+" and phone-like groups
                # say phone; a context word must agree (checked by the caller).
                possible = candidate.startswith("+") and n_digits >= 10 and _possible(international)
                return SCORE_SHAPE_ONLY if possible else None
            if candidate.startswith("00") and candidate.isdigit():
                # "0016585934463" is a product barcode when its EAN check digit holds.
                if n_digits == 13 and _is_ean(candidate):
                    return None
                return SCORE_BARE_DOUBLE_ZERO
            return SCORE_INTERNATIONAL
        bare = candidate.lstrip("(")
        if bare.startswith("0"):
            # No national number is written as 13+ digits in one run; barcodes (EAN-13) are.
            if n_digits > 12 and candidate.isdigit():
                return None
            primary = _PRIMARY_REGIONS.get(language, frozenset())
            for region in _TRUNK_ZERO_REGIONS.get(language, _TRUNK_ZERO_REGIONS["en"]):
                number = _parse_valid(candidate, region, budget)
                if number is None:
                    continue
                if region in primary:
                    return SCORE_NATIONAL_PRIMARY
                if region == "DE" and phonenumbers.number_type(number) != _MOBILE:
                    return SCORE_DE_LANDLINE_ELSEWHERE
                return SCORE_NATIONAL_OTHER
            return SCORE_SHAPE_ONLY if _GROUPED.fullmatch(candidate) else None
        if n_digits == 10 or (n_digits == 11 and bare.startswith("1")):
            # North American numbers are written (212) 555-0123, 212-555-0123 or bare;
            # other groupings ("3243.97 2011") are amounts and years.
            us_style = _US_STYLE.fullmatch(candidate) is not None
            if not (us_style or candidate.isdigit()):
                return None
            if _parse_valid(candidate, "US", budget) is None:
                # "463-612-6138" in a made-up range: the 3-3-4 shape is a phone's all the
                # same (private by default); a bare run of ten digits is not.
                return SCORE_US_SHAPE if us_style else None
            if us_style:
                return SCORE_NATIONAL_PRIMARY if language == "en" else SCORE_NATIONAL_OTHER
            return SCORE_US_BARE
        # No trunk prefix and no country code: "78 651 450" (Norway), "612 345 678"
        # (Spain), "20 12 34 56" (Denmark). Valid in one of these countries: a low score,
        # written in groups a little more; otherwise only the shape with a context word.
        # Thousands ("78 651 450") are amounts as often as numbers: context decides.
        grouped = _GROUPED.fullmatch(candidate) is not None
        phone_grouped = grouped and _THOUSANDS.fullmatch(candidate) is None
        for region in _NO_TRUNK_REGIONS:
            if _parse_valid(candidate, region, budget) is not None:
                return SCORE_NO_HINT_GROUPED if phone_grouped else SCORE_NO_HINT
        return SCORE_SHAPE_ONLY if grouped else None


def _length_rule(region: str) -> tuple[str, frozenset[int], re.Pattern[str]] | None:
    """(country code, national number lengths, international prefix) of a region whose
    numbers are parsed without stripping a national prefix; None for any other region."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if meta is None or meta.national_prefix or meta.national_prefix_for_parsing:
        return None
    if meta.general_desc is None:
        return None
    lengths = frozenset(meta.general_desc.possible_length or ())
    if not lengths or meta.international_prefix is None:
        return None
    return str(meta.country_code), lengths, re.compile(meta.international_prefix)


# Most candidates tried against the no-trunk regions have a length none of them allows
# (Denmark: 8 digits, Spain: 9, ...); parsing each in ten regions was most of this
# recognizer's time. Only plain ASCII digits and separators are judged by length.
_LENGTH_RULES = {
    region: rule for region in _NO_TRUNK_REGIONS if (rule := _length_rule(region)) is not None
}
_PLAIN = re.compile(r"[0-9 \t().\-/]+")


def _wrong_length(candidate: str, region: str) -> bool:
    """Whether `candidate` cannot be a valid number of `region`, known without parsing it:
    for a region in `_LENGTH_RULES`, `phonenumbers.parse` keeps every digit as the national
    number, or all but a leading country code or international prefix, and validation
    first checks the national number's length against the region's possible lengths."""
    rule = _LENGTH_RULES.get(region)
    if rule is None or not _PLAIN.fullmatch(candidate):
        return False
    country_code, lengths, international_prefix = rule
    number = digits(candidate)
    if len(number) in lengths or international_prefix.match(number):
        return False
    return not (number.startswith(country_code) and len(number) - len(country_code) in lengths)


def _possible(candidate: str) -> bool:
    """Whether an international number has a length its country's numbers can have."""
    try:
        return bool(phonenumbers.is_possible_number(phonenumbers.parse(candidate, None)))
    except Exception:  # NumberParseException or odd input: not a number
        return False


def _parse_valid(
    candidate: str, region: str | None, budget: list[int]
) -> phonenumbers.PhoneNumber | None:
    """The parsed number if it is valid for `region`, else None; each call spends budget."""
    if budget[0] <= 0:
        return None
    budget[0] -= 1
    if region is not None and _wrong_length(candidate, region):
        return None
    return _valid_number(candidate, region)


@functools.lru_cache(maxsize=4096)
def _valid_number(candidate: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    """`_parse_valid` without the budget, kept per candidate: a conversation repeats its
    numbers (the gateway detects in the customer's turn and again in the reply)."""
    try:
        number = phonenumbers.parse(candidate, region)
    except Exception:  # NumberParseException, or anything odd input provokes: not a number
        return None
    # With a known region, checking that region alone skips the search over every region
    # sharing the country code (25 for +1), the costliest step of validation. Where only a
    # few share it, they share the numbering plan too: "07911 123456" is a Guernsey mobile
    # written as every British one is (+44: GB, GG, IM, JE).
    if region is None:
        valid = phonenumbers.is_valid_number(number)
    else:
        valid = phonenumbers.is_valid_number_for_region(number, region) or (
            _shares_the_code_with_few(region) and phonenumbers.is_valid_number(number)
        )
    return number if valid else None


_FEW_REGIONS = 4


@functools.cache
def _shares_the_code_with_few(region: str) -> bool:
    """Whether `region`'s country code belongs to 2 to `_FEW_REGIONS` regions. Alone with
    its code ("NL", +31), validating over every region of the code would repeat the
    region's own check."""
    code = phonenumbers.country_code_for_region(region)
    return 1 < len(phonenumbers.region_codes_for_country_code(code)) <= _FEW_REGIONS
