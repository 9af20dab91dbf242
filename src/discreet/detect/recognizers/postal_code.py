"""Postal codes: NL "1234 AB" and UK "SW1A 1AA" (distinctive), DE/FR/US five digits and
BE four digits (ambiguous: any number looks like one).

An ambiguous code is reported only with evidence around it: a context word ("PLZ",
"code postal", "zip", "postcode"), a city name right after it ("10115 Berlin"), a street
with a house number before it ("Hauptstraße 5, 10115"), or a US state before it
("Springfield, IL 62704"). Each piece of evidence adds to a low base score.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from discreet.detect.base import DIGIT, DetectionInput, Finding, Pattern, PatternRecognizer
from discreet.detect.context import all_languages, word_regex
from discreet.detect.entities import EntityType
from discreet.detect.places import known_place, lower_case_town
from discreet.detect.recognizers.dates import is_month
from discreet.detect.registry import builtin

_CONTEXT = all_languages("POSTAL_CODE")
_CONTEXT_WORDS = word_regex("POSTAL_CODE")
_DIGIT = re.compile(r"\d")
# For a bare number, the context word must be close and nothing numeric in between:
# "PLZ 80331" yes, "PLZ 80331, 50000 Euro" only for the first.
_CONTEXT_BEFORE = 24
CONTEXT_BOOST = 0.35

# --- Netherlands: four digits (no leading 0), two capitals except SA, SD and SS. ---
_NL = re.compile(r"[1-9](?<![\w-][1-9])\d{3} ?(?!SA|SD|SS)[A-Z]{2}(?![\w-])")
# Letter pairs that are more often a unit after a number ("1000 GB", "1200 KM", "1030 AM").
_UNIT_TEXT = """
    GB MB KB TB PB KM CM MM KG MG ML CL DL PK HP KW MW GW AM PM BC AD EU US UK NL DE FR BE
    EN OK TV PC CD ID VS
"""
_NL_UNIT_LIKE = frozenset(_UNIT_TEXT.split())

_NL_LETTERS_AFTER = re.compile(r" ?[A-Z]{2}(?!\w)")
_NL_ADDRESS_SCORE = 0.8

# --- United Kingdom: outward code (area, district) and inward code (sector, unit). ---
# This pattern, the Canadian and the Irish one start with the code's first letter and look
# behind it ("not after a word or hyphen") rather than looking behind first: a pattern that
# starts with a character class lets the regex engine skip to the next such letter instead
# of trying every position (the same matches, in half the time; as `_NL` does with digits).
_UK = re.compile(
    r"[A-PR-UWYZ](?<![\w-][A-PR-UWYZ])(?:[A-HK-Y]?\d[A-Z\d]?|(?<=G)IR) ?\d[ABD-HJLNP-UW-Z]{2}"
    r"(?![\w-])"
)

# --- Ambiguous digit codes. ---
# (Digit first, then a look-behind: a regex starting with a character class scans faster.)
_FIVE = re.compile(r"(\d(?<![\w.,/+€$£-]\d)\d{4})(?:-\d{4})?(?![\w]|[.,/:-]?\d|\s?[%€$£])")
_FOUR = re.compile(r"([1-9](?<![\w.,/+€$£:-][1-9])\d{3})(?![\w]|[.,/:-]?\d|\s?[%€$£])")

# A capitalised word right after the number: a city. Units and nouns that commonly follow a
# number in German (where every noun is capitalised) do not count.
_CITY_AFTER = re.compile(r"[ \t]+([A-ZÀ-ÖØ-Þ][a-zà-öø-ÿß]+(?:[- ][A-ZÀ-ÖØ-Þ][a-zà-öø-ÿß]+)*)")
_NOT_CITY_TEXT = """
    Euro Euros Dollar Dollars Pfund Franken Stück Stk Mal Jahre Jahren Tage Tagen Stunden
    Minuten Sekunden Kunden Mitarbeiter Menschen Personen Einwohner Meter Kilometer Punkte
    Artikel Seiten Produkte Bestellungen Exemplare Kilo Gramm Liter Points Items Orders
    Customers Users Units Pieces Klanten Stuks Jaar Dagen Mitglieder Downloads Followers
    Views Likes Votes Zeichen Wörter
"""
_NOT_CITIES = frozenset(_NOT_CITY_TEXT.split())
# Chat writes the town in lower case ("3536 hallein", "7113 deinze", "4961 sint-niklaas"):
# a word the gazetteer knows as a place, not a frequent word ("2000 euro", "5 mei").
_LOWER_CITY_AFTER = re.compile(r"[ \t]+([a-zà-öø-ÿß]{3,}(?:-[a-zà-öø-ÿß]+)*)(?![\w-])")
# A capitalised town of up to three words ending right before the code, a comma between or
# not: "Las Vegas 72401", "Columbus, 46700".
_CITY_BEFORE = re.compile(
    r"(?<![\w-])([A-ZÀ-ÖØ-Þ][a-zà-öø-ÿß]+(?:[ -][A-ZÀ-ÖØ-Þ][a-zà-öø-ÿß]+){0,2}),?$"
)
# The same in lower case, as chat writes it ("boise, 09286", "salt lake city, 19484").
_LOWER_CITY_BEFORE = re.compile(r"(?<![\w-])([a-zà-öø-ÿß]+(?:[ -][a-zà-öø-ÿß]+){0,2}),?$")
_STREET_WORDS = (
    r"(?:stra(?:ß|ss)e|str\.|weg|gasse|allee|platz|ring|damm|ufer|rue|avenue|av\.|boulevard|"
    r"bd\.?|chemin|chaussée|chaussee|place|impasse|allée|quai|street|st\.?|road|rd\.?|lane|"
    r"drive|dr\.?|way|"
    r"straat|laan|plein|gracht|kade|singel|dijk|steenweg|lei|dreef|baan|markt|"
    r"gata|gatan|gade|vej|veien|vegen|vägen|väg|torg|plass|plads|katu|tie)"
)
_HOUSE_NUMBER = r"\d{1,4}\s?[a-zA-Z]?(?:[-/]\d{1,4})?"
# A street with a house number right before the code: "Hauptstraße 5, 10115",
# "Rue de la Loi 16, 1000", "12 rue de la Paix, 75002", "Dorpsstraat 12 - 9000".
_STREET_BEFORE = re.compile(
    rf"(?:{_STREET_WORDS}[^\d\n,;]{{0,30}}?\s*{_HOUSE_NUMBER}"
    rf"|{_HOUSE_NUMBER}(?:\s?(?:bis|ter))?,?\s+{_STREET_WORDS}(?!\w)[^\d\n,;]{{0,30}}?)"
    r"\s*[,-]?\s*$",
    re.IGNORECASE,
)
# A capitalised street name and house number without a street word, a comma after them or
# not: "Meir 12," (Antwerp), "Graben 21" (Vienna). Counted only where a known town follows.
_NAME_NUMBER_BEFORE = re.compile(
    rf"(?<![\w-])[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿß'’-]+[ ]{_HOUSE_NUMBER}(?:[ ]?,)?$"
)
# A day of a month before the comma: "July 27, 2025" is a date, whatever street came before.
_MONTH_DAY_BEFORE = re.compile(r"(?<!\w)([^\W\d_]{3,9})\.?[ ]+\d{1,2}(?:st|nd|rd|th)?,$")
# What may follow a code that closes an address: the end of the line or text, or a period.
_ADDRESS_END = re.compile(r"[ \t]*(?:[.\n]|$)")
_US_STATE_BEFORE = re.compile(
    r",\s*(?:A[KLRZ]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|"
    r"PA|RI|S[CD]|T[NX]|UT|V[AT]|W[AIVY])\s+$"
)


def _nl_score(candidate: str) -> float:
    return 0.3 if candidate[-2:] in _NL_UNIT_LIKE else 0.8


def _town_after(text: str, end: int, language: str) -> str | None:
    """The town written right after a code: a capitalised word, or a lower-case one the
    gazetteer knows and the language does not use often."""
    city = _CITY_AFTER.match(text, end)
    if city is not None:
        return None if city[1] in _NOT_CITIES else city[1]
    lower = _LOWER_CITY_AFTER.match(text, end)
    return lower[1] if lower is not None and lower_case_town(lower[1], language) else None


def _closes_address(text: str, end: int, before: str, street: bool, town: str | None) -> bool:
    """Whether the code ending at `end` closes an address: a street and house number before
    it and a known town or the line's end after it ("Mariahilfer Straße 45/3, 1060"), or a
    name and house number before it and a known town after it ("Meir 12, 2000 Antwerpen");
    not the year of a date ("on July 27, 2025.")."""
    if before[-1:] != "," and not before[-1:].isalnum():
        return False
    day = _MONTH_DAY_BEFORE.search(before)
    if day is not None and is_month(day[1]):
        return False
    known = town is not None and known_place(town)
    if street:
        return known or _ADDRESS_END.match(text, end) is not None
    return known and _NAME_NUMBER_BEFORE.search(before) is not None


def _street_before(before: str) -> bool:
    """Whether `before` (the text before a code, trailing blanks stripped) ends with a
    street and its house number: "Hauptstraße 5,", "12 rue de la Paix,", "Steenweg 17b",
    "146 boulevard Saint-Michel"."""
    # The regex runs only where an address can end: a comma, dash or line break (multi-line
    # addresses), or a house number written right before the code.
    if before[-1:] in (",", "-", "\n") or _DIGIT.search(before, max(0, len(before) - 40)):
        return _STREET_BEFORE.search(before.rstrip() + " ") is not None
    return False


# Postcode areas of one letter (B1, E1, ... W1); every other area has two letters.
_UK_SINGLE_LETTER_AREAS = frozenset("BEGLMNSW")


def _uk_valid(candidate: str) -> bool:
    if candidate[1].isdigit() and candidate[0] not in _UK_SINGLE_LETTER_AREAS:
        return False
    return " " in candidate or len(candidate) >= 6


class _AmbiguousPostalCodeRecognizer(PatternRecognizer):
    """A digit code: base score plus what the neighbourhood says."""

    trigger = DIGIT

    regex: re.Pattern[str] = _FIVE
    base = 0.25
    city_bonus = 0.2
    # A town the gazetteer knows right before: American addresses without their state.
    city_before_bonus = 0.0
    street_bonus = 0.2
    state_bonus = 0.35
    # The code closes an address: a street and house number before it, and a town the
    # gazetteer knows (or the end of the line) after it. Only four-digit codes need it.
    address_bonus = 0.0

    def __init__(self, name: str) -> None:
        super().__init__(name, EntityType.POSTAL_CODE, (), _CONTEXT, CONTEXT_BOOST)

    def valid(self, code: str) -> bool:
        return True

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        text = item.text
        lower = item.lower
        for match in self.regex.finditer(text):
            start, end = match.span()
            if not self.valid(match[1]):
                continue
            score = self.base
            if _context_right_before(lower, start):
                score += self.context_boost
            city = _town_after(text, end, item.language)
            if city is not None:
                score += self.city_bonus
            before = text[max(0, start - 48) : start].rstrip(" \t")
            street = _street_before(before)
            if street:
                score += self.street_bonus
            if self.address_bonus and _closes_address(text, end, before, street, city):
                score += self.address_bonus  # "Meir 12, 2000 Antwerpen"
            if self.state_bonus and before[-2:].isupper() and _US_STATE_BEFORE.search(before + " "):
                score += self.state_bonus
            elif self.city_before_bonus and _town_before(before):
                score += self.city_before_bonus  # "Las Vegas 72401", "boise, 09286"
            # No evidence at all: a bare number is not reported as a postal code.
            if score > self.base:
                yield Finding(start, end, EntityType.POSTAL_CODE, min(score, 0.9), self.name)


@builtin
class DutchPostalCodeRecognizer(PatternRecognizer):
    trigger = DIGIT

    def __init__(self) -> None:
        super().__init__("nl_postal_code", EntityType.POSTAL_CODE, (), _CONTEXT, CONTEXT_BOOST)

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        text = item.text
        for match in _NL.finditer(text):
            start, end = match.span()
            score = _nl_score(match[0])
            if score < _NL_ADDRESS_SCORE:
                # "3325 MW" is megawatts, unless an address is around it: a town after it
                # ("3325 MW Oss") or a street and house number before it.
                town = _town_after(text, end, item.language)
                before = text[max(0, start - 48) : start].rstrip(" \t")
                if (town is not None and known_place(town)) or _street_before(before):
                    score = _NL_ADDRESS_SCORE
            score = self.boosted(item, start, end, score)
            yield Finding(start, end, EntityType.POSTAL_CODE, score, self.name)


@builtin
class UkPostcodeRecognizer(PatternRecognizer):
    trigger = DIGIT

    def __init__(self) -> None:
        super().__init__(
            "uk_postcode",
            EntityType.POSTAL_CODE,
            [Pattern(_UK, 0.75, _uk_valid)],
            _CONTEXT,
            0.2,
        )


@builtin
class FiveDigitPostalCodeRecognizer(_AmbiguousPostalCodeRecognizer):
    """German PLZ, French code postal and US ZIP (with optional +4)."""

    regex = _FIVE
    city_before_bonus = 0.2

    def __init__(self) -> None:
        super().__init__("five_digit_postal_code")

    def valid(self, code: str) -> bool:
        # 00xxx is used by none of the three countries.
        return not code.startswith("00")


@builtin
class BelgianPostalCodeRecognizer(_AmbiguousPostalCodeRecognizer):
    """Four digits are anything (years, amounts, PINs): only context makes them a code."""

    regex = _FOUR
    base = 0.15
    city_bonus = 0.1
    street_bonus = 0.2
    state_bonus = 0.0
    address_bonus = 0.15

    def __init__(self) -> None:
        super().__init__("be_postal_code")

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        # A Dutch code "1234 AB" is not a Belgian code plus letters.
        for finding in super().analyze(item):
            if _NL_LETTERS_AFTER.match(item.text, finding.end) is None:
                yield finding


def _town_before(before: str) -> bool:
    """Whether `before` ends with a town the gazetteer knows, of up to three words, a comma
    after it or not: "Las Vegas", "Columbus,", "salt lake city,"."""
    for regex in (_CITY_BEFORE, _LOWER_CITY_BEFORE):
        town = regex.search(before)
        if town is not None:
            words = town[1].split()
            # The longest tail that is a place: "address is boise" is "boise".
            return any(known_place(" ".join(words[i:])) for i in range(len(words)))
    return False


def _context_right_before(lower: str, start: int) -> bool:
    last_end = -1
    for word in _CONTEXT_WORDS.finditer(lower, max(0, start - _CONTEXT_BEFORE), start):
        last_end = word.end()
    return last_end >= 0 and _DIGIT.search(lower, last_end, start) is None


# --- Further countries. ---
# Canada: "K1A 0B1" (letters D, F, I, O, Q, U never appear; W and Z never first).
_CA = re.compile(
    r"[ABCEGHJ-NPRSTVXY](?<![\w-][ABCEGHJ-NPRSTVXY])\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d"
    r"(?![\w-])"
)
# Ireland's Eircode: routing key and unique identifier, "D02 X285", "A65 F4E2".
_EIRCODE = re.compile(
    r"[AC-FHKNPRTV-Y](?<![\w-][AC-FHKNPRTV-Y])(?:\d{2}|(?<=D)6W) ?[0-9AC-FHKNPRTV-Y]{4}(?![\w-])"
)
# A code with its country's letter(s) in front, as in cross-border mail: "D-10115",
# "F-75002", "NL-1012 AB", "B-1000", "L-1234", "CH-8001", "A-1010", "DK-2100",
# "S-113 51", "N-0150", "FI-00100", "I-00184", "E-28013", "P-1000-001", "GR-105 63".
_PREFIXED = re.compile(
    r"(?<![\w-])(?:D|F|NL|B|L|CH|A|DK|S|SE|N|NO|FI|I|IT|E|ES|P|PT|GR|PL|CZ|AT|BE|DE|FR|LU)"
    r"-(?:\d{4} ?[A-Z]{2}|\d{3} \d{2}|\d{4}-\d{3}|\d{2}-\d{3}|\d{4,5})(?![\w-])"
)
# Sweden, Greece, Czechia, Slovakia: "113 51", "105 63"; Portugal "1000-001"; Poland
# "00-950". All look like other numbers: only context or a city after makes them codes.
_THREE_TWO = re.compile(r"(\d(?<![\w.,/+€$£-]\d)\d{2} \d{2})(?![\w]|[.,/:-]?\d|\s?[%€$£])")
_PT = re.compile(r"(\d(?<![\w.,/+€$£-]\d)\d{3}-\d{3})(?![\w]|[.,/:-]?\d)")
_PL = re.compile(r"(\d(?<![\w.,/+€$£-]\d)\d-\d{3})(?![\w]|[.,/:-]?\d)")


@builtin
class CanadianPostalCodeRecognizer(PatternRecognizer):
    trigger = DIGIT

    def __init__(self) -> None:
        super().__init__(
            "ca_postal_code", EntityType.POSTAL_CODE, [Pattern(_CA, 0.75)], _CONTEXT, 0.2
        )


@builtin
class EircodeRecognizer(PatternRecognizer):
    trigger = DIGIT

    def __init__(self) -> None:
        super().__init__(
            "ie_eircode", EntityType.POSTAL_CODE, [Pattern(_EIRCODE, 0.45)], _CONTEXT, 0.35
        )


@builtin
class PrefixedPostalCodeRecognizer(PatternRecognizer):
    # Every match has a country letter, a hyphen and a digit in a row ("D-1", "NL-1"): far
    # rarer than a digit, and found by a scan that skips from capital to capital.
    trigger = re.compile(r"[A-Z]-\d")

    def __init__(self) -> None:
        super().__init__(
            "prefixed_postal_code", EntityType.POSTAL_CODE, [Pattern(_PREFIXED, 0.8)], _CONTEXT, 0.1
        )


@builtin
class ThreeTwoPostalCodeRecognizer(_AmbiguousPostalCodeRecognizer):
    """Swedish, Greek, Czech and Slovak codes: "113 51 Stockholm"."""

    regex = _THREE_TWO
    state_bonus = 0.0

    def __init__(self) -> None:
        super().__init__("three_two_postal_code")


@builtin
class PortuguesePostalCodeRecognizer(_AmbiguousPostalCodeRecognizer):
    regex = _PT
    base = 0.3
    state_bonus = 0.0

    def __init__(self) -> None:
        super().__init__("pt_postal_code")


@builtin
class PolishPostalCodeRecognizer(_AmbiguousPostalCodeRecognizer):
    regex = _PL
    state_bonus = 0.0

    def __init__(self) -> None:
        super().__init__("pl_postal_code")
