"""k-anonymity over an export's quasi-identifiers (local recoding, then suppression).

Each conversation's metadata (period, turns, language, assistant) is a quasi-identifier
tuple: alone harmless, together possibly unique. While more than `max_suppressed` of the
rows sit in groups of fewer than `k` equal tuples, one quasi-identifier is generalised one
level for every row (day → week → month → any; turns band → any; language → any;
assistant → any); then the rows still in small groups are dropped. The report says how
many rows were generalised and how many dropped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

ANY = "*"


def period_at(day: date | None, level: str) -> str:
    """The period label of `day` at `level` ("day", "week", "month" or "any")."""
    if day is None or level == "any":
        return ANY
    if level == "day":
        return day.isoformat()
    if level == "week":
        monday = day - timedelta(days=day.weekday())
        return f"week of {monday.isoformat()}"
    return f"{day.year:04d}-{day.month:02d}"


def turns_band(turns: int) -> str:
    if turns <= 1:
        return "1"
    if turns <= 3:
        return "2-3"
    if turns <= 7:
        return "4-7"
    return "8+"


_PERIOD_LEVELS = ("day", "week", "month", "any")


@dataclass(slots=True)
class Row:
    """One conversation's quasi-identifiers, mutable while generalising."""

    day: date | None
    period_level: str
    turns: int
    turns_level: int  # 0: band, 1: any
    language: str
    assistant: str

    def values(self, qis: Sequence[str]) -> tuple[str, ...]:
        out = []
        for name in qis:
            if name == "period":
                out.append(period_at(self.day, self.period_level))
            elif name == "turns":
                out.append(turns_band(self.turns) if self.turns_level == 0 else ANY)
            elif name == "language":
                out.append(self.language)
            else:
                out.append(self.assistant)
        return tuple(out)

    def meta(self) -> dict[str, str]:
        return {
            "period": period_at(self.day, self.period_level),
            "period_level": self.period_level,
            "turns": turns_band(self.turns) if self.turns_level == 0 else ANY,
            "language": self.language,
            "assistant": self.assistant,
        }

    def generalise(self, name: str) -> bool:
        """One step up for `name`; False when it is already fully general."""
        if name == "period":
            index = _PERIOD_LEVELS.index(self.period_level)
            if index + 1 >= len(_PERIOD_LEVELS):
                return False
            self.period_level = _PERIOD_LEVELS[index + 1]
            return True
        if name == "turns":
            if self.turns_level >= 1:
                return False
            self.turns_level = 1
            return True
        if name == "language":
            if self.language == ANY:
                return False
            self.language = ANY
            return True
        if self.assistant == ANY:
            return False
        self.assistant = ANY
        return True


@dataclass(frozen=True, slots=True)
class KReport:
    k: int
    quasi_identifiers: tuple[str, ...]
    rows: int
    generalised: int
    dropped: int
    groups: int

    def as_dict(self) -> dict[str, object]:
        return {
            "k": self.k,
            "quasi_identifiers": list(self.quasi_identifiers),
            "rows": self.rows,
            "generalised": self.generalised,
            "dropped": self.dropped,
            "groups": self.groups,
        }


def anonymise_groups(
    rows: Sequence[Row], k: int, qis: Sequence[str], max_suppressed: float = 0.05
) -> tuple[list[bool], KReport]:
    """Generalise `rows` in place until at most `max_suppressed` of them are in groups
    smaller than `k`, then drop those; returns which rows to keep and the report.

    Full-domain generalisation (Datafly): each step takes one quasi-identifier one level
    up for every row, the one with the most distinct values first (ties in the given
    order), so equal values stay equal and generalised rows merge into bigger groups.
    """
    qis = tuple(qis)
    before = [row.values(qis) for row in rows]
    limit = max_suppressed * len(rows)
    while True:
        sizes = Counter(row.values(qis) for row in rows)
        small = sum(1 for row in rows if sizes[row.values(qis)] < k)
        if small <= limit:
            break
        candidates = sorted(
            qis,
            key=lambda name: (-len({r.values((name,)) for r in rows}), qis.index(name)),
        )
        for name in candidates:
            moved = [row.generalise(name) for row in rows]
            if any(moved):
                break
        else:
            break  # everything fully general: what is left alone is dropped
    sizes = Counter(row.values(qis) for row in rows)
    keep = [sizes[row.values(qis)] >= k for row in rows]
    report = KReport(
        k=k,
        quasi_identifiers=qis,
        rows=len(rows),
        generalised=sum(
            1
            for row, old, kept in zip(rows, before, keep, strict=True)
            if kept and row.values(qis) != old
        ),
        dropped=keep.count(False),
        groups=len({row.values(qis) for row, kept in zip(rows, keep, strict=True) if kept}),
    )
    return keep, report
