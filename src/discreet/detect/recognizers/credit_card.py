"""Payment card numbers: a known scheme's prefix and length, and the Luhn check."""

from __future__ import annotations

import re
from collections.abc import Iterator

from discreet.detect.base import DetectionInput, Finding, PatternRecognizer
from discreet.detect.context import all_languages
from discreet.detect.entities import EntityType
from discreet.detect.registry import builtin
from discreet.detect.validators import is_card_number

# 12-19 digits, optionally in groups split by single spaces or dashes (4-4-4-4, 4-6-5).
# The look-arounds keep the digits of IBANs, phone numbers with "+" and amounts out.
_CANDIDATE = re.compile(r"\d(?<![\w+.,/-]\d)\d{3}(?:[ -]?\d{2,6}){2,4}(?![\w]|[.,/-]?\d)")
_QUICK = re.compile(r"\d{4}")
_SEPARATOR = re.compile(r"[ -]")

SCORE = 0.9


@builtin
class CreditCardRecognizer(PatternRecognizer):
    def __init__(self) -> None:
        super().__init__(
            "credit_card",
            EntityType.CREDIT_CARD,
            patterns=(),
            context=all_languages("CREDIT_CARD"),
            context_boost=0.05,
        )

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        text = item.text
        if _QUICK.search(text) is None:
            return
        for match in _CANDIDATE.finditer(text):
            start, end = match.span()
            # "4111 1111 1111 1111 2026" is a card followed by a year: drop trailing groups
            # until the number checks out.
            while True:
                if is_card_number(text[start:end]):
                    score = self.boosted(item, start, end, SCORE)
                    yield Finding(start, end, EntityType.CREDIT_CARD, score, self.name)
                    break
                last = max((m.start() for m in _SEPARATOR.finditer(text, start, end)), default=-1)
                if last <= start:
                    break
                end = last
