"""The access report's wording in English, Dutch, German and French.

The words are data, kept in report_texts.toml with one table per label holding its four
languages side by side, so a translator reviews one label at a time and adding a
language adds a line per label rather than another copy of every table. This module
turns them into per-language mappings for the report. A label missing a language is
left missing here, so tests/rights/test_access_report.py fails on it rather than an
English word showing in a Dutch page.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

LANGUAGES = ("en", "nl", "de", "fr")


def _by_language(labels: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    return {
        language: {label: words[language] for label, words in labels.items() if language in words}
        for language in LANGUAGES
    }


_DATA = tomllib.loads(Path(__file__).with_suffix(".toml").read_text(encoding="utf-8"))

# The report's own sentences; {placeholders} are filled in by the report.
TEXTS: dict[str, dict[str, str]] = _by_language(_DATA["texts"])

# Field, category, purpose and state names a customer may read, per language. Names not
# listed are shown de-snake-cased ("loyalty_tier" -> "Loyalty tier").
NAMES: dict[str, dict[str, str]] = _by_language(_DATA["names"])
