"""Test stand-ins for Presidio's result objects (Presidio is a benchmark-only extra)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Result:
    """The shape of presidio_analyzer.RecognizerResult that discreet's bench reads."""

    entity_type: str
    start: int
    end: int
    score: float
