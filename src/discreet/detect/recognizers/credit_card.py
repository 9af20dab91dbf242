"""Payment card numbers: a known scheme's prefix and length, and the Luhn check."""

from __future__ import annotations

import re
from collections.abc import Iterator

from discreet.detect.base import DIGIT, DetectionInput, Finding, PatternRecognizer, checked_prefix
from discreet.detect.context import all_languages
from discreet.detect.entities import EntityType
from discreet.detect.registry import builtin
from discreet.detect.validators import RARE_CARD_BRANDS, card_brand, digits, is_card_number

# 12-19 digits, optionally in groups split by single spaces or dashes (4-4-4-4, 4-6-5).
# The look-arounds keep the digits of IBANs, phone numbers with "+" and amounts out.
# A last group may be one digit: 13-digit cards are written "4222 2222 2222 2".
_CANDIDATE = re.compile(
    r"\d(?<![\w+.,/-]\d)\d{3}(?:[ -]?\d{2,6}){1,3}(?:[ -]?\d{1,6})(?![\w]|[.,/-]?\d)"
)
_QUICK = re.compile(r"\d{4}")
_SEPARATOR = re.compile(r"[ -]")

SCORE = 0.9
# A rare brand's number (see validators.RARE_CARD_BRANDS) alone, and written in a card's
# groups of four ("4222 2222 2222 2"), or next to a card word: the latter two add up.
SCORE_RARE = 0.3
RARE_GROUPED_BONUS = 0.15
RARE_CONTEXT_BONUS = 0.45
_CARD_GROUPS = re.compile(r"\d{4}(?:[ -]\d{4})+(?:[ -]\d{1,4})?")


@builtin
class CreditCardRecognizer(PatternRecognizer):
    trigger = DIGIT

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
            start = match.start()
            end = checked_prefix(text, start, match.end(), is_card_number, _SEPARATOR)
            if end is not None:
                score = self._score(item, start, end)
                if score > 0:
                    yield Finding(start, end, EntityType.CREDIT_CARD, score, self.name)

    def _score(self, item: DetectionInput, start: int, end: int) -> float:
        if card_brand(digits(item.text[start:end])) not in RARE_CARD_BRANDS:
            return self.boosted(item, start, end, SCORE)
        score = SCORE_RARE
        if _CARD_GROUPS.fullmatch(item.text, start, end):
            score += RARE_GROUPED_BONUS
        if self.has_context(item, start, end):
            score += RARE_CONTEXT_BONUS
        return score if score > SCORE_RARE else 0.0
