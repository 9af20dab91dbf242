"""Licence plates: Dutch ones by sidecode, any country's after a word for a plate.

Dutch plates ("AB-123-C", "12-ABC-3", "G-123-BB"): every sidecode mixes letter and digit
groups joined by dashes, so dates, phone numbers and plain words never match. Letters that
the RDW never issues on modern plates (vowels, C, Q) make a candidate less likely, not
impossible: old plates and the examples people type use them.

Other countries' formats are too varied to find alone ("LK08 MYW", "M-SA 9566", "AB-123-CD",
"5OJI545"): after a word for a plate ("number plate", "Kennzeichen", "plaque
d'immatriculation", "kenteken"), capitals and digits, both, in up to four groups are the
plate.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from discreet.detect.base import DIGIT, DetectionInput, Finding, PatternRecognizer, Recognizer
from discreet.detect.context import all_languages
from discreet.detect.entities import EntityType
from discreet.detect.registry import builtin

# Sidecodes 1-14 as letter (L) / digit (D) group lengths.
_SIDECODES = (
    "LL-DD-DD", "DD-DD-LL", "DD-LL-DD", "LL-DD-LL", "LL-LL-DD", "DD-LL-LL",
    "DD-LLL-D", "D-LLL-DD", "LL-DDD-L", "L-DDD-LL", "LLL-DD-L", "L-DD-LLL",
    "D-LL-DDD", "DDD-LL-D",
)  # fmt: skip


def _sidecode_regex(code: str) -> str:
    parts = []
    for group in code.split("-"):
        cls = "[A-Z]" if group[0] == "L" else r"\d"
        parts.append(f"{cls}{{{len(group)}}}")
    return "-".join(parts)


_PLATE = re.compile(
    r"(?<![\w-])(?:" + "|".join(_sidecode_regex(c) for c in _SIDECODES) + r")(?![\w-])"
)
# Every plate has a dash between capitals/digits; the plate regex runs only around those
# (scanning for this is several times cheaper than scanning for the plates themselves).
_QUICK = re.compile(r"[A-Z0-9]-[A-Z0-9]")
_LONGEST_GROUP = 3
_RARE_LETTERS = frozenset("AEIOUCQ")

SCORE = 0.6
SCORE_RARE_LETTERS = 0.45


@builtin
class DutchLicensePlateRecognizer(PatternRecognizer):
    trigger = DIGIT

    def __init__(self) -> None:
        super().__init__(
            "nl_license_plate",
            EntityType.LICENSE_PLATE,
            patterns=(),
            context=all_languages("LICENSE_PLATE"),
            context_boost=0.3,
        )

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        text = item.text
        searched_to = 0
        for hit in _QUICK.finditer(text):
            # The plate starts at most one group before this dash and ends within 8 chars.
            lo = max(searched_to, hit.start() - _LONGEST_GROUP + 1)
            hi = min(len(text), hit.start() + 9)
            match = _PLATE.search(text, lo, hi)
            if match is None:
                continue
            searched_to = match.end()
            start, end = match.span()
            plate = match[0]
            score = self.boosted(
                item, start, end, SCORE_RARE_LETTERS if _RARE_LETTERS.intersection(plate) else SCORE
            )
            yield Finding(start, end, EntityType.LICENSE_PLATE, score, self.name)


# A word for a plate, "is"/":" and the like, then capitals and digits in up to four groups
# (the first up to eight), holding at least one letter and one digit ("LK08MYW", "L-TZ 6048").
_ANNOUNCED = re.compile(
    r"(?<!\w)(?i:license plate|licence plate|number plate|registration(?: number)?|reg\.?|"
    r"plate|kentekenplaat|kenteken|nummerplaat|autokennzeichen|kennzeichen|nummernschild|"
    r"plaque d['’] ?immatriculation|immatriculation|immatriculée|immatriculé|plaque)"
    r"(?:[ \t]*(?i:number|no\.?|nr\.?|nummer|numéro|n°))?"
    r"(?:[ \t]*(?i:is|was|ist|lautet|est|:|=|#|-)(?!\w))*[ \t]*"
    r"(?P<plate>(?=[A-Z0-9 \-]*[0-9])(?=[A-Z0-9 \-]*[A-Z])[A-Z0-9]{1,8}(?:[ \-][A-Z0-9]{1,4}){0,3})"
    r"(?![\w-])"
)
SCORE_ANNOUNCED = 0.75
# Every word for a plate above holds one of these.
_PLATE_STEMS = (
    "plate",
    "reg",
    "kenteken",
    "nummerplaat",
    "kennzeichen",
    "nummernschild",
    "immatricul",
    "plaque",
)


@builtin
class AnnouncedLicensePlateRecognizer(Recognizer):
    """Any country's plate right after a word for one ("the car with plate LK08MYW")."""

    name = "license_plate"
    entity_types = frozenset({EntityType.LICENSE_PLATE})
    languages = None
    trigger = DIGIT

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        lower = item.lower
        if not any(stem in lower for stem in _PLATE_STEMS):
            return  # one substring test per stem, not the regex at every position
        for match in _ANNOUNCED.finditer(item.text):
            plate = match.group("plate")
            if not 4 <= sum(c.isalnum() for c in plate) <= 10:
                continue
            start, end = match.span("plate")
            yield Finding(start, end, EntityType.LICENSE_PLATE, SCORE_ANNOUNCED, self.name)
