"""Calendar dates, and dates of birth: a date next to a birth word ("born", "geboren", "né le").

Formats: 12-03-1985, 12/03/1985, 12.03.1985, 1985-03-12, 12 maart 1985, 3. März 1985,
1er mars 1985, 12th of March 1985, March 12, 1985, and without the year where the month is
written out or abbreviated ("am 10. Februar", "le 15 avril", "August 17", "4 Nov", "Dec
12th", "the 20th of May") or after a German date word ("bestellt am 1.10."), with the weekday
before it ("woensdag 15 januari", "mardi 4 mars"). Every candidate must be a real
calendar date between 1900 and 2100, so times (14:30), versions (2.3.1), amounts and plain
years never match. A plain date is reported as DATE just above the default threshold (private by
default: a delivery date plus a city can single a customer out; a policy that wants dates
left alone raises the threshold or lists the types it wants); the same date after "date of
birth" is a DATE_OF_BIRTH and scores high.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from discreet.detect.base import DIGIT, LETTERS, DetectionInput, Finding, PatternRecognizer
from discreet.detect.context import Typos, word_regex
from discreet.detect.entities import EntityType
from discreet.detect.ordinary import WEEKDAYS
from discreet.detect.registry import builtin
from discreet.detect.validators import expand_year, is_calendar_date

SCORE_DATE = 0.5
SCORE_DATE_OF_BIRTH = 0.85

_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("january", "januari", "januar", "jänner", "janvier", "janv", "jan"),
    2: ("february", "februari", "februar", "février", "fevrier", "févr", "fevr", "feb", "fév"),
    3: ("march", "maart", "märz", "maerz", "marz", "mars", "mrt", "mär", "mar"),
    4: ("april", "avril", "apr", "avr"),
    5: ("may", "mei", "mai"),
    6: ("june", "juni", "juin", "jun"),
    7: ("july", "juli", "juillet", "juil", "jul"),
    8: ("august", "augustus", "août", "aout", "aug"),
    9: ("september", "septembre", "sept", "sep"),
    10: ("october", "oktober", "octobre", "okt", "oct"),
    11: ("november", "novembre", "nov"),
    12: ("december", "dezember", "décembre", "decembre", "déc", "dez", "dec"),
}
_MONTHS: dict[str, int] = {name: m for m, names in _MONTH_NAMES.items() for name in names}


def is_month(word: str) -> bool:
    """Whether `word` names a month in one of the four languages, abbreviated or not."""
    return word.casefold().rstrip(".") in _MONTHS


# Every regex starts with a digit, and checks what precedes that digit with a look-behind
# placed after it: a regex that starts with a character class is scanned much faster than
# one that starts with a look-behind. All run on lower-cased text.
_NOT_AFTER = r"(?<![\w.,/:-]\d)"
_NUMERIC = re.compile(
    rf"(?P<a>\d{_NOT_AFTER}\d?)(?P<sep>[-./])(?P<b>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}|\d{{2}})"
    r"(?![\w]|[.,/:-]?\d)"
)
_ISO = re.compile(
    rf"(?P<y>\d{_NOT_AFTER}\d{{3}})(?P<sep>[-/.])(?P<b>\d{{1,2}})(?P=sep)(?P<a>\d{{1,2}})"
    r"(?![\w]|[.,/:-]?\d)"
)
# "12 maart 1985", "3. märz 1985", "1er mars 1985", "12th of march 1985": the month is any
# word, looked up in _MONTHS (one dictionary look-up beats a 60-way alternation).
_DAY_MONTH_YEAR = re.compile(
    r"(?P<a>\d(?<![\w.,]\d)\d?)(?:\.|st|nd|rd|th|er|e|ste|de)?\s*(?:of\s+|de\s+)?"
    r"(?P<m>[^\W\d_]{3,9})\.?,?\s+(?P<y>\d{4}|['’]\d{2})(?!\w)"  # "3rd of March '87"
)
# "march 12, 1985": found from the day, then the month word is read before it.
_DAY_YEAR = re.compile(r"(?P<a>\d(?<![\w.,]\d)\d?)(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})(?!\w)")
_MONTH_BEFORE = re.compile(r"(?<!\w)(?P<m>[^\W\d_]{3,9})(?P<dot>\.)?\s+$")
# Without a year: "am 10. Februar", "le 15 avril", "on 14 August", "August 17", "4 Nov",
# "Dec 12th": a delivery or order date, as private as one with its year. An abbreviation
# that is also a name ("Jan") or a word needs its period or an ordinal ("4 jan.", "Jan
# 5th"), and "may"/"mai" after a number needs an ordinal or "of" ("2 may be damaged", "the
# 20th of May").
_MARKED_ONLY = frozenset({"jan", "mar"})
_MODAL = frozenset({"may", "mai"})
_DAY_MONTH = re.compile(
    r"(?P<a>\d(?<![\w.,:/-]\d)\d?)(?P<o>\.|st|nd|rd|th|er|e|ste|de)?\s*(?P<of>of\s+|de\s+)?"
    r"(?P<m>[^\W\d_]{3,9})(?![\w-])"
)
_MONTH_DAY = re.compile(r"(?P<a>\d(?<![\w.,:/-]\d)\d?)(?P<o>st|nd|rd|th)?(?![\w:]|[.,/-]?\d)")
# "bestellt am 1.10.": day and month with their dots after a German date word; without
# the word, "1.10." is as often a section or a version, and after "bis" or "ab" a time
# ("ich arbeite bis 16.10.").
_SHORT_GERMAN = re.compile(r"(?P<a>\d(?<![\w.,:/-]\d)\d?)\.(?P<b>\d{1,2})\.(?![\w.,/-]|\d)")
_GERMAN_DATE_WORD = re.compile(r"(?<!\w)(?:am|vom|zum|dem|den)\s+$")
_WEEKDAY_BEFORE = re.compile(
    r"(?<![^\W\d_])(?:" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")[ \t]+$"
)

_BIRTH_WORDS = word_regex("DATE_OF_BIRTH")
# How far a birth word may be from the date: "date of birth: 12-03-1985", "geboren am
# 3. März 1985 in Köln", "12/03/1985 (DOB)", and a chat answer to the agent's question
# ("confirm your date of birth for security?\nCustomer: 17.09.1978").
_BIRTH_WINDOW_BEFORE = 48
_BIRTH_WINDOW_AFTER = 16
# Further before, in the same sentence: a customer correcting it ("my date of birth on the
# account is wrong, it should be 28 February 1963"; "mijn geboortedatum in het account
# klopt niet, het moet 28 januari 1971 zijn").
_BIRTH_SENTENCE_BEFORE = 80
_SENTENCE_BREAK = re.compile(r"[.!?;\n]")
# The birth words written with a typo ("gebuurtsdatum", "date of bitrh"), looked for in the
# words of the date's sentence before it, after its last number.
_BIRTH_TYPOS = Typos("DATE_OF_BIRTH")
_CLAUSE_START = re.compile(r"(?s:.*)[.!?;\n\d]")
_TYPO_WORDS = 12

Span = tuple[int, int]
# A regex, and the reader that turns its match into a date's span (or None).
_Reader = tuple[re.Pattern[str], Callable[[re.Match[str], str, str], Span | None]]


def _numeric_date(match: re.Match[str], lower: str, language: str) -> Span | None:
    first, second, year_text = match["a"], match["b"], match["y"]
    # "1.2.24" is more often a version than a date: short years need two-digit day and
    # month, unless a birth word says what it is ("geb. 12.3.85").
    if (
        len(year_text) == 2
        and (len(first) < 2 or len(second) < 2)
        and not _is_birth_date(lower, *match.span())
    ):
        return None
    year = expand_year(year_text)
    day, month = int(first), int(second)
    if is_calendar_date(day, month, year):
        return match.span()
    # Month first is American; accept it where the day-first reading is impossible.
    if language == "en" and match["sep"] == "/" and is_calendar_date(month, day, year):
        return match.span()
    return None


def _iso_date(match: re.Match[str], lower: str, language: str) -> Span | None:
    valid = is_calendar_date(int(match["a"]), int(match["b"]), int(match["y"]))
    return match.span() if valid else None


def _day_month_year(match: re.Match[str], lower: str, language: str) -> Span | None:
    month = _MONTHS.get(match["m"])
    year_text = match["y"]
    year = int(year_text) if year_text[0].isdigit() else expand_year(year_text[1:])
    if month is None or not is_calendar_date(int(match["a"]), month, year):
        return None
    return match.span()


def _month_day_year(match: re.Match[str], lower: str, language: str) -> Span | None:
    start = match.start()
    before = _MONTH_BEFORE.search(lower, max(0, start - 12), start)
    if before is None:
        return None
    month = _MONTHS.get(before["m"])
    if month is None or not is_calendar_date(int(match["a"]), month, int(match["y"])):
        return None
    return before.start(), match.end()


def _yearless_month(name: str, marked: bool) -> int | None:
    """The month `name` stands for in a date without its year, or None where it may be
    the word or the name it also is (see `_MARKED_ONLY`); `marked`: the day or the month
    carries a period or an ordinal."""
    month = _MONTHS.get(name)
    if month is None or (name in _MARKED_ONLY and not marked):
        return None
    return month


def _day_month(match: re.Match[str], lower: str, language: str) -> Span | None:
    name, suffix = match["m"], match["o"]
    month = _yearless_month(name, suffix is not None or lower.startswith(".", match.end()))
    ordinal = suffix is not None and suffix != "."
    if month is None or (name in _MODAL and language == "en" and not (ordinal or match["of"])):
        return None
    return match.span() if is_calendar_date(int(match["a"]), month, 2000) else None


def _month_day(match: re.Match[str], lower: str, language: str) -> Span | None:
    start = match.start()
    before = _MONTH_BEFORE.search(lower, max(0, start - 12), start)
    if before is None:
        return None
    month = _yearless_month(before["m"], match["o"] is not None or before["dot"] is not None)
    if month is None or not is_calendar_date(int(match["a"]), month, 2000):
        return None
    return before.start(), match.end()


def _short_german(match: re.Match[str], lower: str, language: str) -> Span | None:
    start = match.start()
    if _GERMAN_DATE_WORD.search(lower, max(0, start - 8), start) is None:
        return None
    valid = is_calendar_date(int(match["a"]), int(match["b"]), 2000)
    return (start, match.end()) if valid else None


_PATTERNS: tuple[_Reader, ...] = (
    (_NUMERIC, _numeric_date),
    (_ISO, _iso_date),
    (_DAY_MONTH_YEAR, _day_month_year),
    (_DAY_YEAR, _month_day_year),
)
# Without a year, after those: where a year follows, the dated span already holds these.
# They run only where a month is written out (one search instead of a match per number).
_YEARLESS: tuple[_Reader, ...] = ((_DAY_MONTH, _day_month), (_MONTH_DAY, _month_day))
_MONTH_WORD = re.compile(
    r"(?<![^\W\d_])(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")(?![^\W\d_])"
)


@builtin
class DateRecognizer(PatternRecognizer):
    """Reports DATE_OF_BIRTH next to a birth word and DATE otherwise."""

    trigger = DIGIT

    def __init__(self) -> None:
        super().__init__("date", EntityType.DATE, patterns=())
        self.entity_types = frozenset({EntityType.DATE, EntityType.DATE_OF_BIRTH})

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        lower = item.lower
        seen: set[Span] = set()
        yearless = _YEARLESS if _MONTH_WORD.search(lower) is not None else ()
        german = ((_SHORT_GERMAN, _short_german),) if item.language == "de" else ()
        for regex, date_span in (*_PATTERNS, *yearless, *german):
            for match in regex.finditer(lower):
                span = date_span(match, lower, item.language)
                if span is None or any(s <= span[0] and span[1] <= e for s, e in seen):
                    continue  # found already, or inside a date with its year
                seen.add(span)
                span = _with_weekday(lower, span)
                if _is_birth_date(lower, *span) or _after_birth_typo(lower, span[0], item.language):
                    yield Finding(*span, EntityType.DATE_OF_BIRTH, SCORE_DATE_OF_BIRTH, self.name)
                else:
                    yield Finding(*span, EntityType.DATE, SCORE_DATE, self.name)


def _with_weekday(lower: str, span: Span) -> Span:
    """The date with the weekday written just before it ("woensdag 15 januari"): the
    weekday alone says which week."""
    start = span[0]
    weekday = _WEEKDAY_BEFORE.search(lower, max(0, start - 12), start)
    return span if weekday is None else (weekday.start(), span[1])


def _is_birth_date(lower: str, start: int, end: int) -> bool:
    """A birth word close before or after the date, with no other number in between.

    "geboren op 12-03-1985, besteld op 14-02-2024": only the first date is the birth date;
    the digits of the first stand between "geboren" and the second.
    """
    last_start = last_end = -1
    for word in _BIRTH_WORDS.finditer(lower, max(0, start - _BIRTH_SENTENCE_BEFORE), start):
        last_start, last_end = word.span()
    if (
        last_end >= 0
        and DIGIT.search(lower, last_end, start) is None
        and (
            start - last_start <= _BIRTH_WINDOW_BEFORE
            or _SENTENCE_BREAK.search(lower, last_end, start) is None
        )
    ):
        return True
    after = _BIRTH_WORDS.search(lower, end, end + _BIRTH_WINDOW_AFTER)
    return after is not None and DIGIT.search(lower, end, after.start()) is None


def _after_birth_typo(lower: str, start: int, language: str) -> bool:
    """A birth word with one typo among the last words before the date, in its sentence and
    after its last number: "mein gebuurtsdatum ist der 15. März 1974"."""
    window_start = max(0, start - _BIRTH_SENTENCE_BEFORE)
    clause = _CLAUSE_START.match(lower, window_start, start)
    words = LETTERS.findall(lower, clause.end() if clause else window_start, start)[-_TYPO_WORDS:]
    return _BIRTH_TYPOS.among(words, language)
