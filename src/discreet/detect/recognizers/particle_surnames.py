"""Flemish surnames written with a capitalised particle: "De Coster", "Van den Bossche",
"Vande Velde", "Ver Eecke".

In Belgium the particle of a surname is capitalised when the surname stands alone ("sluit
De Coster niet uit", "In 1996 was De Prins hoofdredacteur"), while Dutch writes its article
"de" in lower case inside a sentence. The model, trained mostly on names with a first name
before them, misses such surnames on their own. A capitalised particle inside a sentence,
followed by a surname the name lists know, is a person; not at a sentence's start ("De
Fransen lieten": the French), not a place named so ("De Panne", "Ter Apel", "Den Haag":
"Den" is left out), not a brand, not a firm's name ("De Cock, Verlinden en Van de Velde
CV").

A two-word particle ("Van der Westhuizen", "Van den Berg") opens a Dutch, Flemish or
Afrikaans surname in any of the four languages, known to the lists or not: inside a
sentence few places or words are written so, and those few are frequent words ("Het Boek
Van de Maand").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from discreet.detect.base import DetectionInput, Finding, Recognizer
from discreet.detect.entities import EntityType
from discreet.detect.ordinary import BRANDS_AND_PRODUCTS, LEGAL_FORMS, zipf_here
from discreet.detect.places import known_place
from discreet.detect.plausibility import sentence_initial
from discreet.detect.recognizers.names import SURNAMES
from discreet.detect.registry import builtin

SCORE = 0.65
ORDINARY = 3.8
"""An unknown surname at least this frequent a word (Zipf) is the word: "Van de Maand"."""
_PARTICLE_SURNAME = re.compile(
    r"(?<![\w'’-])(?:(?P<two_words>Van (?:der|den|de))|Vander|Vanden|Vande|Van|De|Ver|Ter|Ten)"
    r"[ ](?P<surname>[A-ZÀ-Þ][a-zà-ÿ]+(?:-[A-ZÀ-Þ][a-zà-ÿ]+)?)(?![\w'’-])"
)
_TRIGGER = re.compile(r"(?:De|Van|Ver|Ter|Ten)[a-z]{0,3}(?: de[nr]?)? [A-ZÀ-Þ]")
# The rest of the clause, up to 60 characters (a full stop ends it, not the dots of
# "B.V."), and its capitalised words.
_CLAUSE = re.compile(r"(?:[^.;!?\n]|\.(?=\w))*")
_CAPITALISED = re.compile(r"(?<![\w.])[A-Z][\w.]*")
_CLAUSE_LOOKAHEAD = 60


def _firm_ahead(text: str, end: int) -> bool:
    """Whether a legal form, capitalised, follows in the clause: the surnames name a firm
    ("De Cock, Verlinden en Van de Velde CV", "Van Dijk B.V."), which the model reads
    better; "5 kg" is no legal form."""
    clause = _CLAUSE.match(text, end, end + _CLAUSE_LOOKAHEAD)
    assert clause is not None  # the pattern matches the empty string
    return any(
        word.group().replace(".", "").casefold() in LEGAL_FORMS
        for word in _CAPITALISED.finditer(text, end, clause.end())
    )


@builtin
class ParticleSurnameRecognizer(Recognizer):
    """A surname with its capitalised particle inside a sentence."""

    name = "particle_surnames"
    entity_types = frozenset({EntityType.PERSON})
    languages = frozenset({"en", "nl", "de", "fr"})
    trigger = _TRIGGER

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        text = item.text
        for match in _PARTICLE_SURNAME.finditer(text):
            start, end = match.span()
            if sentence_initial(text, start):
                continue
            whole = match.group().casefold()
            surname = match["surname"]
            known = surname.casefold() in SURNAMES or whole in SURNAMES
            if match["two_words"] is None:
                if not (known and item.language == "nl"):
                    continue  # one particle: a Flemish habit, and only for known surnames
            elif not known and zipf_here(surname, item.language) >= ORDINARY:
                continue  # "Het Boek Van de Maand": a title's words
            if known_place(whole) or whole in BRANDS_AND_PRODUCTS:
                continue
            if _firm_ahead(text, end):
                continue
            yield Finding(start, end, EntityType.PERSON, SCORE, self.name)
