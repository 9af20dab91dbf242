"""The recognizer interface and the values that cross it.

A recognizer looks at one text and returns findings. It knows nothing about storage, HTTP
or other recognizers; the `Detector` runs them all and merges what they found.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from discreet.detect.entities import EntityType

if TYPE_CHECKING:
    from discreet.detect.context import Typos


@dataclass(frozen=True, slots=True)
class Finding:
    """One span of personal data.

    Deliberately holds no copy of the matched text, so a finding can be logged, audited
    or put in an exception message without leaking the value. Use `value(text)` to read it.
    """

    start: int
    end: int
    type: EntityType
    score: float
    recognizer: str
    subtype: str | None = None
    """A finer type where one exists, e.g. NL_BSN for a NATIONAL_ID."""

    def value(self, text: str) -> str:
        return text[self.start : self.end]

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "start": self.start,
            "end": self.end,
            "type": self.type.value,
            "score": round(self.score, 4),
        }
        if self.subtype:
            out["subtype"] = self.subtype
        out["recognizer"] = self.recognizer
        return out


@dataclass(frozen=True, slots=True)
class KnownSubject:
    """The customer a conversation is about, as far as detection needs to know them.

    In customer service the subject is usually known; their own values are the most precise
    signal there is. Every field is optional. `extra` holds further values by type, e.g.
    ``{EntityType.ORDER_ID: ["A-1234"]}``.
    """

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    street_address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    iban: str | None = None
    customer_number: str | None = None
    date_of_birth: str | None = None
    extra: Mapping[EntityType, Sequence[str]] = field(default_factory=dict)
    given_name: str | None = None
    family_name: str | None = None
    """The name's parts when the record holds them as fields of their own (``name`` is
    then the two joined): pseudonymisation gives each part the token its field has, so
    "Mrs. E. Pritchard" in a message links to the context's first and last name. Not
    searched for separately (`values` holds the full name, whose variants cover them)."""

    def values(self) -> list[tuple[EntityType, str]]:
        pairs: list[tuple[EntityType, str | None]] = [
            (EntityType.PERSON, self.name),
            (EntityType.EMAIL_ADDRESS, self.email),
            (EntityType.PHONE_NUMBER, self.phone),
            (EntityType.STREET_ADDRESS, self.street_address),
            (EntityType.POSTAL_CODE, self.postal_code),
            (EntityType.LOCATION, self.city),
            (EntityType.IBAN, self.iban),
            (EntityType.CUSTOMER_ID, self.customer_number),
            (EntityType.DATE_OF_BIRTH, self.date_of_birth),
        ]
        for etype, extra_values in self.extra.items():
            pairs.extend((etype, v) for v in extra_values)
        return [(t, v.strip()) for t, v in pairs if v and v.strip()]

    def __repr__(self) -> str:  # never print the values
        return f"KnownSubject(<{len(self.values())} values>)"


WORD = re.compile(r"[^\W\d_]++(?:['’\-][^\W\d_]++)*+")
"""A word: letters, joined by apostrophes or hyphens ("O'Brien", "Anne-Marie",
"Saint-Étienne"). Possessive quantifiers: nothing after a letter run or a joined part could
use a character given back, so they match what greedy ones would, without keeping
backtracking state."""
LETTERS = re.compile(r"[^\W\d_]+")
"""A run of letters: "steur-id" is two ("steur", "id"), as the word lists count words."""
_WORD_SPLIT = re.compile(f"({WORD.pattern})")


def elision(word: str) -> int:
    """How many characters of `word` are a French elided article or preposition before the
    word proper: 2 for "l'Oise", "d’Athènes", "l'étagère"; 0 otherwise."""
    return 2 if len(word) > 2 and word[1] in "'’" and word[0] in "lLdD" else 0


# How many words before a candidate may hold a context word with a typo and what stands
# between it and the value ("Steur-ID lautet", "BSN-nummer is").
_TYPO_WORDS_BEFORE = 3


class DetectionInput:
    """One text being analysed, with what every recognizer may want precomputed once."""

    __slots__ = ("__dict__", "language", "subject", "text")

    def __init__(self, text: str, language: str, subject: KnownSubject | None = None) -> None:
        self.text = text
        self.language = language
        self.subject = subject

    @cached_property
    def informal(self) -> bool:
        """Whether the text reads as informal writing (see `discreet.detect.register`)."""
        from discreet.detect.register import informal

        return informal(self.text, self.language)

    @cached_property
    def words(self) -> tuple[tuple[int, int, str], ...]:
        """(start, end, word) of each `WORD` in `text`, in order: the names and places
        recognizers both walk them, so the text is split once."""
        # `split` gives gap, word, gap, ..., word, gap as plain strings: no match object per
        # word, and offsets follow from the lengths. A gap is empty only at either end of
        # the text (two adjacent words would be one match).
        parts = _WORD_SPLIT.split(self.text)
        out: list[tuple[int, int, str]] = []
        end = 0
        for gap, word in zip(parts[0::2], parts[1::2], strict=False):
            start = end + len(gap)
            end = start + len(word)
            out.append((start, end, word))
        return tuple(out)

    @cached_property
    def unelided(self) -> tuple[tuple[int, int, str], ...]:
        """`words`, where the text is French with an elided article or preposition cut off a
        capitalised name: "l'Oise" is "Oise", "d'Athènes" is "Athènes" (customers write them
        without a blank). The same as `words` in other languages."""
        if self.language != "fr":
            return self.words
        return tuple(
            (start + 2, end, word[2:])
            if elision(word) and word[2].isupper()
            else (start, end, word)
            for start, end, word in self.words
        )

    @cached_property
    def lower(self) -> str:
        """`text` lower-cased with the same length, so offsets into it are offsets into
        `text`. (A few characters, such as "İ", lower-case to two; those stay as they are.)
        """
        lower = self.text.lower()
        if len(lower) == len(self.text):
            return lower
        return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in self.text)


DIGIT = re.compile(r"\d")
"""The `Recognizer.trigger` of recognizers whose every finding holds a digit."""


class Recognizer(ABC):
    """Finds one family of entities in a text.

    Subclasses set `name` (unique, shown in findings to explain decisions), the
    `entity_types` they can return, and `languages` (None: language-independent).
    """

    name: str = ""
    entity_types: frozenset[EntityType] = frozenset()
    languages: frozenset[str] | None = None
    trigger: re.Pattern[str] | None = None
    """A pattern found in every text this recognizer can find anything in (`DIGIT` for
    numbers, "@" for e-mail addresses), or None: always run. The `Detector` searches each
    distinct trigger once per text and skips the recognizers whose trigger is absent: most
    sentences hold no digit, and a recognizer's own regexes (many start with a look-behind,
    tried at every position) cost far more than one search for a digit."""

    def supports(self, language: str) -> bool:
        return self.languages is None or language in self.languages

    @abstractmethod
    def analyze(self, item: DetectionInput) -> Iterable[Finding]:
        """Return findings in `item.text`. Must not raise on any text."""


Validator = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class Pattern:
    """A regex that proposes candidates, and a validator that must accept the match.

    `group` selects the capture group that is the entity (0: the whole match), so a pattern
    can require surrounding context without including it in the span.
    """

    regex: re.Pattern[str]
    score: float
    validator: Validator | None = None
    group: int = 0
    subtype: str | None = None


def checked_prefix(
    text: str,
    start: int,
    end: int,
    is_valid: Callable[[str], bool],
    separator: re.Pattern[str],
    *,
    skip: int = 0,
    min_len: int = 0,
) -> int | None:
    """Where a checksummed number that begins at ``start`` ends, or None.

    A pattern's match may run on into the next word or a year ("4111 1111 1111 1111
    2026", "BE 0403.170.701 BV"): try the whole match, then cut it at its last
    ``separator`` (searched from ``start + skip``) one group at a time, while it is
    longer than ``min_len``, until ``is_valid`` accepts it."""
    while end - start > min_len:
        if is_valid(text[start:end]):
            return end
        cut = max((m.start() for m in separator.finditer(text, start + skip, end)), default=-1)
        if cut <= start:
            return None
        end = cut
    return None


class PatternRecognizer(Recognizer):
    """Regex candidates, checked by validators, scored up by nearby context words.

    Context words are matched case-insensitively in a window before (and a shorter window
    after) the candidate. A candidate that scores below `min_score` after context is dropped.
    """

    context_window_before = 48
    context_window_after = 24
    typos: Typos | None = None
    """The context words written with one typo, looked for in the last words before a
    candidate that has no context word ("Steur-ID 43876621504"); None: exact words only."""

    def __init__(
        self,
        name: str,
        entity_type: EntityType,
        patterns: Sequence[Pattern],
        context: Mapping[str, Sequence[str]] | None = None,
        context_boost: float = 0.35,
        min_score: float = 0.0,
        languages: frozenset[str] | None = None,
    ) -> None:
        self.name = name
        self.entity_type = entity_type
        self.entity_types = frozenset({entity_type})
        self.patterns = tuple(patterns)
        self.context_boost = context_boost
        self.min_score = min_score
        self.languages = languages
        self._context = _compile_context(context or {})

    def analyze(self, item: DetectionInput) -> Iterable[Finding]:
        text = item.text
        for pattern in self.patterns:
            for match in pattern.regex.finditer(text):
                start, end = match.span(pattern.group)
                if start < 0 or start == end:
                    continue
                candidate = text[start:end]
                if pattern.validator is not None and not pattern.validator(candidate):
                    continue
                score = self.boosted(item, start, end, pattern.score)
                if score >= self.min_score:
                    yield Finding(start, end, self.entity_type, score, self.name, pattern.subtype)

    def boosted(self, item: DetectionInput, start: int, end: int, score: float) -> float:
        """`score`, raised by `context_boost` (capped at 1) when a context word is near."""
        if self.has_context(item, start, end):
            return min(1.0, score + self.context_boost)
        return score

    def has_context(self, item: DetectionInput, start: int, end: int) -> bool:
        regex = self._context.get(item.language) or self._context.get("*")
        if regex is None:
            return False
        lower = item.lower
        before = lower[max(0, start - self.context_window_before) : start]
        after = lower[end : end + self.context_window_after]
        if regex.search(before) is not None or regex.search(after) is not None:
            return True
        if self.typos is None:
            return False
        words = WORD.findall(before)[-_TYPO_WORDS_BEFORE:]
        return self.typos.among(words, item.language)


class ChecksummedRecognizer(PatternRecognizer):
    """A number whose check digits make a match certain (payment cards, VAT ids).

    A cheap ``quick`` search skips texts that cannot hold one; each ``candidate`` match is
    cut back by `checked_prefix` (at ``separator``, never within the first ``skip``
    characters, never to ``min_len`` or shorter) until `is_valid` accepts it. Subclasses
    set the patterns and `is_valid`, and override `score` where the base score depends on
    more than nearby context words."""

    trigger = DIGIT  # every checksummed number holds digits
    quick: re.Pattern[str]
    candidate: re.Pattern[str]
    separator: re.Pattern[str]
    base_score: float
    skip = 0
    min_len = 0

    @abstractmethod
    def is_valid(self, number: str) -> bool:
        """Whether ``number`` (as written, separators included) passes its checks."""

    def score(self, item: DetectionInput, start: int, end: int) -> float:
        """The finding's score (0: not reported)."""
        return self.boosted(item, start, end, self.base_score)

    def analyze(self, item: DetectionInput) -> Iterable[Finding]:
        text = item.text
        if self.quick.search(text) is None:
            return
        for match in self.candidate.finditer(text):
            start = match.start()
            end = checked_prefix(
                text,
                start,
                match.end(),
                self.is_valid,
                self.separator,
                skip=self.skip,
                min_len=self.min_len,
            )
            if end is None:
                continue
            score = self.score(item, start, end)
            if score > 0:
                yield Finding(start, end, self.entity_type, score, self.name)


def _compile_context(context: Mapping[str, Sequence[str]]) -> dict[str, re.Pattern[str]]:
    """One regex per language; words in every language also count under "*" (all)."""
    all_words = sorted({w.lower() for words in context.values() for w in words}, key=len)
    compiled: dict[str, re.Pattern[str]] = {}
    if all_words:
        compiled["*"] = _word_regex(all_words)
    for lang, words in context.items():
        # A text tagged Dutch still often says "IBAN" or "email": keep English words too.
        merged = sorted({w.lower() for w in (*words, *context.get("en", ()))}, key=len)
        compiled[lang] = _word_regex(merged)
    return compiled


def _word_regex(words: Sequence[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
