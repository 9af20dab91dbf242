"""E-mail addresses."""

from __future__ import annotations

import re
from collections.abc import Iterable

from discreet.detect.base import DetectionInput, Finding, Pattern, PatternRecognizer
from discreet.detect.entities import EntityType
from discreet.detect.registry import builtin

# Local part and domain per RFC 5322's common subset; the TLD must be letters, 2-24 long,
# which rules out version strings and file names such as "report@v1.2".
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])"
)


def _valid(candidate: str) -> bool:
    local, _, domain = candidate.rpartition("@")
    return ".." not in local and ".." not in domain and len(candidate) <= 254


@builtin
class EmailRecognizer(PatternRecognizer):
    def __init__(self) -> None:
        super().__init__("email", EntityType.EMAIL_ADDRESS, [Pattern(_EMAIL, 0.95, _valid)])

    def analyze(self, item: DetectionInput) -> Iterable[Finding]:
        # The regex tries a local part at every letter and digit before it can fail on the
        # missing "@"; most texts hold no "@" at all, and a substring test rules them out.
        if "@" not in item.text:
            return ()
        return super().analyze(item)
