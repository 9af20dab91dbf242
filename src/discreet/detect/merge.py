"""Merging overlapping findings into one non-overlapping, ordered list."""

from __future__ import annotations

from collections.abc import Iterable

from discreet.detect.base import Finding
from discreet.detect.entities import TYPE_PRIORITY

MODEL_PREFIX = "ner:"
"""How the names of statistical models' recognizers start ("ner:builtin")."""


def _rank(f: Finding) -> tuple[float, int, int]:
    return (round(f.score, 6), TYPE_PRIORITY.get(f.type, 0), f.end - f.start)


def merge_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Resolve overlaps so every character belongs to at most one finding.

    Overlapping findings of the same type become one finding over their union (two
    recognizers agreeing on "Jan de Vries" and "de Vries" is one name). Between different
    types, the higher score wins, then the more specific type, then the longer span.
    A statistical model's guess (a ``ner:`` recognizer) never overrides a rule-based
    finding of another type that covers its whole span: the rule saw the structure (an
    address with its number, a name announced by "my name is") of which the model saw
    only words. The result is sorted by start offset.
    """
    findings = list(findings)
    rules = [f for f in findings if not f.recognizer.startswith(MODEL_PREFIX)]
    if rules:
        findings = [
            f
            for f in findings
            if not f.recognizer.startswith(MODEL_PREFIX)
            or not any(r.type != f.type and r.start <= f.start and f.end <= r.end for r in rules)
        ]
    by_start = sorted(findings, key=lambda f: (f.start, -f.end))
    # Pass 1: union same-type overlaps.
    unioned: list[Finding] = []
    open_by_type: dict[object, int] = {}
    for f in by_start:
        idx = open_by_type.get(f.type)
        if idx is not None and unioned[idx].end > f.start:
            prev = unioned[idx]
            best = prev if _rank(prev) >= _rank(f) else f
            unioned[idx] = Finding(
                prev.start,
                max(prev.end, f.end),
                f.type,
                max(prev.score, f.score),
                best.recognizer,
                best.subtype,
            )
        else:
            open_by_type[f.type] = len(unioned)
            unioned.append(f)
    # Pass 2: greedy by rank, keep a finding only if it overlaps nothing kept so far.
    kept: list[Finding] = []
    for f in sorted(unioned, key=_rank, reverse=True):
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    kept.sort(key=lambda f: f.start)
    return kept
