"""Domestic bank account numbers (not IBANs): "rekeningnummer 12.34.56.789",
"Kontonummer 1234567890", "account number 12345678, sort code 12-34-56".

Any digit run can look like one, so a context word is required (see `detect.context`);
without it the score stays below `MIN_SCORE`. IBANs are found, with their checksum, by the
IBAN recognizer and win any overlap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from discreet.detect.base import DIGIT, DetectionInput, Finding, Pattern, PatternRecognizer
from discreet.detect.context import all_languages, phrases
from discreet.detect.entities import EntityType
from discreet.detect.registry import builtin
from discreet.detect.validators import digits

# Digits in up to five groups split by single spaces, dots or dashes.
_ACCOUNT = re.compile(r"(?<![\w.,/+-])\d{2,18}(?:[ .-]\d{2,8}){0,4}(?![\w]|[.,/-]?\d)")

CONTEXT_BOOST = 0.5
MIN_SCORE = 0.4


def _plausible(candidate: str) -> bool:
    return 6 <= len(digits(candidate)) <= 18


@builtin
class BankAccountRecognizer(PatternRecognizer):
    trigger = DIGIT

    def __init__(self) -> None:
        super().__init__(
            "bank_account",
            EntityType.BANK_ACCOUNT,
            [Pattern(_ACCOUNT, 0.1, _plausible)],
            context=all_languages("BANK_ACCOUNT"),
            context_boost=CONTEXT_BOOST,
            min_score=MIN_SCORE,
        )
        self._words = phrases("BANK_ACCOUNT")

    def analyze(self, item: DetectionInput) -> Iterable[Finding]:
        # Context is required, so without a context word anywhere there is nothing to find.
        lower = item.lower
        if not any(word in lower for word in self._words):
            return ()
        return super().analyze(item)
