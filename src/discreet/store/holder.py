"""The subject-data protocol for the common case: one table keyed by tenant and subject.

Most tables of personal data are a history of small records about a subject (consent
records, processing limits, rights requests, erasure jobs, legal holds). Their holder
differs only in which table, which column says when a row's retention starts, and which
rows may expire at all (a current consent state or an active hold never does). A holder
subclasses :class:`TableHolder` and says just that; the protocol's four operations are
written once here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import Column, ColumnElement, Table, and_, delete, func, select, true

from discreet.clock import Clock, as_utc, system_clock
from discreet.store.db import Database
from discreet.store.sql import held_flag, is_held, not_held, of_scope
from discreet.subjectdata import Batching, Due, Expiry, Held, OneRule, SubjectScope


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


class TableHolder(OneRule):
    """Holder of one table with ``tenant`` and ``subject_id`` columns."""

    name: ClassVar[str]
    table: ClassVar[Table]
    erasable: ClassVar[bool] = True

    def __init__(self, db: Database, *, clock: Clock = system_clock) -> None:
        self._db = db
        self._clock = clock

    @property
    def tables(self) -> tuple[str, ...]:
        return (self.table.name,)

    # --- what a subclass says -----------------------------------------------------------

    def stamp(self) -> Column[Any]:
        """The column a row's retention counts from."""
        raise NotImplementedError

    def expirable(self) -> ColumnElement[bool]:
        """Rows that may expire at all (default: every row)."""
        return true()

    def held_columns(self) -> dict[str, ColumnElement[Any]]:
        return {"subject": self.table.c.subject_id}

    def order(self) -> tuple[ColumnElement[Any], ...]:
        """How an export lists the rows (default: by primary key)."""
        return tuple(self.table.primary_key)

    def row_dict(self, row: Any) -> dict[str, Any]:
        """One exported row (default: every column but the tenant, JSON-ready)."""
        return {key: _json(value) for key, value in row._mapping.items() if key != "tenant"}

    # --- the protocol -------------------------------------------------------------------

    def _of(self, scope: SubjectScope) -> ColumnElement[bool]:
        return of_scope(scope, tenant=self.table.c.tenant, subject=self.table.c.subject_id)

    def export(self, scope: SubjectScope) -> list[dict[str, Any]]:
        with self._db.begin() as conn:
            rows = conn.execute(
                select(self.table).where(self._of(scope)).order_by(*self.order())
            ).all()
        return [self.row_dict(row) for row in rows]

    def erase(self, scope: SubjectScope, held: Held) -> int:
        if not self.erasable or held.covers(subject=scope.subject_id):
            return 0
        with self._db.begin() as conn:
            result = conn.execute(
                delete(self.table).where(self._of(scope), not_held(held, **self.held_columns()))
            )
        return int(result.rowcount or 0)

    def expire_after(
        self, days: int, tenant: str, now: datetime, held: Held, dry_run: bool, batching: Batching
    ) -> list[Expiry]:
        stamp = self.stamp()
        due = and_(
            self.table.c.tenant == tenant,
            stamp.is_not(None),
            stamp < now - timedelta(days=days),
            self.expirable(),
        )
        free = and_(due, not_held(held, **self.held_columns()))
        with self._db.begin() as conn:
            kept = int(
                conn.execute(
                    select(func.count())
                    .select_from(self.table)
                    .where(due, is_held(held, **self.held_columns()))
                ).scalar_one()
            )
            if dry_run:
                deleted = int(
                    conn.execute(
                        select(func.count()).select_from(self.table).where(free)
                    ).scalar_one()
                )
            else:
                deleted = int(conn.execute(delete(self.table).where(free)).rowcount or 0)
                batching.report(conn, Expiry(self.kind, None, days, deleted))
        if not (deleted or kept):
            return []
        return [Expiry(self.kind, None, days, deleted, kept)]

    def forecast_after(
        self, days: int, tenant: str, now: datetime, horizon_days: int, held: Held
    ) -> list[Due]:
        stamp = self.stamp()
        with self._db.begin() as conn:
            rows = conn.execute(
                select(stamp.label("stamp"), held_flag(held, **self.held_columns())).where(
                    self.table.c.tenant == tenant, stamp.is_not(None), self.expirable()
                )
            ).all()
        return self.due_after(
            days, now, horizon_days, ((as_utc(r.stamp), bool(r.held)) for r in rows)
        )
