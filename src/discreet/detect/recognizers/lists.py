"""Deny-list recognizers: an organisation's own identifier formats, from configuration."""

from __future__ import annotations

import re

from discreet.detect.base import Pattern, PatternRecognizer
from discreet.detect.config import DenyPattern


class DenyListRecognizer(PatternRecognizer):
    """Reports every match of a configured pattern (not registered as a built-in)."""

    def __init__(self, deny: DenyPattern) -> None:
        name = deny.name or f"deny_list:{deny.type.value.lower()}:{deny.pattern}"
        super().__init__(name, deny.type, [Pattern(re.compile(deny.pattern), deny.score)])
