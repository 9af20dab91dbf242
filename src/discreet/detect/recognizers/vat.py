"""VAT identification numbers with their country prefix (EU member states, XI and GB).

The prefix and the country's check digits (`stdnum.eu.vat`, `stdnum.gb.vat`) together make
a match unambiguous; a number without its prefix is not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum.eu import vat as eu_vat
from stdnum.gb import vat as gb_vat

from discreet.detect.base import DIGIT, DetectionInput, Finding, PatternRecognizer, checked_prefix
from discreet.detect.context import all_languages
from discreet.detect.entities import EntityType
from discreet.detect.registry import builtin
from discreet.detect.validators import safe

_PREFIXES = "AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|GB|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI"
# Prefix, then the number as one run or in small groups separated by single spaces or dots
# ("NL 0044.95.445.B.01", "GB 980 7806 84").
_CANDIDATE = re.compile(
    rf"(?<![\w-])(?:{_PREFIXES})[ ]?[0-9A-Z]{{1,13}}(?:[ .][0-9A-Z]{{1,4}}){{0,5}}(?![\w-])"
)
_QUICK = re.compile(rf"(?:{_PREFIXES})[ ]?[0-9A-Z]")
_GROUP_SEPARATOR = re.compile(r"[ .]")
_eu_valid = safe(eu_vat.is_valid)
_gb_valid = safe(gb_vat.is_valid)

SCORE = 0.85


def is_vat_number(candidate: str) -> bool:
    if sum(ch.isdigit() for ch in candidate) < 7:
        return False
    if candidate.startswith("GB"):
        return _gb_valid(candidate)
    return _eu_valid(candidate)


@builtin
class VatRecognizer(PatternRecognizer):
    trigger = DIGIT

    def __init__(self) -> None:
        super().__init__(
            "vat",
            EntityType.VAT_ID,
            patterns=(),
            context=all_languages("VAT_ID"),
            context_boost=0.1,
        )

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        text = item.text
        if _QUICK.search(text) is None:
            return
        for match in _CANDIDATE.finditer(text):
            start = match.start()
            # Never cut within the country prefix: "BE 0403..." keeps its space.
            end = checked_prefix(
                text, start, match.end(), is_vat_number, _GROUP_SEPARATOR, skip=3, min_len=4
            )
            if end is not None:
                score = self.boosted(item, start, end, SCORE)
                yield Finding(start, end, EntityType.VAT_ID, score, self.name)
