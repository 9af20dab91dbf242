"""People quoted by name: the one who said what a quotation says, in the four languages.

News quotes people by their surname alone, a name the model may never have seen:
'"...", sagte Brehme am Samstag', '" Emde betonte, er wolle ...', '"...," Chahine told
reporters', '«...», explique Dupont', '..., so Lehr.', '..., aldus Jansen.'. The verb of
saying right after the quotation, before or after the name, says that a person follows;
customers' messages quote their contacts the same way ("Ihr Kollege sagte: ...", "zei
Jansen van de klantenservice").

A name is what `roles.name_words` reads (one to four capitalised words, particles and
initials inside), an office before it left out ("sagte Bundeskanzler Kohl": Kohl), and it
must pass `roles.names_someone`: no function word or place, and one word no frequent word
of the language ("Police said", "Die Polizei sagte", "Officials said" name nobody).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from discreet.detect.base import DetectionInput, Finding, Recognizer
from discreet.detect.entities import EntityType
from discreet.detect.offices import role_word
from discreet.detect.ordinary import BRANDS_AND_PRODUCTS, zipf_here
from discreet.detect.places import well_known_place
from discreet.detect.recognizers.names import FIRST_NAMES, PARTICLES, known_name
from discreet.detect.recognizers.roles import SCORE, name_words, names_someone
from discreet.detect.registry import builtin
from discreet.detect.stopwords import any_stop_words

# Verbs of saying, per language, as they stand next to the speaker's name: after the
# quotation and before the name ('", sagte Brehme'), or after the name ('" Emde betonte').
_VERBS = {
    "en": "said|says|told|added|asked|explained|recalled|insisted|replied",
    "nl": "zei|zegt|vertelde|verklaarde|voegde|antwoordde|meent|stelde|aldus",
    "de": "sagte|sagt|erklärte|erklärt|betonte|betont|meinte|meint|berichtete|fügte|"
    "ergänzte|kritisierte|warnte|bestätigte|versicherte|antwortete|erzählte|erzählt|so",
    "fr": "a déclaré|déclare|a dit|dit|a expliqué|explique|a affirmé|affirme|a ajouté|ajoute|"
    "a estimé|estime|a précisé|précise|a souligné|souligne|raconte|confie|a indiqué|indique",
}
# Words that close a quotation.
_CLOSING_QUOTE = "\"”“»'’"
# Where a sentence may start before the name: the text's start, or after a full stop or a
# closing quotation, one or more blanks between.
_SENTENCE_START = re.compile(rf"(?:^|(?<=[.!?{_CLOSING_QUOTE}])[ \t]+)(?=[^\W\d_])")


def _alternatives(verbs: str) -> str:
    return "|".join(
        sorted({v.replace(" ", r"[ \t]+") for v in verbs.split("|")}, key=len, reverse=True)
    )


# After the quotation, its verb, then the name ('", sagte Brehme', '» , explique Dupont').
_VERB_THEN_NAME = {
    language: re.compile(
        rf"[{_CLOSING_QUOTE}][ \t]*,?[ \t]*(?:{_alternatives(verbs)})[ \t]+(?=[^\W\d_])"
    )
    for language, verbs in _VERBS.items()
}
# Words that attribute a quotation before the name only ("…, so Lehr", "…, aldus Jansen").
_BEFORE_THE_NAME_ONLY = frozenset(("so", "aldus"))
# The verb right after a name that opens a sentence ('" Emde betonte', 'Kinkel sagte').
_VERB_AFTER_NAME = {
    language: re.compile(
        rf"[ \t]+(?:{_alternatives('|'.join(set(verbs.split('|')) - _BEFORE_THE_NAME_ONLY))})"
        r"(?!\w)"
    )
    for language, verbs in _VERBS.items()
}
# A comma, the German "so" or Dutch "aldus", the name and the sentence's end: "..., so
# Lehr.", "..., aldus Jansen." ("so Gott will" goes on after the noun).
_COMMA_ATTRIBUTION = {
    "de": re.compile(r",[ \t]+so[ \t]+(?=[^\W\d_])"),
    "nl": re.compile(r",[ \t]+aldus[ \t]+(?=[^\W\d_])"),
}
# Articles the name's words may run into: the verb's object ("sagt Eymer der Zeitung").
_ARTICLES = frozenset(("der", "den", "dem", "des", "die", "das", "de", "het", "la", "le", "les"))
# Any of the language's verbs of saying, as a word: where none is, nobody is quoted.
_ANY_VERB = {
    language: re.compile(rf"(?<!\w)(?:{_alternatives(verbs)})(?!\w)")
    for language, verbs in _VERBS.items()
}
_CLAUSE_END = re.compile(r"[ \t]*(?:[.;!?]|$)")


_POSSESSIVE = ("'s", "’s")
PLURAL_SINGULAR_ZIPF = 3.0
"""An English word ending in "s" whose singular is this frequent a word (Zipf) is a plural
noun before "said" ("Brokers said", "Eyewitnesses said"), unless a name list knows it
("Woods said"). The other languages' verbs here are singular ("sagte", "zei", "déclare")."""


def _plural_noun(word: str, language: str) -> bool:
    if language != "en" or not word.endswith("s") or known_name(word.casefold()):
        return False
    return any(
        zipf_here(singular, language) >= PLURAL_SINGULAR_ZIPF
        for singular in (word[:-1], word[:-2] if word.endswith("es") else "")
        if singular
    )


@builtin
class SpeakerRecognizer(Recognizer):
    """Names next to a quotation's verb of saying ('", sagte Brehme')."""

    name = "speakers"
    entity_types = frozenset({EntityType.PERSON})
    languages = frozenset(_VERBS)

    def __init__(self) -> None:
        self._stop = any_stop_words()

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        text, language = item.text, item.language
        if _ANY_VERB[language].search(text) is None:
            return  # most texts quote nobody: one search, not a look at every sentence
        for cue in _VERB_THEN_NAME[language].finditer(text):
            yield from self._name(item, name_words(text, cue.end()))
        comma = _COMMA_ATTRIBUTION.get(language)
        if comma is not None:
            for cue in comma.finditer(text):
                words = name_words(text, cue.end())
                if words and _CLAUSE_END.match(text, words[-1][1]):
                    yield from self._name(item, words)
        verb_after = _VERB_AFTER_NAME[language]
        for start in _SENTENCE_START.finditer(text):
            words = name_words(text, start.end())
            if (
                words
                and verb_after.match(text, words[-1][1])
                and not (len(words) == 1 and _plural_noun(words[0][2], language))
            ):
                yield from self._name(item, words)

    def _name(self, item: DetectionInput, words: list[tuple[int, int, str]]) -> Iterator[Finding]:
        owners = [i for i, w in enumerate(words) if w[2].endswith(_POSSESSIVE)]
        if owners:
            words = words[owners[-1] + 1 :]  # "Burma's Suu Kyi", "Iraq's Aziz"
        roles = [i for i, w in enumerate(words) if role_word(w[2], item.language)]
        if roles:
            words = words[roles[-1] + 1 :]  # "sagte Bundeskanzler Kohl", "Bremens Stürmer X"
        first = next((i for i, w in enumerate(words) if w[2].casefold() in FIRST_NAMES), 0)
        if first and not known_name(words[0][2].casefold()):
            words = words[first:]  # an office the lists lack: "Filmtheoretiker Siegfried K."
        for i in range(1, len(words)):
            if words[i][2] in _ARTICLES and words[i - 1][2].casefold() not in PARTICLES:
                words = words[:i]  # "sagt Eymer der Zeitung"; not "Ursula von der Leyen"
                break
        if " ".join(w[2].casefold() for w in words) in BRANDS_AND_PRODUCTS:
            return  # "Coolblue zegt volgende week": the shop's answer, no one's
        # A small town of a surname's name speaks for nobody ("sagte Brehme": a village in
        # Thuringia too); a capital or a country does ("Moskau erklärte": its government).
        if words and names_someone(item, words, self._stop, well_known_place):
            yield Finding(words[0][0], words[-1][1], EntityType.PERSON, SCORE, self.name)
