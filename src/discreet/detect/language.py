"""Language identification restricted to the languages discreet supports."""

from __future__ import annotations

import threading

from discreet.detect.entities import SUPPORTED_LANGUAGES

DEFAULT_LANGUAGE = "en"
# Below this many letters, identification is a guess; callers get the default instead.
_MIN_LETTERS = 12

_lock = threading.Lock()
_identifier: object | None = None


def _get_identifier() -> object:
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)
                ident.set_languages(list(SUPPORTED_LANGUAGES))
                _identifier = ident
    return _identifier


def detect_language(text: str, default: str = DEFAULT_LANGUAGE) -> str:
    """Return one of SUPPORTED_LANGUAGES; `default` when the text is too short to tell."""
    if sum(ch.isalpha() for ch in text[:400]) < _MIN_LETTERS:
        return default
    identifier = _get_identifier()
    lang, _score = identifier.classify(text[:2000])  # type: ignore[attr-defined]
    return str(lang) if lang in SUPPORTED_LANGUAGES else default
