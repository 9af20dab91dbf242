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
from collections.abc import Mapping
from pathlib import Path

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
