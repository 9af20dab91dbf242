"""Context words that make an ambiguous pattern match personal data, per type and language.

A nine-digit number passing the BSN 11-proof is one number in eleven; next to "BSN" it is
almost surely one. Recognizers look these words up here rather than keeping their own lists,
so a reviewer can read every cue the engine trusts in one place.

Keys are entity type names (``"PHONE_NUMBER"``) or, where a type has subtypes with their own
vocabulary, the subtype (``"NL_BSN"``). Words are matched case-insensitively as whole words.

Recognizers use the words of *all* languages whatever the text's language: identifying the
language of a short chat message is unreliable, and customers mix languages ("mijn BSN",
"my IBAN", "meine E-Mail"). The per-language split is kept for maintenance and review.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from discreet.detect.ordinary import zipf_here

Words = tuple[str, ...]


def _load() -> dict[str, dict[str, Words]]:
    # The words are data, kept in context_words.toml (one table per key, one list per
    # language), so a reviewer reads them without code around them.
    loaded = tomllib.loads(Path(__file__).with_name("context_words.toml").read_text("utf-8"))
    return {
        key: {language: tuple(words) for language, words in per_language.items()}
        for key, per_language in loaded.items()
    }


CONTEXT: Mapping[str, Mapping[str, Words]] = _load()


def all_languages(key: str) -> dict[str, Words]:
    """The words for `key` in every language, under "*" (the form `PatternRecognizer` takes).

    Unknown keys are a programming error and raise KeyError naming the key.
    """
    per_language = CONTEXT[key]
    merged = sorted({w for words in per_language.values() for w in words})
    return {"*": tuple(merged)}


def phrases(key: str) -> Words:
    """Every word for `key`, longest first, for building a trigger regex."""
    return tuple(sorted(all_languages(key)["*"], key=len, reverse=True))


def word_regex(key: str) -> re.Pattern[str]:
    """One regex matching any word for `key` as a whole word, for lower-cased text.

    Same matching rules as `PatternRecognizer`'s context check, for recognizers that need
    to know *where* the word is (a date of birth is the date right after "born").
    """
    alternatives = "|".join(re.escape(w.lower()) for w in phrases(key))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


TYPO_MIN_LENGTH = 5
"""Phrases shorter than this are not matched with a typo: one edit makes "born" "bore" or
"torn", and "order" is five letters from "older" (a number after either is an order's)."""
TYPO_WORD = 2.5
"""A word this frequent (Zipf, see detect.ordinary) is no typo: "older" is not "order"."""


class Typos:
    """The phrases for a key written with one typo: a letter dropped, added, changed or two
    swapped (Damerau-Levenshtein distance 1), as customers type them ("Bstellung",
    "customer nuber", "passsword", "gebuurtsdatum", "date of bitrh").

    Recognizers look for the value first (a number, a date, something shaped like a
    password) and ask this about the words before it, so the fuzzy comparison runs only
    where a value stands.
    """

    def __init__(self, key: str) -> None:
        self.phrases = [p for p in phrases(key) if len(p) >= TYPO_MIN_LENGTH]

    def end(self, words: Sequence[str], language: str) -> bool:
        """Whether the last one, two or three of the lower-case `words` are one of the
        phrases with one typo; not if all of them are frequent words of `language`."""
        words = words[-3:]
        if not words or all(zipf_here(w, language) >= TYPO_WORD for w in words):
            return False
        candidates = (" ".join(words[-n:]) for n in range(len(words), 0, -1))
        return any(
            process.extractOne(c, self.phrases, scorer=DamerauLevenshtein.distance, score_cutoff=1)
            for c in candidates
        )

    def among(self, words: Sequence[str], language: str) -> bool:
        """Whether one of the phrases, with one typo, ends anywhere in `words`: the words
        between it and the value may be anything ("Steur-ID lautet", "gebuurtsdatum ist
        der")."""
        return any(self.end(words[:i], language) for i in range(len(words), 0, -1))
