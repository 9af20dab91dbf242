"""What a reader knows about a word besides its spelling, as one more attribute the built-in
tagger embeds.

The tagger sees a word through hashes of its spelling (norm, prefix, suffix, shape). A word
it never saw in training hashes to rows no example trained, so all it has left is the shape:
"Xxxxx" is a name or a German noun, "Radweg" or "Rothschild". A reader knows more: whether
the word is an ordinary word of some language at all, and of which (wordfreq's lists, see
`detect.ordinary`), and whether it is a known first name, surname word or place (the
detector's own lists). Those hold for any word, seen in training or not.

The feature is one short string per word: its Zipf band (0 when unlisted, else 3-7) in
English, Dutch, German and French, then "n" for a first name, "s" for a surname word and
"p" for a place, e.g. "0050" for "Stadt", "3343s" for "Müller", "4444np" for "Anna" (also a
town), "0000" for a surname no list has. It travels as the lexeme's LANG attribute, which
spaCy computes once per word type from `Vocab.lex_attr_getters` and `Doc.to_array` reads
like any other: a lexeme attribute is cached per word (no pipeline component runs per
token), and LANG is the one such attribute no part of the pipeline reads (spaCy sets it
to the pipeline's language code, "xx" for the built-in model, the same for every word).

A model trained with LANG among its embedded attributes needs `install` on its vocabulary
before its first doc (`SpacyBackend` does it; so does training). spaCy alone still loads
it, but every word then reads "xx". The model learnt the lists as they were when it was
trained: `fingerprint` says which, and a test compares it with the model's meta.json.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any

from spacy.attrs import LANG

from discreet.detect import name_lists, places
from discreet.detect.entities import SUPPORTED_LANGUAGES
from discreet.detect.ordinary import zipf, zipf_table

ATTRIBUTE = "LANG"
"""The token attribute the feature travels as, by the name model configs use."""

META_KEY = "discreet_lexeme_features"
"""The key of `fingerprint` in a trained model's meta.json."""


def signature(word: str) -> str:
    """The feature of `word` (see the module docstring)."""
    bands = "".join(str(min(int(zipf(word, lang)), 7)) for lang in SUPPORTED_LANGUAGES)
    # The lists whole, particles too ("van": "nsp"): what the model was trained on.
    lists = name_lists.packaged()
    key = word.casefold()
    return (
        bands
        + ("n" if key in lists.first else "")
        + ("s" if key in lists.surnames else "")
        + ("p" if places.known_place(word) else "")
    )


def install(vocab: Any) -> None:
    """Compute the feature for every word `vocab` has not seen yet. (spaCy's `Vocab.lang`
    reads the LANG of "_", so it no longer names the language: nothing here uses it.)"""
    vocab.lex_attr_getters = {**vocab.lex_attr_getters, LANG: signature}


def embeds_it(columns: Any) -> bool:
    """Whether a model reading these token attributes was trained with the feature."""
    return ATTRIBUTE in columns


@functools.cache
def fingerprint() -> str:
    """A digest of everything `signature` reads: each language's words with their band,
    the name lists and the place names."""
    digest = hashlib.sha256()
    for language in SUPPORTED_LANGUAGES:
        table = zipf_table(language)
        for word in sorted(table):
            digest.update(f"{language}\t{word}\t{min(int(table[word]), 7)}\n".encode())
    lists = name_lists.packaged()
    for kind, words in (("n", lists.first), ("s", lists.surnames)):
        for word in sorted(words):
            digest.update(f"{kind}\t{word}\n".encode())
    for name in sorted(places.gazetteer().places):
        digest.update(f"p\t{name}\n".encode())
    return digest.hexdigest()[:16]
