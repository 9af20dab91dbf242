"""Names of card and account holders, as cards and statements print them.

A card prints its holder in capitals, initials first ("D PADMANABHAN", "J A HENDERSON"), and
customers copy it: "name on card D PADMANABHAN", "cardholder: J A HENDERSON". Neither the
model (trained on names in running text) nor the names recognizer (which takes a word in
capitals for shouting or an acronym) finds them. After a word for the holder of a card or
an account, in the four languages, up to four words in capitals or capitalised, initials
among them, are a person, unless one is a function word, a frequent word or a brand
("name on card VISA").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from discreet.detect.base import DetectionInput, Finding, Recognizer
from discreet.detect.entities import EntityType
from discreet.detect.ordinary import BRANDS_AND_PRODUCTS, zipf_here
from discreet.detect.recognizers.names import PARTICLES, honorific, known_name
from discreet.detect.registry import builtin
from discreet.detect.stopwords import any_stop_words

SCORE = 0.85
# A word this frequent is a word, not a name, unless the name lists know it ("Will").
ORDINARY = 4.0

_HOLDER_WORDS = (
    r"name on (?:the )?card|card ?holder(?:['’]s)?(?: name)?|account holder(?:['’]s)?(?: name)?|"
    r"account name|"
    r"naam op (?:de )?kaart|kaarthouder|rekeninghouder|t\.n\.v\.|ten name van|"
    r"name auf der karte|karteninhaber(?:in)?|kontoinhaber(?:in)?|"
    r"nom sur la carte|titulaire de la carte|titulaire du compte|nom du titulaire"
)
# The word, a colon or "is", then the name: initials ("D", "J.A."), capitalised words and
# words in capitals, with particles between ("J. de Boer").
_NAME_WORD = (
    r"(?:[A-ZÀ-Þ][\w'’-]+\.?|[A-ZÀ-Þ]\.?(?:[A-ZÀ-Þ]\.)*(?!\w)"
    r"|(?:van|de|der|den|von|le|la|du)(?!\w))"
)
_HOLDER = re.compile(
    rf"(?i:(?<!\w)(?:{_HOLDER_WORDS}))[ \t]*(?:(?i:is|:|=)[ \t]*)?"
    rf"(?P<name>{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,4}})"
)
_TRIGGER = re.compile(r"(?i)card|kaart|karte|carte|holder|houder|inhaber|titulaire|t\.n\.v|compte")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


@builtin
class HolderNameRecognizer(Recognizer):
    """Card and account holders' names after the word for the holder."""

    name = "holders"
    entity_types = frozenset({EntityType.PERSON})
    languages = frozenset({"en", "nl", "de", "fr"})
    trigger = _TRIGGER

    def __init__(self) -> None:
        self._stop = any_stop_words()

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        for match in _HOLDER.finditer(item.text):
            start, end = match.span("name")
            words = [w.group() for w in _WORD.finditer(item.text, start, end)]
            # A title opens the name, outside it: "Kontoinhaberin: Dr. Ute Müller".
            while len(words) > 1 and honorific(words[0], item.language):
                title = words.pop(0)
                start = item.text.index(words[0], start + len(title))
            # Particles end no name: "t.n.v. de heer" is no "de".
            while words and words[-1].casefold() in PARTICLES:
                end = item.text.rindex(words.pop(), start, end)
                end = len(item.text[:end].rstrip())
            if words and len(words[-1]) > 1 and item.text[end - 1] == ".":
                end -= 1  # the sentence's full stop, not an initial's
            names = [w for w in words if w.casefold() not in PARTICLES and len(w) > 1]
            if not names or not all(self._name(w, item.language) for w in names):
                continue
            yield Finding(start, end, EntityType.PERSON, SCORE, self.name)

    def _name(self, word: str, language: str) -> bool:
        key = word.casefold()
        if key in self._stop or key in BRANDS_AND_PRODUCTS:
            return False
        return known_name(key) or zipf_here(key, language) < ORDINARY
