"""The released differentially private results, read back as released.

A release's noisy counts are post-processing of a measurement already charged to the
budget, so showing them again (the console's overview) spends nothing and tells nothing
more about anyone. They are stored once, on their ledger entry (``dp_ledger.result``,
written by `run_queries`); this module is the console's view of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from discreet.analytics.ledger import latest_releases
from discreet.store.db import Database


@dataclass(frozen=True, slots=True)
class Release:
    dataset: str
    query: str
    since: datetime
    until: datetime
    released_at: datetime
    result: dict[str, Any]
    """As `discreet.analytics.queries.release` returned it."""

    def total(self) -> float:
        """The noisy total over every cell (e.g. conversations, for ``volume``)."""
        return float(sum(max(0, int(cell["count"])) for cell in self.result.get("cells", [])))

    def handoff_rate(self) -> float | None:
        """For ``outcomes``: the handoff rate over every group's noisy counts."""
        from discreet.analytics.queries import outcome_rates

        cells = self.result.get("cells", [])
        if not cells:
            return None
        [overall] = outcome_rates(cells, float(self.result.get("ci_half_width", 0)), by=())
        rate = overall["handoff_rate"]
        return None if rate is None else float(rate)


class ReleaseRecords:
    """Answers for the latest release per query (the ledger keeps them)."""

    def __init__(self, db: Database, *, tenant: str) -> None:
        self._db = db
        self.tenant = tenant

    def latest(self, query: str) -> Release | None:
        """The newest release of `query` for this tenant, whatever its dataset."""
        for entry in latest_releases(self._db, self.tenant):  # newest first
            if entry["query"] != query:
                continue
            result = dict(entry["result"])
            period = result.pop("period")
            return Release(
                entry["dataset"],
                query,
                datetime.fromisoformat(period["since"]),
                datetime.fromisoformat(period["until"]),
                datetime.fromisoformat(entry["released_at"]),
                result,
            )
        return None
