"""The retention run: delete what the policy no longer allows to keep, except what is held.

One run, in this order:

1. ``audit_records`` -- only when the policy has an explicit ``audit_records`` rule (the
   built-in default never deletes evidence silently): the oldest records are pruned as a
   prefix with a chained anchor, so ``discreet audit verify`` still passes; the prefix
   stops before the first record about a subject under legal hold. First, so this run's
   own records are never pruned by it.
2. ``idle_conversations`` -- open conversations idle past ``conversation.
   idle_timeout_minutes`` are closed (see :mod:`discreet.retention.closing`).
3. Every registered subject-data holder (:mod:`discreet.wiring`), in registration order,
   expires its own rows past retention (``conversation_messages``, ``token_maps``,
   ``subject_fields`` and ``subjects``, ``conversations``, ...); the runner never touches
   their tables. One audit record per line of counts.

Held rows (see :mod:`discreet.retention.held`) are kept and counted as ``held``; the run's
outcome lists the holds. A dry run counts the same things and changes nothing (it does
not even write an audit record). Every time comes from the injected clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from discreet.audit.context import AccessContext, Outcome
from discreet.audit.log import AuditEvent, AuditLog, DetailValue
from discreet.clock import Clock, now_from, system_clock
from discreet.policy.models import resolve_retention
from discreet.policy.policy import Policy
from discreet.policy.vocabulary import RecordKind
from discreet.retention.closing import (
    RETENTION_CONTEXT,
    ConversationCloser,
    token_map_keep_days,
)
from discreet.retention.held import HeldSet, load_held
from discreet.rights.holds import LegalHold
from discreet.store.db import Database
from discreet.store.models import table_of
from discreet.store.retention_models import RetentionRunRow
from discreet.subjectdata import (
    CONVERSATIONS,
    TOKEN_MAPS_AFTER_CLOSE,
    Batching,
    Expiry,
    Holders,
    RetentionDays,
)
from discreet.vault.keystore import KeyStore

_R = table_of(RetentionRunRow)

DEFAULT_BATCH = 5000
BATCH_ACTION = "retention.delete"
RUN_ACTION = "retention.run"


def finished_runs(
    db: Database,
    tenant: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    real_only: bool = False,
) -> list[Any]:
    """The tenant's recorded runs (rows of ``retention_runs``) in order of finishing: those
    finished from ``start`` up to (not including) ``end``; ``real_only``: no dry runs."""
    query = select(_R).where(_R.c.tenant == tenant)
    if start is not None:
        query = query.where(_R.c.finished_at >= start)
    if end is not None:
        query = query.where(_R.c.finished_at < end)
    if real_only:
        query = query.where(_R.c.dry_run.is_(False))
    with db.read() as conn:
        return list(conn.execute(query.order_by(_R.c.finished_at)).all())


KindCount = Expiry
"""One line of a run's summary (a holder's :class:`~discreet.subjectdata.Expiry`)."""


def policy_retention(policy: Policy) -> RetentionDays:
    """The policy's retention rules as the holders ask for them: the record kinds it
    governs, plus how long closed conversations keep their maps and records."""

    def days(kind: str, category: str | None) -> int | None:
        if kind == TOKEN_MAPS_AFTER_CLOSE:
            return token_map_keep_days(policy)
        if kind == CONVERSATIONS:
            return policy.retention_days(RecordKind.CONVERSATION_MESSAGES)
        if kind in RecordKind.__members__.values() and kind != RecordKind.AUDIT_RECORDS:
            return policy.retention_days(RecordKind(kind), category)
        return None  # no rule for this kind: keep

    return days


@dataclass(frozen=True, slots=True)
class RetentionOutcome:
    tenant: str
    started_at: datetime
    finished_at: datetime
    dry_run: bool
    counts: tuple[KindCount, ...]
    holds: tuple[LegalHold, ...]

    def count(self, kind: str, category: str | None = None) -> KindCount:
        """The line of `kind` (and `category`); zeros if the run had none."""
        for line in self.counts:
            if line.kind == kind and line.category == category:
                return line
        return KindCount(kind, category, None, 0, 0)

    @property
    def deleted(self) -> int:
        return sum(line.deleted for line in self.counts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "dry_run": self.dry_run,
            "counts": [line.as_dict() for line in self.counts],
            "holds": [hold.as_dict() for hold in self.holds],
        }


@dataclass
class _Run:
    now: datetime
    dry_run: bool
    ctx: AccessContext
    held: HeldSet
    counts: list[KindCount] = field(default_factory=list)


class RetentionRunner:
    """Runs retention for one tenant of the data store."""

    def __init__(
        self,
        data: Database,
        keys: KeyStore,
        policy: Policy,
        *,
        tenant: str,
        holders: Holders,
        clock: Clock = system_clock,
        batch_size: int = DEFAULT_BATCH,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._db = data
        self._keys = keys
        self._policy = policy
        self._audit = AuditLog(data)
        self._holders = holders
        self.tenant = tenant
        self._clock = clock
        self._batch = batch_size
        self.closer = ConversationCloser(data, keys, policy, tenant=tenant, clock=clock)

    def run(
        self, *, dry_run: bool = False, ctx: AccessContext = RETENTION_CONTEXT
    ) -> RetentionOutcome:
        started = now_from(self._clock)
        run = _Run(started, dry_run, ctx, load_held(self._db, self.tenant))
        self._audit_records(run)
        self._idle(run)
        retention = policy_retention(self._policy)
        batching = Batching(self._batch, lambda conn, line: self._batch_record(conn, run, line))
        for holder in self._holders:
            run.counts += holder.expire(
                self.tenant, run.now, retention, run.held.held, dry_run=dry_run, batching=batching
            )
        finished = now_from(self._clock)
        outcome = RetentionOutcome(
            self.tenant, started, finished, dry_run, tuple(run.counts), run.held.holds
        )
        if not dry_run:
            self._record(outcome, ctx)
            self._db.purge_deleted()
        return outcome

    # -- steps of the runner's own -------------------------------------------------------

    def _audit_records(self, run: _Run) -> None:
        rule = resolve_retention(self._policy.retention, RecordKind.AUDIT_RECORDS)
        if rule is None:
            return
        keep_from = self._audit.first_seq_about(run.held.subjects)
        result = self._audit.prune_prefix(
            before=run.now - timedelta(days=rule.days),
            ctx=run.ctx,
            tenant=self.tenant,
            keep_from_seq=keep_from,
            dry_run=run.dry_run,
        )
        run.counts.append(
            KindCount(RecordKind.AUDIT_RECORDS.value, None, rule.days, result.records, 0)
        )

    def _idle(self, run: _Run) -> None:
        if run.dry_run:
            closed = len(self.closer.idle_conversations())
            held = 0
        else:
            outcomes = self.closer.close_idle(ctx=run.ctx)
            closed, held = len(outcomes), sum(1 for o in outcomes if o.held)
        if closed:
            run.counts.append(KindCount("idle_conversations", None, None, closed, held))

    # -- records -------------------------------------------------------------------------

    def _batch_record(self, conn: Connection, run: _Run, line: Expiry) -> None:
        kind, category = line.kind, line.category
        details: dict[str, DetailValue] = {"kind": kind, "deleted": line.deleted}
        if category is not None:
            details["category"] = category
        self._audit.append(
            AuditEvent(
                ctx=run.ctx,
                tenant=self.tenant,
                action=BATCH_ACTION,
                outcome=Outcome.OK,
                categories=(category,) if category else (),
                details=details,
            ),
            conn=conn,
        )

    def _record(self, outcome: RetentionOutcome, ctx: AccessContext) -> None:
        details: dict[str, DetailValue] = {"holds": len(outcome.holds)}
        for line in outcome.counts:
            key = line.kind if line.category is None else f"{line.kind}.{line.category}"
            details[f"{key}.deleted"] = line.deleted
            details[f"{key}.held"] = line.held
        with self._db.begin() as conn:
            self._audit.append(
                AuditEvent(
                    ctx=ctx,
                    tenant=self.tenant,
                    action=RUN_ACTION,
                    outcome=Outcome.OK,
                    details=details,
                ),
                conn=conn,
            )
            conn.execute(
                _R.insert(),
                {
                    "tenant": self.tenant,
                    "started_at": outcome.started_at,
                    "finished_at": outcome.finished_at,
                    "dry_run": False,
                    "actor": ctx.actor,
                    "counts": json.dumps(
                        [line.as_dict() for line in outcome.counts], sort_keys=True
                    ),
                },
            )
