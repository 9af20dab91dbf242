"""Passport and driving licence numbers. Their formats overlap with any product or order
code, so a context word ("paspoort", "passport", "Reisepass", "passeport", "rijbewijs",
"Führerschein", "permis de conduire", ...) is required: without one the score stays below
`MIN_SCORE` and nothing is reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from discreet.detect.base import DIGIT, DetectionInput, Finding, Pattern, PatternRecognizer
from discreet.detect.context import all_languages, phrases
from discreet.detect.entities import EntityType
from discreet.detect.registry import builtin

CONTEXT_BOOST = 0.5
MIN_SCORE = 0.4

# Dutch passport and identity card: two letters, six letters or digits, one digit; the
# letter O is never used (it reads as a zero).
_NL_PASSPORT = re.compile(r"(?<![\w-])[A-NP-Z]{2}[A-NP-Z0-9]{6}\d(?![\w-])")
# Other countries: 6-9 capitals and digits with at least one digit (DE "C01X00T47",
# FR "12AB34567", US/UK nine digits).
_ANY_PASSPORT = re.compile(r"(?<![\w-])(?=[A-Z]*\d)[A-Z0-9]{6,9}(?![\w-])")

# UK driving licence: surname (5, padded with 9), date of birth digits, initials, check.
_UK_LICENCE = re.compile(r"(?<![\w-])[A-Z9]{5}\d{6}[A-Z9]{2}\d[A-Z]{2}(?![\w-])")
# Dutch rijbewijsnummer: ten digits.
_NL_LICENCE = re.compile(r"(?<![\w.,/+-])\d{10}(?![\w]|[.,/-]?\d)")
# Others (DE eleven characters, FR twelve digits, US states 5-16 characters).
_ANY_LICENCE = re.compile(r"(?<![\w-])(?=[A-Z]*\d)[A-Z0-9]{5,16}(?![\w-])")


class _ContextRequired(PatternRecognizer):
    """Runs its patterns only when one of its context words is somewhere in the text."""

    trigger = DIGIT

    def __init__(self, name: str, entity_type: EntityType, patterns: list[Pattern]) -> None:
        key = entity_type.value
        super().__init__(
            name,
            entity_type,
            patterns,
            context=all_languages(key),
            context_boost=CONTEXT_BOOST,
            min_score=MIN_SCORE,
        )
        self._words = phrases(key)

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        lower = item.lower
        if not any(word in lower for word in self._words):
            return
        # Patterns go from the specific country format to the generic one: report a span
        # once, with the most specific subtype.
        seen: set[tuple[int, int]] = set()
        for finding in super().analyze(item):
            if (finding.start, finding.end) not in seen:
                seen.add((finding.start, finding.end))
                yield finding


@builtin
class PassportRecognizer(_ContextRequired):
    def __init__(self) -> None:
        super().__init__(
            "passport",
            EntityType.PASSPORT,
            [Pattern(_NL_PASSPORT, 0.2, subtype="NL"), Pattern(_ANY_PASSPORT, 0.1)],
        )


@builtin
class DriverLicenseRecognizer(_ContextRequired):
    def __init__(self) -> None:
        super().__init__(
            "driver_license",
            EntityType.DRIVER_LICENSE,
            [
                Pattern(_UK_LICENCE, 0.3, subtype="UK"),
                Pattern(_NL_LICENCE, 0.15, subtype="NL"),
                Pattern(_ANY_LICENCE, 0.1),
            ],
        )
