"""IBANs of any country, with or without spaces, checked with mod-97 by `stdnum.iban`."""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import iban

from discreet.detect.base import DIGIT, DetectionInput, Finding, PatternRecognizer
from discreet.detect.context import all_languages
from discreet.detect.entities import EntityType
from discreet.detect.registry import builtin
from discreet.detect.validators import safe

# Country code, check digits, then the BBAN as groups of up to four (printed form) or one
# run (electronic form). Case-insensitive: chat users type "nl91abna...".
_CANDIDATE = re.compile(
    r"(?<![\w-])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]{4}){2,8}(?:[ ]?[A-Za-z0-9]{1,3})?(?!\w)"
)
_is_valid = safe(iban.is_valid)

SCORE = 0.95


@builtin
class IbanRecognizer(PatternRecognizer):
    trigger = DIGIT

    def __init__(self) -> None:
        super().__init__(
            "iban",
            EntityType.IBAN,
            patterns=(),
            context=all_languages("IBAN"),
            context_boost=0.05,
        )

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        text = item.text
        for match in _CANDIDATE.finditer(text):
            start, end = match.span()
            # The printed form can run into the next word ("BE68 5390 0754 7034 naar"):
            # drop trailing groups until the checksum holds.
            while end - start >= 15:
                if _is_valid(text[start:end]):
                    score = self.boosted(item, start, end, SCORE)
                    yield Finding(start, end, EntityType.IBAN, score, self.name)
                    break
                space = text.rfind(" ", start, end)
                if space <= start:
                    break
                end = space
