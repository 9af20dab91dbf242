"""A person's age in years: "I am 42 years old", "ik ben 42 jaar", "ich bin 42 Jahre alt",
"j'ai 42 ans". Only the number is the span, so a pseudonym reads "[AGE_1] years old".

A bare number next to "years" is not an age ("customer for 10 years", "ik ben 10 jaar
klant", "j'ai 10 ans d'ancienneté"); each phrase below either says "old"/"alt"/"oud" or is
the first-person form that cannot mean anything else, with those look-alikes excluded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from discreet.detect.base import DIGIT, DetectionInput, Finding, PatternRecognizer
from discreet.detect.context import Typos
from discreet.detect.entities import EntityType
from discreet.detect.registry import builtin

_N = r"(?P<n>\d{1,3})"
# What may follow "ik ben 42 jaar" / "I'm 42" for it to be an age: end of the clause.
_CLAUSE_END = (
    r"(?=\s*(?:[.,!?;:)]|$|\s(?:and|but|so|en|maar|dus|und|aber|et|mais)\b)"
    # A dash that opens the next clause ("my son is 15 - can he ..."), not a range
    # ("is 15 - 20 minutes away").
    r"|\s+[-–—]\s+(?!\d))"
)

# Relatives whose age a customer gives ("my mother is 83", "mijn zoon is 7 jaar").
_KIN_EN = (
    r"(?:my|our)\s+(?:mother|mum|mom|father|dad|son|daughter|wife|husband|partner|"
    r"grandmother|grandfather|grandma|grandpa|child|kid|brother|sister)"
)
_KIN_NL = r"(?:mijn|onze)\s+(?:moeder|vader|zoon|dochter|vrouw|man|partner|oma|opa|kind|broer|zus)"
_KIN_DE = (
    r"(?:meine?|unsere?)\s+(?:mutter|vater|sohn|tochter|frau|mann|partner(?:in)?|oma|opa|"
    r"kind|bruder|schwester)"
)

# A relative's name after the kinship word ("my mum, Julie Edwards, is 67", "mijn moeder
# Eliza Berends is 42", "mijn moeder, mevrouw van den Berg, is 84"): up to four words, set
# off by commas or not.
_NAME_WORDS = r"[^\W\d_][\w'’-]*(?:\s+[^\W\d_][\w'’-]*){0,3}"
_NAMED = rf"(?:,?\s+{_NAME_WORDS},?)?"
# "mon fils de 56 ans", "mijn zoon van 70": the age as the relative's attribute.
_KIN_FR = (
    r"(?:mon|ma|notre)\s+(?:mère|père|fils|fille|femme|mari|grand-mère|grand-père|frère|"
    r"sœur|soeur|enfant)"
)
_KIN = rf"(?:{_KIN_EN}|{_KIN_NL}|{_KIN_DE}|{_KIN_FR})"
_YEARS = r"(?:years?|yrs?|jaar|jahre?|ans)"

# (stems, regex, score): a regex runs only when one of its stems is in the lower-cased
# text, and on that text (lower-case patterns without IGNORECASE run much faster).
_PHRASES: tuple[tuple[tuple[str, ...], str, float], ...] = (
    # English
    (("old",), rf"\b{_N}[\s-]*(?:years?|yrs?)[\s-]*old\b", 0.8),
    (("y/o", "yo"), rf"(?<![\w.-]){_N}\s?y/?o(?![\w-])", 0.6),
    (("i am", "iam", "i'm", "i’m"), rf"\b(?:i\s*am|i['’]m)\s+{_N}{_CLAUSE_END}", 0.7),
    (("i am", "i'm", "i’m"), rf"\b(?:i\s*am|i['’]m)\s+{_N}\s+years?(?:\s+of\s+age)?{_CLAUSE_END}",
     0.8),
    (("of age",), rf"\b{_N}\s+years?\s+of\s+age\b", 0.8),
    # "'s" too: "my mother's 83" holds none of the others.
    (("he is", "she is", " is ", "'s", "’s"),
     rf"\b(?:he|she|{_KIN_EN}{_NAMED})\s*(?:who\s+)?(?:is|['’]s)\s+{_N}(?:\s+years?)?"
     rf"{_CLAUSE_END}", 0.7),
    (("age",), rf"\b(?:aged|age|my\s+age\s+is)\s*:?\s*{_N}\b"
     r"(?!\s*(?:%|percent|days?|months?|items?))", 0.7),
    # Dutch
    (("oud",), rf"\b{_N}\s*jaar\s+oud\b", 0.8),
    (("ik ben",), rf"\bik\s+ben\s+{_N}\s+jaar(?:\s+oud)?{_CLAUSE_END}", 0.8),
    (("ik ben",), rf"\bik\s+ben\s+{_N}{_CLAUSE_END}", 0.7),
    ((" is ", " wordt "), rf"\b(?:hij|zij|ze|{_KIN_NL}{_NAMED})\s+(?:is|wordt)\s+{_N}"
     rf"(?:\s+jaar)?{_CLAUSE_END}", 0.7),
    ((" van ",), rf"\b{_KIN_NL}\s+van\s+{_N}(?:\s+jaar)?(?!\s*(?:%|euro|procent|[.,]\d))"
     r"(?=\s|[.,!?;:)]|$)", 0.7),
    (("leeftijd",), rf"\b(?:leeftijd|mijn\s+leeftijd\s+is)\s*:?\s*{_N}\b", 0.7),
    (("jarig",), rf"\b{_N}-?jarige?\b", 0.6),
    # German
    (("alt",), rf"\b{_N}\s*jahre?\s+alt\b", 0.8),
    (("ich bin",), rf"\bich\s+bin\s+{_N}(?:\s+jahre)?{_CLAUSE_END}", 0.7),
    ((" ist ", " wird "), rf"\b(?:er|sie|{_KIN_DE}{_NAMED})\s+(?:ist|wird)\s+{_N}"
     rf"(?:\s+jahre)?{_CLAUSE_END}", 0.7),
    (("alter",), rf"\b(?:alter|mein\s+alter\s+ist)\s*:?\s*{_N}\b(?!\s*(?:%|prozent))", 0.7),
    (("jährig",), rf"\b{_N}-?jährige?[nrs]?\b", 0.6),
    # French
    (("j'ai", "j’ai"), rf"\bj['’]ai\s+{_N}\s+ans\b(?!\s+(?:d['’]|de\s|chez|que))", 0.8),
    (("âgé",), rf"\bâgée?\s+de\s+{_N}\s+ans\b", 0.8),
    # Third person, "ma mère a 83 ans"; not "il y a 10 ans" (ten years ago).
    ((" ans",), rf"(?<!\by\s)\ba\s+{_N}\s+ans\b(?!\s+(?:d['’]|de\s|chez|que))", 0.75),
    (("âge", "age"), rf"\b(?:âge|age)\s*:\s*{_N}\b", 0.7),
    ((" ans",), rf"\b{_KIN_FR}\s+de\s+{_N}\s+ans\b", 0.75),
    # Any of the four: the age in brackets after the relative ("mijn zoon Lucas (12)", "my
    # daughter (7 years)"), or set off by commas after their name ("mon père, Jean-Claude
    # Rousseau, 76 ans"; commas on both sides: "mijn man heeft 30 jaar" is no age).
    (("(",), rf"\b{_KIN}{_NAMED}\s*\(\s*{_N}(?:\s*{_YEARS})?\s*\)", 0.7),
    ((" ans", "jaar", "jahre", "year"), rf"\b{_KIN},\s+{_NAME_WORDS},\s*{_N}\s+{_YEARS}\b"
     r"(?!\s+(?:d['’]|de\s|chez|que|klant|kunde|customer))", 0.75),
)  # fmt: skip
_COMPILED = tuple((stems, re.compile(p), s) for stems, p, s in _PHRASES)

MAX_AGE = 120
SCORE_AFTER_TYPO = 0.6

# The unit with one typo before "old"/"alt"/"oud" ("26 yearrs old", "32 Jahe alt"): the
# number, one short word, then the word that says age (too short to be read with a typo).
_UNIT_TYPO = re.compile(r"(?P<n>\d{1,3})[ \t]*(?P<unit>[a-zäöü]{3,7})[ \t]+(?P<old>old|alt|oud)\b")
_UNIT_TYPOS = Typos("AGE")


@builtin
class AgeRecognizer(PatternRecognizer):
    trigger = DIGIT

    def __init__(self) -> None:
        super().__init__("age", EntityType.AGE, patterns=())

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        lower = item.lower
        seen: set[int] = set()
        for stems, regex, score in _COMPILED:
            if not any(stem in lower for stem in stems):
                continue
            for match in regex.finditer(lower):
                start, end = match.span("n")
                if start in seen or not 0 < int(match["n"]) <= MAX_AGE:
                    continue
                seen.add(start)
                yield Finding(start, end, EntityType.AGE, score, self.name)
        if "old" in lower or "alt" in lower or "oud" in lower:
            for match in _UNIT_TYPO.finditer(lower):
                start, end = match.span("n")
                if (
                    start not in seen
                    and 0 < int(match["n"]) <= MAX_AGE
                    and (start == 0 or not lower[start - 1].isalnum())
                    and _UNIT_TYPOS.end([match["unit"], match["old"]], item.language)
                ):
                    yield Finding(start, end, EntityType.AGE, SCORE_AFTER_TYPO, self.name)
