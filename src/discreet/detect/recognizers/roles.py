"""Person names right after the role or office they hold, in the four languages.

News and encyclopaedic text name people by what they are: "Finanzminister Hata",
"Rabbi Eliezer Schach", "Verfassungsminister Tertius Delport", "Biographer Forrest
McDonald", "le président Park Chung-hee", "burgemeester Van Aartsen". The NER misses
many such names when it has not seen the surname; the role word before them says what
they are. German writes the office as one word with its field ("Innenminister",
"Bundestrainer", "Sdwestfunk-Redakteur"), so German roles match as word endings.

A name is one to four capitalised words (with particles and initials inside: "Hansjörg N.
Schultz", "Ursula von der Leyen"), at least one of them not a frequent word of the
language ("the President Said", "Minister Neue Wege" are not names).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from discreet.detect.base import DetectionInput, Finding, Recognizer
from discreet.detect.entities import EntityType
from discreet.detect.offices import COMPOUND_LANGUAGES, ENDING, OFFICES, role_word
from discreet.detect.ordinary import zipf_here
from discreet.detect.places import known_place
from discreet.detect.recognizers.names import PARTICLES, known_name
from discreet.detect.registry import builtin
from discreet.detect.stopwords import any_stop_words

SCORE = 0.6
# A name word this frequent (Zipf, see detect.ordinary) is a word ("Said", "Neue").
ORDINARY = 3.8
# A known first name or surname counts up to here ("Müller", "Vries"; not "Said", "Will").
NAME_ORDINARY = 5.0


def _cue(language: str, roles: str) -> re.Pattern[str]:
    """The roles in lower, first-capital and title case, then the space before the name.
    Case-sensitive literals with no assertion before them let the regex engine skip ahead
    to their first letters (several times faster than matching without case, or with a
    word-boundary test or a compound's letters before them); where the role word starts is
    checked on each (rare) match instead."""
    variants = {
        v for role in roles.split("|") for v in (role, role[:1].upper() + role[1:], role.title())
    }
    alternatives = "|".join(sorted(variants, key=len, reverse=True))
    ending = ENDING if language in COMPOUND_LANGUAGES else ""
    return re.compile(rf"(?:{alternatives}){ending}[ \t]+(?=[^\W\d_])")


_CUES = {language: _cue(language, roles) for language, roles in OFFICES.items()}

_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*\.?")


@builtin
class RoleNameRecognizer(Recognizer):
    """Capitalised names right after an office or role ("Innenminister Ismet Sezgin")."""

    name = "roles"
    entity_types = frozenset({EntityType.PERSON})
    languages = frozenset({"en", "nl", "de", "fr"})

    def __init__(self) -> None:
        self._stop = any_stop_words()

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        text = item.text
        compound = item.language in COMPOUND_LANGUAGES
        for cue in _CUES[item.language].finditer(text):
            before = text[cue.start() - 1 : cue.start()]
            if before and (before.isalnum() or before in "-_") and not compound:
                continue  # "Prime minister" inside "subminister", "roi" in "Leroi"
            words = _name_only(name_words(text, cue.end()), item.language, self._stop)
            if words and names_someone(item, words, self._stop, known_place):
                yield Finding(words[0][0], words[-1][1], EntityType.PERSON, SCORE, self.name)


def name_words(text: str, at: int) -> list[tuple[int, int, str]]:
    """The one to four capitalised words from `at` that may be a name, as (start, end,
    word): particles and initials inside ("Hansjörg N. Schultz", "Ursula von der Leyen"),
    a sentence's full stop and a trailing particle left out."""
    words: list[tuple[int, int, str]] = []
    while len(words) < 4:
        m = _WORD.match(text, at)
        if m is None:
            break
        word = m.group()
        initial = len(word) == 2 and word.endswith(".") and word[0].isupper()
        if word.endswith(".") and not initial:
            word = word[:-1]  # the sentence's full stop
        if word.casefold() in PARTICLES and words:
            pass  # "Ursula von der Leyen": inside a name only (a role and "de",
            # "van", "der" is an office's place: "Leiter des Amtes", "maire de Lérida")
        elif not word[0].isupper() or (word.isupper() and len(word) > 1 and not initial):
            break
        words.append((m.start(), m.start() + len(word), word))
        gap = text[m.start() + len(word) : m.start() + len(word) + 2]
        if gap[:1] != " " and gap[:1] not in ("'", "’"):
            break
        at = m.start() + len(word) + (2 if gap in ("' ", "’ ") else 1)
    while words and words[-1][2].casefold() in PARTICLES:
        words.pop()  # "Minister van": the particle opens nothing here
    return words


def _name_only(
    words: list[tuple[int, int, str]], language: str, stop: frozenset[str]
) -> list[tuple[int, int, str]]:
    """`words` up to the first office or function word after the name, and the particles
    before it: "Enda Kenny" of "Parteivorsitzenden Enda Kenny zum Sprecher", "Salomon
    Neumann" of "Kollegen Salomon Neumann Im Vorwort" (a sentence's full stop lost); not a
    ruler's numeral ("King Baudouin I"), nor an office that is a surname ("Minister Klaus
    König")."""
    for k in range(1, len(words)):
        key = words[k][2].casefold()
        function_word = key in stop and key not in PARTICLES and not words[k][2].isupper()
        office = role_word(words[k][2], language) and not known_name(key)
        if function_word or office:
            words = words[:k]
            while words and words[-1][2].casefold() in PARTICLES:
                words.pop()
            break
    return words


def names_someone(
    item: DetectionInput,
    words: list[tuple[int, int, str]],
    stop: frozenset[str],
    place: Callable[[str], bool],
) -> bool:
    """Whether `words` name someone: not a function word (`stop`) nor what `place` says
    is a place, and one of them a known first name or surname that is no very frequent
    word, or no frequent word ("Sezgin"; not "Said", "Neue")."""
    if words[0][2].casefold() in stop:
        return False  # "President The", "Minister Of", "Burgemeester Van"
    if place(item.text[words[0][0] : words[-1][1]]):
        return False  # "Minister Bayern", "le président France": a place
    for _, _, word in words:
        key = word.rstrip(".").casefold()
        if key in PARTICLES:
            continue
        zipf = zipf_here(key, item.language)
        if zipf < ORDINARY or (zipf < NAME_ORDINARY and known_name(key)):
            return True
    return False
