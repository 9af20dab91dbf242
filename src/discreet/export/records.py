"""`ExportRecords`: the one store class of ``export_runs`` and ``export_items``.

An export's plan names each conversation and its subject by pseudonymous id (so a rerun
finishes the same plan, and an access request can list the exports that used a
customer's conversations); the exported files never do. This class alone reads and
writes those tables and implements the subject-data protocol for them
(:mod:`discreet.subjectdata`): export, erase, expire, forecast.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update

from discreet.clock import Clock, as_utc, now_from, system_clock
from discreet.store.db import Database
from discreet.store.export_models import ExportItem, ExportRun
from discreet.store.models import table_of
from discreet.subjectdata import Batching, Due, Expiry, Held, OneRule, SubjectScope

_R = table_of(ExportRun)
_I = table_of(ExportItem)
RECORD_KIND = "export_items"
"""The record kind retention rules name to expire export plans."""
_CHUNK = 1000


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


@dataclass(frozen=True, slots=True)
class PlannedItem:
    conversation_id: str
    subject_id: str | None
    partition: int
    meta: dict[str, str]


@dataclass(frozen=True, slots=True)
class RunInfo:
    id: str
    tenant: str
    kind: str
    state: str
    params: dict[str, Any]
    partitions: int
    counts: dict[str, Any]
    actor: str
    created_at: datetime
    finished_at: datetime | None


class ExportRecords(OneRule):
    """Export runs and their plans, for every tenant (rows carry the tenant)."""

    name = "exports"
    kind = RECORD_KIND
    erasable = True
    # export_runs (counts, kinds, dates) holds nothing about a subject; this class alone
    # writes it too, but only export_items is subject data.
    tables = ("export_items",)

    def __init__(self, db: Database, *, clock: Clock = system_clock) -> None:
        self._db = db
        self._clock = clock

    def create(
        self,
        run_id: str,
        *,
        tenant: str,
        kind: str,
        params: dict[str, Any],
        partitions: int,
        actor: str,
        items: Sequence[PlannedItem],
        counts: dict[str, Any] | None = None,
    ) -> None:
        now = now_from(self._clock)
        with self._db.begin() as conn:
            conn.execute(
                _R.insert(),
                {
                    "id": run_id,
                    "tenant": tenant,
                    "kind": kind,
                    "state": "planned",
                    "params": canonical(params),
                    "partitions": partitions,
                    "counts": canonical(counts or {}),
                    "actor": actor,
                    "created_at": now,
                    "finished_at": None,
                },
            )
            rows = [
                {
                    "run_id": run_id,
                    "conversation_id": item.conversation_id,
                    "tenant": tenant,
                    "subject_id": item.subject_id,
                    "partition": item.partition,
                    "meta": canonical(item.meta),
                    "created_at": now,
                }
                for item in items
            ]
            for start in range(0, len(rows), _CHUNK):
                conn.execute(_I.insert(), rows[start : start + _CHUNK])

    def run(self, run_id: str) -> RunInfo | None:
        with self._db.read() as conn:
            row = conn.execute(select(_R).where(_R.c.id == run_id)).one_or_none()
        if row is None:
            return None
        return RunInfo(
            id=row.id,
            tenant=row.tenant,
            kind=row.kind,
            state=row.state,
            params=json.loads(row.params),
            partitions=int(row.partitions),
            counts=json.loads(row.counts),
            actor=row.actor,
            created_at=as_utc(row.created_at),
            finished_at=as_utc(row.finished_at) if row.finished_at is not None else None,
        )

    def items(self, run_id: str, partition: int) -> list[tuple[str, dict[str, str]]]:
        """(conversation id, generalised metadata) of one partition, in plan order."""
        with self._db.read() as conn:
            rows = conn.execute(
                select(_I.c.conversation_id, _I.c.meta)
                .where(_I.c.run_id == run_id, _I.c.partition == partition)
                .order_by(_I.c.conversation_id)
            ).all()
        return [(row.conversation_id, json.loads(row.meta)) for row in rows]

    def finish(self, run_id: str, state: str, counts: dict[str, Any]) -> None:
        with self._db.begin() as conn:
            conn.execute(
                update(_R)
                .where(_R.c.id == run_id)
                .values(state=state, counts=canonical(counts), finished_at=now_from(self._clock))
            )

    # --- the subject-data protocol ---------------------------------------------------------

    def export(self, scope: SubjectScope) -> list[dict[str, Any]]:
        """Which exports used which of the subject's conversations (run, kind, date, state):
        one row per conversation, so an erasure that keeps a held one shows what it kept."""
        with self._db.read() as conn:
            rows = conn.execute(
                select(_R.c.id, _R.c.kind, _R.c.state, _R.c.created_at, _I.c.conversation_id)
                .select_from(_I.join(_R, _R.c.id == _I.c.run_id))
                .where(_I.c.tenant == scope.tenant, _I.c.subject_id == scope.subject_id)
                .order_by(_R.c.created_at, _R.c.id, _I.c.conversation_id)
            ).all()
        return [
            {
                "export": row[0],
                "kind": row[1],
                "state": row[2],
                "created_at": as_utc(row[3]).isoformat(),
                "conversation": row[4],
            }
            for row in rows
        ]

    def erase(self, scope: SubjectScope, held: Held) -> int:
        if held.covers(subject=scope.subject_id):
            return 0
        query = delete(_I).where(_I.c.tenant == scope.tenant, _I.c.subject_id == scope.subject_id)
        if held.conversations:
            query = query.where(_I.c.conversation_id.not_in(sorted(held.conversations)))
        with self._db.begin() as conn:
            return int(conn.execute(query).rowcount or 0)

    def _aged(self, tenant: str, before: datetime | None) -> list[tuple[str, str | None, str]]:
        query = select(_I.c.run_id, _I.c.subject_id, _I.c.conversation_id, _I.c.created_at)
        query = query.where(_I.c.tenant == tenant)
        if before is not None:
            query = query.where(_I.c.created_at < before)
        with self._db.read() as conn:
            return [(r[0], r[1], r[2]) for r in conn.execute(query).all()]

    def expire_after(
        self, days: int, tenant: str, now: datetime, held: Held, dry_run: bool, batching: Batching
    ) -> list[Expiry]:
        cutoff = as_utc(now) - timedelta(days=days)
        due = self._aged(tenant, cutoff)
        keep = [d for d in due if held.covers(subject=d[1], conversation=d[2])]
        gone = [d for d in due if not held.covers(subject=d[1], conversation=d[2])]
        line = Expiry(RECORD_KIND, None, days, len(gone), len(keep))
        if gone and not dry_run:
            with self._db.begin() as conn:
                for run_id, _subject, conversation in gone:
                    conn.execute(
                        delete(_I).where(
                            _I.c.run_id == run_id, _I.c.conversation_id == conversation
                        )
                    )
                batching.report(conn, line)
        return [line]

    def forecast_after(
        self, days: int, tenant: str, now: datetime, horizon_days: int, held: Held
    ) -> list[Due]:
        with self._db.read() as conn:
            rows = conn.execute(
                select(_I.c.subject_id, _I.c.conversation_id, _I.c.created_at).where(
                    _I.c.tenant == tenant
                )
            ).all()
        starts = (
            (as_utc(created), held.covers(subject=subj, conversation=conv))
            for subj, conv, created in rows
        )
        return self.due_after(days, as_utc(now), horizon_days, starts)
