"""Language identification restricted to the languages discreet supports.

Most customer messages are plainly one language and full of its function words ("the",
"het", "und", "vous"). Tier 1 counts a short curated list of them and settles a text only
on clear evidence. The texts it leaves (short questions, mixed languages, mostly names
and numbers) go to tier 2: a naive Bayes model of character 1-3-grams of words, trained
on the generated training split by ``training/train_language.py`` and shipped as
``language_ngrams.json`` (loaded in milliseconds).

Tier 2 replaced py3langid, whose model (97 languages) took 0.5 s to load on the first
text tier 1 could not decide. On those texts the n-gram model is at least as accurate:
238 of 238 generated eval texts (py3langid 237), 68 of 70 hand-written ones (py3langid
68; both misses are mainly English messages labelled by their other language), and all
79 short FAQ questions of the gateway's tests. A stop-word vote tried in between got
short Dutch questions wrong ("Is de bezorging gratis?": "de" is French too).
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from pathlib import Path

import numpy as np

from discreet.detect.base import LETTERS
from discreet.detect.entities import SUPPORTED_LANGUAGES
from discreet.errors import Unavailable

DEFAULT_LANGUAGE = "en"
# Below this many letters, identification is a guess; callers get the default instead.
_MIN_LETTERS = 12
# The fast path decides only on clear evidence: at least this many function words of one
# language, and this many times the runner-up's count. Measured on the generated eval
# corpus and the hand-written set, these thresholds decided 57-88% of texts with no
# disagreement with the gold language; lower ones started to err on short mixed texts.
_MIN_HITS = 4
_MIN_RATIO = 3
_SCAN_CHARS = 2000

# Distinctive function words per language. A word in more than one list ("is" en/nl, "je"
# nl/fr) is dropped rather than counted for each: dropping decided more texts, with no
# errors either way.
_FUNCTION_WORDS: dict[str, str] = {
    "en": "the and you your my i is are was have has not this that with for please thanks "
    "thank would could can it me we our of to",
    "nl": "de het een ik mijn je jij u uw niet dat met voor op is van en maar nog wel graag "
    "bedankt hebben heb ben zijn kunt kan ook",
    "de": "der die das und ich mein meine nicht mit für ist sie ihr ein eine den dem bitte "
    "danke haben habe bin sind können kann auch noch",
    "fr": "le la les et je mon ma mes ne pas pour est vous votre un une des du avec merci "
    "bonjour suis avons avez peux pouvez aussi",
}


def _word_languages(lists: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Each word to its language, leaving out words that more than one language lists."""
    owners: dict[str, set[str]] = {}
    for lang, words in lists.items():
        for word in words:
            owners.setdefault(word.casefold(), set()).add(lang)
    return {word: langs.pop() for word, langs in owners.items() if len(langs) == 1}


_WORD_LANGUAGE = _word_languages({k: v.split() for k, v in _FUNCTION_WORDS.items()})
MODEL_PATH = Path(__file__).with_name("language_ngrams.json")
_NGRAM_MAX = 3

_lock = threading.Lock()
_model: _NgramModel | None = None


def char_ngrams(text: str) -> Iterator[str]:
    """The model's features: 1- to 3-grams of each casefolded word with a space either
    side (so "_de_" and "de" at a word's start are their own evidence)."""
    for word in LETTERS.findall(text.casefold()):
        yield from word_ngrams(word)


def word_ngrams(word: str) -> list[str]:
    """`char_ngrams` of one casefolded word: its letters, then its 2- and 3-grams with a
    space either side (a list built in one go: a generator's step per gram was most of the
    time of classifying a text of new words)."""
    padded = f" {word} "
    return [
        *word,  # the 1-grams, less the two lone spaces
        *[padded[i : i + n] for n in range(2, _NGRAM_MAX + 1) for i in range(len(padded) - n + 1)],
    ]


_CACHED_WORDS = 1 << 16
"""Distinct words whose n-gram rows `_NgramModel` keeps (words repeat across texts)."""


class _NgramModel:
    """Log-probabilities of n-grams per language; a text's language is the one whose
    grams are likeliest (n-grams the model does not know are skipped)."""

    def __init__(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            self.languages: tuple[str, ...] = tuple(data["languages"])
            grams: dict[str, list[float]] = data["log_prob"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LanguageModelError(
                f"the language model {path} is missing or damaged ({type(exc).__name__}); "
                "reinstall discreet or rebuild it with `python training/train_language.py`"
            ) from None
        if set(self.languages) != set(SUPPORTED_LANGUAGES):
            raise LanguageModelError(
                f"the language model {path} covers {sorted(self.languages)}, "
                f"not {sorted(SUPPORTED_LANGUAGES)}"
            )
        self._index = {gram: i for i, gram in enumerate(grams)}
        self._log_prob = np.asarray(list(grams.values()), dtype=np.float64)
        self._rows: dict[str, tuple[int, ...]] = {}

    def _word_rows(self, word: str) -> tuple[int, ...]:
        """The model's rows for the n-grams of `word` the model knows, kept: building the
        n-grams of every word was most of the time of classifying a text. The cache is
        emptied when full; a dict is safe to share between threads for this."""
        index = self._index
        rows = tuple([i for i in map(index.get, word_ngrams(word)) if i is not None])
        if len(self._rows) >= _CACHED_WORDS:
            self._rows.clear()
        self._rows[word] = rows
        return rows

    def classify(self, text: str, default: str) -> str:
        # The rows of `char_ngrams(text)` in the same order (so the same sum), per word.
        rows_of = self._rows.get
        rows: list[int] = []
        for word in LETTERS.findall(text.casefold()):
            word_rows = rows_of(word)
            if word_rows is None:
                word_rows = self._word_rows(word)
            rows.extend(word_rows)
        if not rows:
            return default
        return self.languages[int(self._log_prob[rows].sum(axis=0).argmax())]


class LanguageModelError(Unavailable, RuntimeError):
    """The shipped language model cannot be read: a broken installation."""


def _get_model() -> _NgramModel:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = _NgramModel(MODEL_PATH)
    return _model


def _leader(counts: Mapping[str | None, int]) -> tuple[str | None, int, int]:
    """The language with the most hits (None if none has any), its hits, the runner-up's."""
    best, best_hits, runner_up = None, 0, 0
    for lang in SUPPORTED_LANGUAGES:
        hits = counts.get(lang, 0)
        if hits > best_hits:
            best, best_hits, runner_up = lang, hits, best_hits
        elif hits > runner_up:
            runner_up = hits
    return best, best_hits, runner_up


def ngram_language(text: str, default: str = DEFAULT_LANGUAGE) -> str:
    """Tier 2: the language of `text` by its character n-grams; `default` if it has none
    the model knows."""
    return _get_model().classify(text[:_SCAN_CHARS], default)


def function_word_language(text: str) -> str | None:
    """The language whose function words clearly dominate `text`, or None if none does."""
    words = LETTERS.findall(text[:_SCAN_CHARS].casefold())
    # Counter counts in C; the None key collects every word that is no function word.
    counts = Counter(map(_WORD_LANGUAGE.get, words))
    best, best_hits, runner_up = _leader(counts)
    if best_hits >= _MIN_HITS and best_hits >= _MIN_RATIO * runner_up:
        return best
    return None


def _enough_letters(text: str) -> bool:
    # Stops at the _MIN_LETTERS-th letter instead of counting all of the first 400 chars.
    return len(list(islice(filter(str.isalpha, text[:400]), _MIN_LETTERS))) >= _MIN_LETTERS


def detect_language(text: str, default: str = DEFAULT_LANGUAGE) -> str:
    """Return one of SUPPORTED_LANGUAGES; `default` when the text is too short to tell."""
    if not _enough_letters(text):
        return default
    fast = function_word_language(text)
    if fast is not None:
        return fast
    return ngram_language(text, default)
