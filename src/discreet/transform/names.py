"""The conversation subject's own name however the customer writes it: one person, one
set of tokens.

A record may hold the name whole (``name``) or in parts (``first_name``, ``last_name``),
and the context tokenises those fields as they are. A customer then writes "Elaine
Pritchard", "elaine pritchard", "Mrs. E. Pritchard", "Pritchard, Elaine" or "E. Pritchard";
each is the same person and must reach the model with the context's tokens, not a new
``[PERSON_5]`` the model would take for someone else. `SubjectName.match` reads a PERSON
span as the subject's name and says which part of it is which field value:

* with the name in parts, the given-name words (or their initials) become the first name's
  token and the surname words the last name's: "Mrs. E. Pritchard" reaches the model as
  "Mrs. [PERSON_1] [PERSON_2]" when the context says ``name [PERSON_1]; last name
  [PERSON_2]``;
* with the name whole, the span (less a leading title) becomes the full name's token.

Words compare case-insensitively with accents folded and German umlauts transliterated
("Lefevre" is "Lefèvre", "Mueller" is "Müller"); surname particles may be left out or
written in any case ("Van der Berg", "Berg" for "van der Berg"). Titles ("Mrs.", "mevrouw",
"Herr", "Mme") stay as written: they say nothing about who the customer is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# Surname particles in the four supported languages, and the split of a full name into
# given names and surname: the same the detector's known-subject recognizer uses.
from discreet.detect.recognizers.known_subject import PARTICLES, split_name
from discreet.transform.fold import fold

# Forms of address before a name, in en/nl/de/fr, without their final dot.
TITLES = frozenset(
    {
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame",
        "mevrouw", "mevr", "mw", "meneer", "dhr", "heer", "ir", "drs", "ing",
        "herr", "frau", "hr", "fr",
        "monsieur", "madame", "mademoiselle", "m", "mme", "mlle", "me",
    }
)  # fmt: skip
_WORD = re.compile(r"[^\s,]+")
_INITIALS = re.compile(r"^(?:[^\W\d_]\.?){1,3}$")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def name_key(text: str) -> str:
    """A name's comparison form: case-folded, umlauts transliterated, accents folded,
    whitespace collapsed ("Müller" and "MUELLER" -> "mueller", "Lefèvre" -> "lefevre")."""
    # Composed first: a decomposed "u" + diaeresis must transliterate like "ü".
    composed = unicodedata.normalize("NFC", text).casefold().translate(_UMLAUTS)
    return " ".join(fold(composed).split())


def _plain_key(text: str) -> str:
    """Accents folded without transliteration: "muller" typed for "Müller"."""
    return " ".join(fold(text).split())


def _same(words: Sequence[str], name: Sequence[str]) -> bool:
    return any(
        tuple(key(w) for w in words) == tuple(key(n) for n in name)
        for key in (name_key, _plain_key)
    )


@dataclass(frozen=True, slots=True)
class NamePart:
    """Where in a matched span one field's value was written (offsets into the span)."""

    start: int
    end: int
    value: str
    """The field value as stored (what the token stands for), never the span's text."""


@dataclass(frozen=True, slots=True)
class _Word:
    start: int
    end: int
    text: str
    comma_before: bool


def _words(text: str) -> list[_Word]:
    out: list[_Word] = []
    last = 0
    for m in _WORD.finditer(text):
        out.append(_Word(m.start(), m.end(), m.group(), "," in text[last : m.start()]))
        last = m.end()
    return out


def _is_particle(word: str) -> bool:
    return word.casefold() in PARTICLES


@dataclass(frozen=True, slots=True)
class SubjectName:
    """The subject's name as the record holds it. `given`/`family` are the part fields'
    values when the record has them (then matches name the parts), else both come from
    `full` and a match names the full name."""

    full: str | None
    given: str | None = None
    family: str | None = None

    def __repr__(self) -> str:  # never print the values
        return f"SubjectName(parts={self.in_parts})"

    @property
    def in_parts(self) -> bool:
        return bool(self.given or self.family)

    def _parts(self) -> tuple[str, str]:
        if self.in_parts:
            return self.given or "", self.family or ""
        given, family = split_name((self.full or "").split())
        return " ".join(given), " ".join(family)

    def match(self, span: str) -> list[NamePart] | None:
        """The parts of `span` (a PERSON finding's text) that are the subject's name, or
        None when the span is not the subject's name in any of the accepted forms."""
        given_text, family_text = self._parts()
        given = given_text.split()
        family = family_text.split()
        words = _words(span)
        while words and _is_title(words[0].text, given):
            words = words[1:]  # "Mrs.", "mevrouw": kept as written
        if not words or (not given and not family):
            return None
        found = _match_words(words, given, family)
        if found is None:
            return None
        given_words, family_words = found
        if not self.in_parts:
            assert self.full is not None
            return [NamePart(words[0].start, words[-1].end, self.full)]
        parts: list[NamePart] = []
        if given_words:
            parts.append(NamePart(given_words[0].start, given_words[-1].end, given_text))
        if family_words:
            parts.append(NamePart(family_words[0].start, family_words[-1].end, family_text))
        return sorted(parts, key=lambda p: p.start)


def _is_title(word: str, given: Sequence[str]) -> bool:
    """A form of address, unless it is the given name's initial ("M." for Marie)."""
    if name_key(word.rstrip(".")) not in TITLES:
        return False
    return not (given and _initials_match([word], given))


def _initials_match(words: Sequence[str], given: Sequence[str]) -> bool:
    """ "E.", "J.P.", "J. P." for the given names' initials (at least the first one)."""
    # Dotted or capitals: "Ed" is a name, "ED" and "E.D." are initials.
    if not all(_INITIALS.match(w) and ("." in w or w.isupper()) for w in words):
        return False
    letters = [name_key(ch) for w in words for ch in w if ch != "."]
    wanted = [name_key(g[0]) for g in given if g]
    return 0 < len(letters) <= len(wanted) and letters == wanted[: len(letters)]


def _given_match(words: Sequence[_Word], given: Sequence[str]) -> bool:
    if not words or not given:
        return False
    texts = [w.text for w in words]
    bare = [t.rstrip(".") for t in texts]
    return _same(bare, given) or _same(bare, given[:1]) or _initials_match(texts, given)


def _family_match(words: Sequence[_Word], family: Sequence[str]) -> bool:
    if not words or not family:
        return False
    texts = [w.text for w in words]
    core = [w for w in family if not _is_particle(w)]
    return _same(texts, family) or (bool(core) and _same(texts, core))


def _match_words(
    words: Sequence[_Word], given: Sequence[str], family: Sequence[str]
) -> tuple[list[_Word], list[_Word]] | None:
    """(given words, family words) when `words` are the name in one of its forms."""
    n = len(words)
    # "Pritchard, Elaine": the surname, a comma, the given names.
    for cut in range(1, n):
        if words[cut].comma_before and all(not w.comma_before for w in words[1:cut]):
            head, tail = list(words[:cut]), list(words[cut:])
            if _family_match(head, family) and _given_match(tail, given):
                return tail, head
    if any(w.comma_before for w in words[1:]):
        return None
    # "Elaine Pritchard", "E. Pritchard", "J.P. de Vries": given names, then the surname.
    for cut in range(1, n):
        head, tail = list(words[:cut]), list(words[cut:])
        if _given_match(head, given) and _family_match(tail, family):
            return head, tail
    if _family_match(words, family):
        return [], list(words)
    if _given_match(words, given) and not _initials_match([w.text for w in words], given):
        return list(words), []  # a lone initial is not a name
    return None


__all__ = ["TITLES", "NamePart", "SubjectName", "name_key"]
