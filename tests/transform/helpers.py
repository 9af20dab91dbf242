"""Test helpers: a deterministic detector, a store that counts its calls."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from discreet.detect import Detector, DetectorConfig, EntityType, Finding, NerConfig, Recognizer
from discreet.detect.base import DetectionInput
from discreet.detect.registry import RecognizerRegistry
from discreet.transform import MemoryTokenStore

# Values the fixed recognizer finds, written the ways the tests write them. Detection
# quality is not under test here, so the detector is a lookup table, not the real one.
PATTERNS: dict[EntityType, str] = {
    EntityType.PERSON: r"jan\s+de\s+vries|piet\s+bakker",
    EntityType.EMAIL_ADDRESS: r"[a-z.]+@example\.(?:nl|com)",
    EntityType.PHONE_NUMBER: r"(?:\+31|0031|0)[\s\-]?6[\s\-]?\d(?:[\s\-]?\d){7}",
    EntityType.IBAN: r"NL\d\d\s?ABNA(?:\s?\d{4}){2}\s?\d\d|DE89370400440532013000",
    EntityType.CREDIT_CARD: r"4111[ -]?1111[ -]?1111[ -]?1111",
    EntityType.NATIONAL_ID: r"\b111222333\b",
    EntityType.DATE_OF_BIRTH: r"\b12-03-1985\b",
    EntityType.AGE: r"\b42 jaar\b",
    EntityType.POSTAL_CODE: r"\b1234 AB\b|\bSW1A 1AA\b|\b75008\b",
    EntityType.LICENSE_PLATE: r"\bAB-123-C\b",
}


class FixedRecognizer(Recognizer):
    name = "fixed_for_tests"
    entity_types = frozenset(PATTERNS)

    def __init__(self, patterns: Mapping[EntityType, str] = PATTERNS) -> None:
        self._patterns = [(t, re.compile(p, re.IGNORECASE)) for t, p in patterns.items()]

    def analyze(self, item: DetectionInput) -> Iterable[Finding]:
        for entity_type, regex in self._patterns:
            for m in regex.finditer(item.text):
                subtype = "NL_BSN" if entity_type is EntityType.NATIONAL_ID else None
                yield Finding(m.start(), m.end(), entity_type, 0.99, self.name, subtype)


def fixed_detector() -> Detector:
    config = DetectorConfig(ner=NerConfig(backend="none"))
    return Detector(config, registry=RecognizerRegistry([FixedRecognizer()]))


class CountingStore(MemoryTokenStore):
    """A MemoryTokenStore that counts loads and saves (the vault pays per call)."""

    def __init__(self) -> None:
        super().__init__()
        self.loads = 0
        self.saves = 0

    def load(self, conversation_id: str) -> dict[str, str]:
        self.loads += 1
        return super().load(conversation_id)

    def save(self, conversation_id: str, mapping: Mapping[str, str]) -> None:
        self.saves += 1
        super().save(conversation_id, mapping)
