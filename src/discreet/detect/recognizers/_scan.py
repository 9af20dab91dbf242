"""Helpers that keep recognizers fast: windows around cheap substring hits, so an
expensive regex runs on a few dozen characters instead of the whole text.

Not a recognizer module: it registers nothing.
"""

from __future__ import annotations

from collections.abc import Iterable


def windows(lower: str, stems: Iterable[str], before: int, after: int) -> list[tuple[int, int]]:
    """Merged (start, end) ranges around every occurrence of any stem in `lower`."""
    spans: list[tuple[int, int]] = []
    n = len(lower)
    for stem in stems:
        i = lower.find(stem)
        while i >= 0:
            spans.append((max(0, i - before), min(n, i + len(stem) + after)))
            i = lower.find(stem, i + 1)
    if len(spans) <= 1:
        return spans
    spans.sort()
    merged = [spans[0]]
    for start, end in spans[1:]:
        last_start, last_end = merged[-1]
        if start <= last_end:
            merged[-1] = (last_start, max(last_end, end))
        else:
            merged.append((start, end))
    return merged
