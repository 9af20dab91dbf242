"""Fold text so that one written value has one form, however an adversary spells it.

Used on both sides of a blind-index look-up: when the vault indexes a subject's values
and when the output guard looks up what an answer contains. A model that writes
"ＪＡＮ ＪＡＮＳＥＮ" (fullwidth), "Jаn" (Cyrillic а), "Jan\u00adsen" (soft hyphen) or
"j\u200ban" (zero-width space) means the same value; `fold` gives all of them one form.

Steps, in order: NFKC (fullwidth digits and letters, ligatures, superscripts), removal of
invisible characters (zero-width, soft hyphen, bidi controls, variation selectors),
homoglyph folding (Cyrillic and Greek letters that look Latin), case-folding and removal
of diacritics ("Ünal" == "unal").
"""

from __future__ import annotations

import unicodedata

# Characters that render as nothing but split a value for a naive matcher.
_INVISIBLE = dict.fromkeys(
    [
        0x00AD,  # soft hyphen
        0x034F,  # combining grapheme joiner
        0x061C,  # arabic letter mark
        0x115F,
        0x1160,
        0x17B4,
        0x17B5,
        0x180E,  # mongolian vowel separator
        *range(0x200B, 0x2010),  # zero-width space/joiners, LRM/RLM
        *range(0x202A, 0x202F),  # bidi embeddings and overrides
        *range(0x2060, 0x2070),  # word joiner, invisible operators, bidi isolates
        *range(0xFE00, 0xFE10),  # variation selectors
        0xFEFF,  # zero-width no-break space (BOM)
    ],
    None,
)

# Letters of other scripts that look like Latin ones (lower case; applied after casefold).
# The common confusables of Cyrillic and Greek: enough to defeat "jаn" with a Cyrillic а;
# a full confusables table (Unicode TR39) would add scripts no customer name here uses.
_HOMOGLYPHS = str.maketrans(
    {
        # Cyrillic
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "з": "3",
        "і": "i",
        "ї": "i",
        "ј": "j",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
        "ѕ": "s",
        "һ": "h",
        "ԁ": "d",
        "ԛ": "q",
        "ԝ": "w",
        "ɡ": "g",
        # Greek
        "α": "a",
        "β": "b",
        "ε": "e",
        "η": "n",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "ω": "w",
        "ζ": "z",
        # Latin look-alikes
        "ı": "i",
        "ȷ": "j",
        "ℓ": "l",
        "ſ": "s",
    }
)


def strip_invisible(text: str) -> str:
    """`text` without zero-width characters, soft hyphens and bidi controls."""
    return text.translate(_INVISIBLE)


def fold(text: str) -> str:
    """The folded form: NFKC, invisible characters removed, homoglyphs folded to Latin,
    case-folded, diacritics removed. Lengths may change; positions are not kept."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).casefold()
    text = text.translate(_HOMOGLYPHS)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_HOMOGLYPHS)


__all__ = ["fold", "strip_invisible"]
