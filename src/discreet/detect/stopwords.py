"""spaCy's stop word lists, read without importing spaCy.

Each list (`spacy/lang/<lang>/stop_words.py`) is a self-contained module defining
STOP_WORDS. Loading it by path skips both `import spacy` (about 0.7 s) and its language
package, whose import builds the tokenizer exceptions (about 4 s for the four); the four
lists load in a few milliseconds.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

from discreet.detect.entities import SUPPORTED_LANGUAGES
from discreet.errors import Unavailable


class StopWordsError(Unavailable, RuntimeError):
    """spaCy, or one of its stop word lists, is not installed."""


def _spacy_root() -> Path:
    spec = importlib.util.find_spec("spacy")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise StopWordsError("spaCy is not installed; its stop word lists are needed")
    return Path(locations[0])


@functools.cache
def stop_words(language: str) -> frozenset[str]:
    """The casefolded stop words of spaCy's list for `language` (a supported language)."""
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(
            f"no stop word list for language {language!r}; "
            f"use one of {', '.join(SUPPORTED_LANGUAGES)}"
        )
    path = _spacy_root() / "lang" / language / "stop_words.py"
    if not path.is_file():
        raise StopWordsError(f"spaCy's {language} stop word list {path} is missing")
    spec = importlib.util.spec_from_file_location(f"discreet_stop_words_{language}", path)
    if spec is None or spec.loader is None:
        raise StopWordsError(f"spaCy's {language} stop word list {path} cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(word.casefold() for word in module.STOP_WORDS)


@functools.cache
def any_stop_words() -> frozenset[str]:
    """The stop words of all four languages together: for words that must be no function
    word in whatever language the text mixes in ("Minister Of", "Van: The Team")."""
    return frozenset().union(*(stop_words(language) for language in SUPPORTED_LANGUAGES))
