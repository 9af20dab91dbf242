"""Names joined by hyphens are found whole: "Saint-Paul-lès-Durance", "Park Chu-young".

spaCy's tokenizer splits words at hyphens, and the model judges each piece: it finds
"Saint-Paul-lès-" but not "Durance", "-du-Doré" without "Boissière", "Iriomote-" without
"-jima", and calls the "Jacques" of "Saint-Jacques-de-Compostelle" a street (customer
addresses read "rue Saint-Jacques"). A name cut inside a hyphenated word leaves the rest
of it in the clear, and the rest says which name it was. `whole_compounds` widens a name
or place that starts or ends inside a hyphenated word to the whole word, where the pieces
it gains are names too:

* capitalised words that are no frequent word ("Noord-Duitse" is an adjective); in German,
  which capitalises every noun and joins nouns to names, only a name the lists know (for
  a person) or a place the gazetteer knows (for a place): "Kohl-Regierung" is Kohl's
  government, "Hans-Dietrich" a first name;
* particles between two of them ("-lès-", "-de-", "-upon-");
* last, a lower-case syllable that is no word of the language ("-jima", "-hye"; not
  "Paris-based").

A place the gazetteer knows whole ("Baden-Württemberg") needs no more. The widened finding
takes the kind of the most characters of the names and places it joins ("Shaikh Abdul
Wahhab al" a person, "Janabi" a place: a person), at the score of its surest finding of
that kind, and absorbs the model's pieces inside the word; a rule's finding of another
kind inside the word (a postal code, a date), or the model's street running into it,
leaves the word as it is.
"""

from __future__ import annotations

import re

from discreet.detect.base import LETTERS, Finding
from discreet.detect.entities import EntityType
from discreet.detect.merge import MODEL_PREFIX
from discreet.detect.ordinary import zipf, zipf_here
from discreet.detect.places import known_place
from discreet.detect.recognizers.names import PARTICLES, known_name

_NAMES = (EntityType.PERSON, EntityType.LOCATION)
# The model's street in a piece of a place's name ("Saint-Jacques" of a "rue Saint-Jacques").
_ABSORBED = (*_NAMES, EntityType.STREET_ADDRESS)
# Two or more words of letters joined by single hyphens, not inside a longer token.
_COMPOUND = re.compile(r"(?<![\w.@/-])[^\W\d_]+(?:-[^\W\d_]+)+(?![\w@/]|-\w)")
# Lower-case words that join the parts of a place's or person's name, in the four languages.
_JOINERS = PARTICLES | {
    *("d", "lès", "lez", "sur", "sous", "en", "aux", "et", "au", "les", "sainte", "saint"),
    *("am", "an", "im", "in", "bei", "ob", "upon", "on", "op", "aan", "y", "e", "i"),
}
# Outside German, a capitalised piece this frequent is a word, not part of a name, unless
# the name lists or the gazetteer know it ("Noord-Duitse" is an adjective; "Murs", "Doré" and
# "Nazaire" are parts of places).
FREQUENT = 4.9
# The heads of saints' places, frequent words themselves ("Saint-Jacques-de-Compostelle").
_SAINTS = frozenset({"saint", "sainte", "san", "santa", "sankt", "st", "sint"})
# A lower-case last piece this frequent is a word ("Paris-based"; "Iriomote-jima" is a name).
LOWER_WORD = 2.0


def _known(piece: str, kind: EntityType) -> bool:
    key = piece.casefold()
    if kind is EntityType.PERSON:
        return known_name(key)
    return known_place(piece)


def _is_name_piece(piece: str, language: str, kind: EntityType) -> bool:
    """Whether a capitalised `piece` belongs to a name of `kind`. German capitalises every
    noun and joins nouns to names ("Kohl-Regierung", "Diakonie-Spendenkonto"), so there
    a piece counts only where the name lists (for a person) or the gazetteer (for a
    place) know it ("Hans-Dietrich"); elsewhere any piece that is no frequent word."""
    if not piece[0].isupper() or (piece.isupper() and len(piece) > 1):
        return False  # lower case, or an acronym ("CDU-Politiker" is no longer name)
    if language == "de":
        return _known(piece, kind)
    key = piece.casefold()
    return zipf(key, language) < FREQUENT or key in _SAINTS or _known(piece, kind)


def _gains(pieces: list[tuple[int, int, str]], language: str, kind: EntityType) -> bool:
    """Whether `pieces`, the parts of the word the finding lacks on one side (nearest
    first), are all parts of a name of `kind`."""
    last = len(pieces) - 1
    for i, (_, _, piece) in enumerate(pieces):
        if _is_name_piece(piece, language, kind):
            continue
        if piece.islower():
            if piece in _JOINERS and i < last:
                continue  # "-lès-", "-de-": between two parts of the name
            if i == last and len(piece) <= 5 and zipf_here(piece, language) < LOWER_WORD:
                continue  # "-jima", "-hye"
        return False
    return True


def whole_compounds(text: str, language: str, findings: list[Finding]) -> list[Finding]:
    """`findings` (merged, ordered) with names and places cut inside a hyphenated word
    widened to the whole word (see the module docstring)."""
    if "-" not in text or not any(f.type in _NAMES for f in findings):
        return findings
    for compound in _COMPOUND.finditer(text):
        start, end = compound.span()
        inside = [f for f in findings if f.start < end and f.end > start]
        names = [f for f in inside if f.type in _NAMES]
        if not names or (len(inside) == 1 and names[0].start <= start and names[0].end >= end):
            continue  # no name here, or one already holds the whole word
        if any(
            f.type not in _ABSORBED
            or (
                f.type not in _NAMES
                and (not f.recognizer.startswith(MODEL_PREFIX) or f.start < start or f.end > end)
            )
            for f in inside
        ):
            # A rule's postal code, date or street inside, or the model's street running
            # into the word ("12 rue Saint-Jacques" + "-de-la-Boucherie"): its "12 rue" must
            # not lose its placeholder to a place. Leave the word alone.
            continue
        by_kind = {kind: sum(f.end - f.start for f in names if f.type == kind) for kind in _NAMES}
        kind = max(_NAMES, key=lambda k: by_kind[k])
        pieces = [(m.start(), m.end(), m.group()) for m in LETTERS.finditer(text, start, end)]
        first = min(f.start for f in names)
        last = max(f.end for f in names)
        before = [p for p in pieces if p[1] <= first][::-1]
        after = [p for p in pieces if p[0] >= last]
        # Pieces the names already cover, in part, decide nothing; the gazetteer may know
        # the whole word ("Baden-Württemberg").
        whole = kind is EntityType.LOCATION and known_place(compound.group())
        if not whole and not (_gains(before, language, kind) and _gains(after, language, kind)):
            continue
        new_start, new_end = min(start, first), max(end, last)
        surest = max((f for f in names if f.type == kind), key=lambda f: f.score)
        widened = Finding(
            new_start,
            new_end,
            kind,
            surest.score,
            surest.recognizer,
            surest.subtype,
        )
        findings = sorted(
            [f for f in findings if f.end <= new_start or f.start >= new_end] + [widened],
            key=lambda f: f.start,
        )
    return findings
