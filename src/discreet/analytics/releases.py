"""The released differentially private results (``dp_releases``), kept as released.

A release's noisy counts are post-processing of a measurement already charged to the
budget, so storing them and showing them again (the console's overview) spends nothing
and tells nothing more about anyone. Only what `run_queries` released is stored: counts,
intervals, the noise scale and the period, never a record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from discreet.clock import Clock, as_utc, now_from, system_clock
from discreet.store.db import Database
from discreet.store.export_models import DpRelease
from discreet.store.models import table_of

_R = table_of(DpRelease)


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
    """Stores each released result and answers for the latest per query."""

    def __init__(self, db: Database, *, tenant: str, clock: Clock = system_clock) -> None:
        self._db = db
        self.tenant = tenant
        self._clock = clock

    def record(
        self, dataset: str, since: datetime, until: datetime, result: dict[str, Any]
    ) -> None:
        with self._db.begin() as conn:
            conn.execute(
                _R.insert(),
                {
                    "tenant": self.tenant,
                    "dataset": dataset,
                    "query": str(result["query"]),
                    "period_since": since,
                    "period_until": until,
                    "result": json.dumps(result, sort_keys=True),
                    "released_at": now_from(self._clock),
                },
            )

    def latest(self, query: str) -> Release | None:
        """The newest release of `query` for this tenant, whatever its dataset."""
        with self._db.read() as conn:
            row = conn.execute(
                select(_R)
                .where(_R.c.tenant == self.tenant, _R.c.query == query)
                .order_by(_R.c.released_at.desc(), _R.c.id.desc())
                .limit(1)
            ).first()
        if row is None:
            return None
        return Release(
            row.dataset,
            row.query,
            as_utc(row.period_since),
            as_utc(row.period_until),
            as_utc(row.released_at),
            json.loads(row.result),
        )
