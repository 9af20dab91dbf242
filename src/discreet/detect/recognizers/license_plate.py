"""Dutch licence plates, by sidecode ("AB-123-C", "12-ABC-3", "G-123-BB").

Every sidecode mixes letter and digit groups joined by dashes, so dates, phone numbers and
plain words never match. Letters that the RDW never issues on modern plates (vowels, C, Q)
make a candidate less likely, not impossible: old plates and the examples people type use
them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from discreet.detect.base import DIGIT, DetectionInput, Finding, PatternRecognizer
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
