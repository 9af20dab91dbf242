"""People named surname first in e-mail headers: "Townsend, George" <gtownsend@…>.

Mail programs show senders and recipients as "Surname, First name" (Outlook's default in
many companies), and customers forward or paste whole threads: `Van: "Jansen, Pieter"
<p.jansen@…>`, `From: Townsend, George`, `To: Müller, Anna; Bakker, Kees`. The model, which
reads names first name first, finds the first name at best and leaves the surname in the
clear ("McGilloway, Vangie" it misses whole). Here such a pair is a person where it stands
alone as a display name: at the start of a line (after a header label such as "From:",
"Van:", "Von:", "De :") or after a quote, "<", "(" or a recipient list's ";", and before
a quote, "<", ";", ")" or the end of the line (an initial or a Dutch or German particle
may follow the first name: "Vries, Jan de"). Every word before the comma is a surname the
lists know or a rare word, no place, and no greeting or sign-off ("Thanks, Anna",
"Groeten, Pieter", "Best, Anna": "Best" is a Dutch surname but a frequent English word).
The first name is one the lists know; or a rare word after a known surname ("Bakker,
Kees"), or anywhere a header label, quotes or an address after it say it is a display
name ("McGilloway, Vangie" <…>).

Bookings write names the same way round, in capitals with a slash (IATA's "SURNAME/GIVEN
NAMES TITLE": "DOE/JANE MS", "VAN DER BERG/PIETER MR"): a person where a title follows or
the lists know a given name or the surname; not "TCP/IP" or "AC/DC".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from discreet.detect.base import DetectionInput, Finding, Recognizer
from discreet.detect.entities import EntityType
from discreet.detect.ordinary import zipf_here
from discreet.detect.places import known_place
from discreet.detect.recognizers.names import FIRST_NAMES, PARTICLES, SURNAMES
from discreet.detect.registry import builtin
from discreet.detect.stopwords import any_stop_words

SCORE = 0.85
# A known surname this frequent as a word is the word ("Best", "Will", "Rich").
SURNAME_ORDINARY = 5.0
# An unknown word before the comma must be rarer than this to be a surname ("Lenhart").
UNKNOWN_ORDINARY = 3.0

_CAP = r"[A-ZÀ-ÖØ-Þ][\w'’-]+"
_HEADER = (
    r"(?i:from|to|cc|bcc|reply-to|sender|van|aan|afzender|von|an|absender|de|à|a|"
    r"expéditeur|destinataire)[ \t]*:"
)
_DISPLAY = re.compile(
    rf"(?:^[ \t]*(?P<header>{_HEADER}[ \t]*)?|(?<=[\"“'<(;])[ \t]*)"
    rf"(?P<name>(?P<surname>{_CAP}(?:[ \t]+{_CAP})?),[ \t]*(?P<first>{_CAP})"
    r"(?:[ \t]+[A-ZÀ-Þ]\.)?(?:[ \t]+(?:van der|van den|van de|van|de|der|den|von|ter|ten))?)"
    r"(?=[ \t]*(?P<end>[\"”'<;)]|$))",
    re.MULTILINE,
)
# Words that open a greeting or close a message before a first name, which the frequency
# check lets through: abbreviations and informal spellings.
_SIGN_OFFS = frozenset(
    [
        "mvg", "vg", "gr", "grtz", "groetjes", "mfg", "lg", "bg", "kr", "br", "thx",
        "tx", "ty", "cheers", "xoxo", "bisous", "bises", "cdlt", "slt", "bjr", "hallo", "hoi",
        "moin", "servus", "hey", "hiya", "yo",
    ]
)  # fmt: skip
# Airlines, hotels and travel agents write "SURNAME/GIVEN NAMES TITLE" (IATA's form):
# "DOE/JANE MS", "VAN DER BERG/PIETER MR".
_TITLES = r"(?:MR|MRS|MS|MISS|MSTR|DR|PROF)"
_UPPER = r"[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’\-]+"
_TRAVEL = re.compile(
    rf"(?<![\w/])(?P<name>(?P<surname>{_UPPER}(?:[ ]{_UPPER}){{0,2}})/"
    rf"(?P<first>{_UPPER}(?:[ ](?!{_TITLES}(?![\w/])){_UPPER})?))"
    rf"(?:[ ](?P<title>{_TITLES}))?(?![\w/])"
)
_TRIGGER = re.compile(r"[,/][ \t]*[A-ZÀ-ÖØ-Þ]")


@builtin
class DisplayNameRecognizer(Recognizer):
    """ "Surname, First name" display names of e-mail headers and recipient lists, and
    bookings' "SURNAME/GIVEN NAMES"."""

    name = "display_names"
    entity_types = frozenset({EntityType.PERSON})
    languages = frozenset({"en", "nl", "de", "fr"})
    trigger = _TRIGGER

    def __init__(self) -> None:
        self._stop = any_stop_words()

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        text, language = item.text, item.language
        for match in _DISPLAY.finditer(text):
            surnames = match.group("surname").split()
            first = match.group("first")
            if not all(self._rare(w, language) for w in surnames):
                continue
            # A header label, quotes or an address after it say this is a display name:
            # then any rare first name will do ("McGilloway, Vangie" <...>); elsewhere a
            # known first name, or a known surname before a rare one ("Bakker, Kees").
            opening = text[: match.start("name")].rstrip(" \t")[-1:]
            header = (
                match.group("header") is not None
                or opening in ('"', "“")
                or match.group("end") in ('"', "”", "<")
            )
            if first.casefold() in FIRST_NAMES or (
                (header or all(w.casefold() in SURNAMES for w in surnames))
                and self._rare(first, language)
            ):
                yield Finding(
                    match.start("name"), match.end("name"), EntityType.PERSON, SCORE, self.name
                )

        if "/" in text:
            yield from self._travel(text, language)

    def _travel(self, text: str, language: str) -> Iterator[Finding]:
        """IATA's "SURNAME/GIVEN NAMES TITLE": a person where a title follows, or the lists
        know a given name or the surname ("DOE/JANE MS"; not "TCP/IP", "AC/DC")."""
        for match in _TRAVEL.finditer(text):
            surnames = [w for w in match.group("surname").split() if w.casefold() not in PARTICLES]
            firsts = match.group("first").split()
            if not surnames or any(
                w.casefold() in self._stop or known_place(w) for w in surnames + firsts
            ):
                continue  # "PARIS/FRANCE", "IN/OUT"
            if (
                match.group("title") is not None  # "DOE/JANE MS": the title says it
                or any(w.casefold() in FIRST_NAMES for w in firsts)
                or (
                    all(w.casefold() in SURNAMES for w in surnames)
                    and all(self._rare(w, language) for w in firsts)
                )
            ):
                yield Finding(
                    match.start("name"), match.end("name"), EntityType.PERSON, SCORE, self.name
                )

    def _rare(self, word: str, language: str) -> bool:
        """Whether `word` may be a surname (or, unknown, a first name): no function word,
        sign-off or place, and no frequent word unless the lists know it as a surname."""
        key = word.casefold()
        if key in self._stop or key in _SIGN_OFFS or known_place(word):
            return False
        limit = SURNAME_ORDINARY if key in SURNAMES else UNKNOWN_ORDINARY
        return zipf_here(key, language) < limit
