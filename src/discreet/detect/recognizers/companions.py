"""People the writer names beside themselves: "Peder and I", "me and Laura", "Sanne en ik",
"ik en Sanne", "Anna und ich", "Marie et moi", "moi et Julien".

Customers write about whom they live, travel or order with, and the model misses names it
has not seen ("In fact Peder and I were remarking"; "shanna and i are going to stay").
Paired with "I" or "me", a capitalised word is someone, unless it is a word the language
uses often ("Mom and I", "Pizza and I"), a function word ("This and I"), a place, a brand,
a day or a month. A word in lower case counts only if the name lists know it as a first
name (chat writes names in lower case, and every other word too).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from discreet.detect.base import DetectionInput, Finding, Recognizer
from discreet.detect.entities import EntityType
from discreet.detect.ordinary import BRANDS_AND_PRODUCTS, WEEKDAYS_AND_MONTHS, zipf_here
from discreet.detect.places import known_place
from discreet.detect.recognizers.names import FIRST_NAMES, known_name
from discreet.detect.registry import builtin
from discreet.detect.stopwords import any_stop_words

SCORE = 0.7
# A word this frequent (Zipf, see detect.ordinary) is a word ("Mom", "Coffee"), unless the
# name lists know it and it is not very frequent: a surname up to NAME_ORDINARY ("Rose",
# "Mark"), a first name up to FIRST_NAME_ORDINARY ("Marie"; not "Will").
ORDINARY = 4.0
NAME_ORDINARY = 5.0
FIRST_NAME_ORDINARY = 5.5
# A first name in lower case, as chat writes it, up to here ("emma"; not "bill", "mark").
LOWER_CASE_ORDINARY = 4.5

# The writer after the name ("Peder and I") and before it ("me and Laura"), in the four
# languages; "i" in lower case is chat's "I".
# The conjunction first, then a check that a blank stands before it: a regex that starts
# with letters is scanned several times faster than one that starts with the blanks or a
# look-behind (the pronoun's look-behind follows its first letter for the same reason).
_WRITER_AFTER = re.compile(
    r"(?:and[ \t]+(?:I|i|me)|en[ \t]+ik|und[ \t]+ich|et[ \t]+moi)(?![\w'’-])"
)
_WRITER_BEFORE = re.compile(
    r"[MmIi](?<![\w'’-][MmIi])"
    r"(?:e[ \t]+and|k[ \t]+en|ij[ \t]+en|ch[ \t]+und|ir[ \t]+und|ich[ \t]+und|oi[ \t]+et)[ \t]+"
)
# One word of a name, and the one before or after it that may belong to it.
_WORD_BEFORE = re.compile(r"(?<![\w'’-])([^\W\d_][\w'’-]*)$")
_WORD_AFTER = re.compile(r"([^\W\d_][\w'’-]*)(?![\w'’-])")
_SPACE = re.compile(r"[ \t]")
# An article before the word makes it a thing: "It's a Reel and I have danced to it".
_ARTICLE_BEFORE = re.compile(
    r"(?<![\w'’-])(?i:a|an|the|de|het|een|der|die|das|ein|eine|le|la|les|un|une)[ \t]+$"
)


@builtin
class CompanionNameRecognizer(Recognizer):
    """A name written beside the writer's "I" or "me"."""

    name = "companions"
    entity_types = frozenset({EntityType.PERSON})
    languages = frozenset({"en", "nl", "de", "fr"})

    def __init__(self) -> None:
        self._stop = any_stop_words()

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        text = item.text
        for match in _WRITER_AFTER.finditer(text):
            if text[match.start() - 1 : match.start()] not in (" ", "\t"):
                continue  # "hand I", "ten ik": inside a word
            before = len(text[: match.start()].rstrip(" \t"))
            last = _WORD_BEFORE.search(text, max(0, before - 40), before)
            if last is not None and self._name(last[1], item.language):
                start = last.start()
                # "Peter Smith and I": the capitalised word before, if it is a name's too.
                first = _WORD_BEFORE.search(text, max(0, start - 40), start - 1)
                if (
                    first is not None
                    and _SPACE.fullmatch(text, start - 1, start)
                    and first[1][0].isupper()
                    and last[1][0].isupper()
                    and self._name(first[1], item.language)
                ):
                    start = first.start()
                if _ARTICLE_BEFORE.search(text, max(0, start - 8), start):
                    continue
                yield Finding(start, last.end(), EntityType.PERSON, SCORE, self.name)
        for match in _WRITER_BEFORE.finditer(text):
            word = _WORD_AFTER.match(text, match.end())
            if word is None or not self._name(word[1], item.language):
                continue
            end = word.end()
            # "me and Laura Smith": the capitalised word after, if it is a name's too.
            second = _WORD_AFTER.match(text, end + 1)
            if (
                second is not None
                and _SPACE.fullmatch(text, end, end + 1)
                and second[1][0].isupper()
                and word[1][0].isupper()
                and self._name(second[1], item.language)
            ):
                end = second.end()
            yield Finding(match.end(), end, EntityType.PERSON, SCORE, self.name)

    def _name(self, word: str, language: str) -> bool:
        key = word.casefold()
        if not word[0].isupper():
            return key in FIRST_NAMES and zipf_here(key, language) < LOWER_CASE_ORDINARY
        if (
            key in self._stop
            or key in WEEKDAYS_AND_MONTHS
            or key in BRANDS_AND_PRODUCTS
            or (word.isupper() and len(word) > 1)
        ):
            return False
        zipf = zipf_here(key, language)
        if key in FIRST_NAMES:  # "Anna" is also a town: beside "I", she is a person
            return zipf < FIRST_NAME_ORDINARY
        return not known_place(word) and (
            zipf < ORDINARY or (zipf < NAME_ORDINARY and known_name(key))
        )
