"""Findings written by hand, as the detector hands them to its post-merge steps."""

from __future__ import annotations

from discreet.detect import EntityType
from discreet.detect.base import DetectionInput, Finding
from discreet.detect.registry import RecognizerRegistry


def model_findings(text: str, *spans: tuple[str, EntityType, float]) -> list[Finding]:
    """Model findings at the first occurrence of each value, sorted as merged ones are."""
    findings = []
    for value, etype, score in spans:
        start = text.index(value)
        findings.append(Finding(start, start + len(value), etype, score, "ner:builtin"))
    return sorted(findings, key=lambda f: f.start)


def values(text: str, findings: list[Finding]) -> list[tuple[str, EntityType]]:
    return [(f.value(text), f.type) for f in findings]


def recognized(name: str, text: str, language: str) -> list[str]:
    """The values the built-in recognizer `name` finds in `text`, written in `language`."""
    recognizer = RecognizerRegistry.default().get(name)
    return [f.value(text) for f in recognizer.analyze(DetectionInput(text, language))]
