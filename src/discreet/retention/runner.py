"""The retention run: delete what the policy no longer allows to keep, except what is held.

One run, in this order (each step in batches, one audit record per batch with counts):

1. ``audit_records`` -- only when the policy has an explicit ``audit_records`` rule (the
   built-in default never deletes evidence silently): the oldest records are pruned as a
   prefix with a chained anchor, so ``discreet audit verify`` still passes; the prefix
   stops before the first record about a subject under legal hold. First, so this run's
   own records are never pruned by it.
2. ``idle_conversations`` -- open conversations idle past ``conversation.
   idle_timeout_minutes`` are closed (see :mod:`discreet.retention.closing`).
3. ``token_maps`` -- maps of conversations closed longer ago than the policy's
   ``conversation.keep_token_maps_after_close_days`` (0 by default: closing already
   destroyed them, so these are maps closing left behind), and any map unused for longer
   than the ``token_maps`` retention: rows deleted, keys shredded.
4. ``conversation_messages`` -- transcript messages older than their retention.
5. ``subject_fields`` -- per data category, fields not updated within their retention
   (delete the ciphertext and its blind-index entries); a subject left with no fields is
   erased by crypto-shredding (``subjects``), unless one of its conversations is held.
6. ``conversations`` -- records of closed conversations whose messages are all gone and
   whose last activity is older than the message retention.

Held rows (see :mod:`discreet.retention.held`) are kept and counted as ``held``; the run's
outcome lists the holds. A dry run counts the same things and changes nothing (it does
not even write an audit record). Every time comes from the injected clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    delete,
    false,
    func,
    or_,
    select,
    true,
)

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
from discreet.retention.shred import chunks, destroy_token_maps, erase_subjects
from discreet.rights.holds import LegalHold
from discreet.store.db import Database
from discreet.store.gateway_models import GatewayConversation
from discreet.store.models import (
    AuditRecord,
    BlindIndexEntry,
    Conversation,
    Subject,
    SubjectField,
    TokenMap,
    table_of,
)
from discreet.store.retention_models import ConversationMessage, RetentionRunRow
from discreet.vault.identifiers import derived_from
from discreet.vault.keystore import KeyStore

_T = table_of(ConversationMessage)
_M = table_of(TokenMap)
_G = table_of(GatewayConversation)
_C = table_of(Conversation)
_S = table_of(Subject)
_F = table_of(SubjectField)
_B = table_of(BlindIndexEntry)
_A = table_of(AuditRecord)
_R = table_of(RetentionRunRow)

DEFAULT_BATCH = 5000
BATCH_ACTION = "retention.delete"
RUN_ACTION = "retention.run"


@dataclass(frozen=True, slots=True)
class KindCount:
    """One line of a run's summary."""

    kind: str
    category: str | None
    days: int | None
    """The retention that applied (None where none does, e.g. idle closing)."""
    deleted: int
    """Deleted (closed, for idle conversations); in a dry run: would be."""
    held: int
    """Past retention but kept because of a legal hold."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "category": self.category,
            "days": self.days,
            "deleted": self.deleted,
            "held": self.held,
        }


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


def not_held(
    held: HeldSet,
    *,
    subject: ColumnElement[Any] | None = None,
    conversation: ColumnElement[Any] | None = None,
) -> ColumnElement[bool]:
    """SQL: the row is not covered by a hold (NULL subject or conversation: not held)."""
    parts: list[ColumnElement[bool]] = []
    if conversation is not None and held.conversations:
        parts.append(conversation.not_in(sorted(held.conversations)))
    if subject is not None and held.subjects:
        parts.append(or_(subject.is_(None), subject.not_in(sorted(held.subjects))))
    return and_(true(), *parts)


def is_held(
    held: HeldSet,
    *,
    subject: ColumnElement[Any] | None = None,
    conversation: ColumnElement[Any] | None = None,
) -> ColumnElement[bool]:
    """SQL: the row is covered by a hold."""
    parts: list[ColumnElement[bool]] = []
    if conversation is not None and held.conversations:
        parts.append(conversation.in_(sorted(held.conversations)))
    if subject is not None and held.subjects:
        parts.append(subject.in_(sorted(held.subjects)))
    return or_(false(), *parts)


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
        clock: Clock = system_clock,
        batch_size: int = DEFAULT_BATCH,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._db = data
        self._keys = keys
        self._policy = policy
        self._audit = AuditLog(data)
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
        self._token_maps(run)
        self._messages(run)
        self._subject_fields(run)
        self._conversations(run)
        finished = now_from(self._clock)
        outcome = RetentionOutcome(
            self.tenant, started, finished, dry_run, tuple(run.counts), run.held.holds
        )
        if not dry_run:
            self._record(outcome, ctx)
            self._db.purge_deleted()
        return outcome

    # -- steps ---------------------------------------------------------------------------

    def _days(self, kind: RecordKind, category: str | None = None) -> int:
        return self._policy.retention_days(kind, category)

    def _audit_records(self, run: _Run) -> None:
        rule = resolve_retention(self._policy.retention, RecordKind.AUDIT_RECORDS)
        if rule is None:
            return
        keep_from: int | None = None
        if run.held.subjects:
            with self._db.begin() as conn:
                firsts = [
                    conn.execute(
                        select(func.min(_A.c.seq)).where(_A.c.subject.in_(part))
                    ).scalar_one_or_none()
                    for part in chunks(sorted(run.held.subjects))
                ]
            found = [int(seq) for seq in firsts if seq is not None]
            keep_from = min(found) if found else None
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

    def _token_maps(self, run: _Run) -> None:
        days = self._days(RecordKind.TOKEN_MAPS)
        unused_before = run.now - timedelta(days=days)
        closed_before = run.now - timedelta(days=token_map_keep_days(self._policy))
        with self._db.begin() as conn:
            stale = set(
                conn.execute(
                    select(_M.c.conversation_id).where(
                        _M.c.tenant == self.tenant, _M.c.updated_at < unused_before
                    )
                ).scalars()
            )
            closed = set(
                conn.execute(
                    select(_M.c.conversation_id)
                    .join(_G, (_G.c.tenant == _M.c.tenant) & (_G.c.id == _M.c.conversation_id))
                    .where(_M.c.tenant == self.tenant, _G.c.closed_at <= closed_before)
                ).scalars()
            )
        due = sorted(stale | closed)
        held = [cid for cid in due if cid in run.held.conversations]
        free = [cid for cid in due if cid not in run.held.conversations]
        deleted = len(free)
        if not run.dry_run:
            deleted = 0
            for part in chunks(free, self._batch):
                with self._db.begin() as conn:
                    count = destroy_token_maps(conn, self._keys, self.tenant, part)
                    self._batch_record(conn, run, RecordKind.TOKEN_MAPS.value, None, count)
                deleted += count
        if due:
            run.counts.append(
                KindCount(RecordKind.TOKEN_MAPS.value, None, days, deleted, len(held))
            )

    def _messages(self, run: _Run) -> None:
        days = self._days(RecordKind.CONVERSATION_MESSAGES)
        due = and_(_T.c.tenant == self.tenant, _T.c.created_at < run.now - timedelta(days=days))
        free = and_(
            due, not_held(run.held, subject=_T.c.subject_id, conversation=_T.c.conversation_id)
        )
        held_q = and_(
            due, is_held(run.held, subject=_T.c.subject_id, conversation=_T.c.conversation_id)
        )
        with self._db.begin() as conn:
            held = int(
                conn.execute(select(func.count()).select_from(_T).where(held_q)).scalar_one()
            )
            if run.dry_run:
                deleted = int(
                    conn.execute(select(func.count()).select_from(_T).where(free)).scalar_one()
                )
        if not run.dry_run:
            deleted = 0
            for count in self._delete_batches(run, free, RecordKind.CONVERSATION_MESSAGES.value):
                deleted += count
        if deleted or held:
            run.counts.append(
                KindCount(RecordKind.CONVERSATION_MESSAGES.value, None, days, deleted, held)
            )

    def _delete_batches(self, run: _Run, where: ColumnElement[bool], kind: str) -> Iterator[int]:
        """Delete conversation messages matching `where`, lowest ids first, a batch per
        transaction, each with its audit record."""
        while True:
            with self._db.begin() as conn:
                ids = list(
                    conn.execute(
                        select(_T.c.id).where(where).order_by(_T.c.id).limit(self._batch)
                    ).scalars()
                )
                if not ids:
                    return
                result = conn.execute(delete(_T).where(where, _T.c.id <= ids[-1]))
                count = int(result.rowcount or 0)
                self._batch_record(conn, run, kind, None, count)
            yield count

    def _subject_fields(self, run: _Run) -> None:
        with self._db.begin() as conn:
            categories = sorted(
                conn.execute(
                    select(_F.c.category)
                    .join(_S, _S.c.id == _F.c.subject_id)
                    .where(_S.c.tenant == self.tenant)
                    .distinct()
                ).scalars()
            )
        touched: set[str] = set()
        for category in categories:
            days = self._days(RecordKind.SUBJECT_FIELDS, category)
            due = and_(
                _S.c.tenant == self.tenant,
                _F.c.category == category,
                _F.c.updated_at < run.now - timedelta(days=days),
            )
            with self._db.begin() as conn:
                base = select(_F.c.subject_id, _F.c.field).join(_S, _S.c.id == _F.c.subject_id)
                pairs = [
                    (row.subject_id, row.field)
                    for row in conn.execute(
                        base.where(due, not_held(run.held, subject=_F.c.subject_id))
                    )
                ]
                held = int(
                    conn.execute(
                        select(func.count())
                        .select_from(_F.join(_S, _S.c.id == _F.c.subject_id))
                        .where(due, is_held(run.held, subject=_F.c.subject_id))
                    ).scalar_one()
                )
            if not run.dry_run:
                for start in range(0, len(pairs), self._batch):
                    part = pairs[start : start + self._batch]
                    with self._db.begin() as conn:
                        self._delete_fields(conn, part)
                        self._batch_record(
                            conn, run, RecordKind.SUBJECT_FIELDS.value, category, len(part)
                        )
            touched.update(subject for subject, _ in pairs)
            if pairs or held:
                run.counts.append(
                    KindCount(RecordKind.SUBJECT_FIELDS.value, category, days, len(pairs), held)
                )
        self._empty_subjects(run, touched)

    @staticmethod
    def _delete_fields(conn: Connection, pairs: list[tuple[str, str]]) -> None:
        by_subject: dict[str, list[str]] = {}
        for subject, name in pairs:
            by_subject.setdefault(subject, []).append(name)
        for subject, names in by_subject.items():
            conn.execute(delete(_F).where(_F.c.subject_id == subject, _F.c.field.in_(names)))
            conn.execute(delete(_B).where(_B.c.subject_id == subject, derived_from(names)))

    def _empty_subjects(self, run: _Run, touched: set[str]) -> None:
        """Erase subjects whose every field is past retention (none held, no held
        conversation: shredding the key would make a held conversation unreadable)."""
        if not touched:
            return
        candidates = sorted(touched)
        with self._db.begin() as conn:
            with_fields: set[str] = set()
            with_held_conversations: set[str] = set()
            for part in chunks(candidates):
                if not run.dry_run:
                    with_fields.update(
                        conn.execute(
                            select(_F.c.subject_id).where(_F.c.subject_id.in_(part)).distinct()
                        ).scalars()
                    )
                if run.held.conversations:
                    with_held_conversations.update(
                        s
                        for s in conn.execute(
                            select(_C.c.subject_id).where(
                                _C.c.tenant == self.tenant,
                                _C.c.subject_id.in_(part),
                                _C.c.id.in_(sorted(run.held.conversations)),
                            )
                        ).scalars()
                        if s is not None
                    )
            if run.dry_run:
                with_fields = self._subjects_keeping_fields(conn, run, candidates)
        empty = [s for s in candidates if s not in with_fields]
        erasable = [s for s in empty if s not in with_held_conversations]
        held = len(empty) - len(erasable)
        if not run.dry_run:
            for part in chunks(erasable, self._batch):
                with self._db.begin() as conn:
                    erased, _ = erase_subjects(conn, self._keys, self.tenant, part)
                    self._batch_record(conn, run, "subjects", None, erased)
        if empty:
            run.counts.append(KindCount("subjects", None, None, len(erasable), held))

    def _subjects_keeping_fields(
        self, conn: Connection, run: _Run, candidates: list[str]
    ) -> set[str]:
        """Dry run: subjects that would keep at least one field not yet due."""
        keeping: set[str] = set()
        for part in chunks(candidates):
            for row in conn.execute(
                select(_F.c.subject_id, _F.c.category, _F.c.updated_at).where(
                    _F.c.subject_id.in_(part)
                )
            ):
                cutoff = run.now - timedelta(
                    days=self._days(RecordKind.SUBJECT_FIELDS, row.category)
                )
                stamp = row.updated_at
                if stamp.tzinfo is None:
                    stamp = stamp.replace(tzinfo=run.now.tzinfo)
                if stamp >= cutoff:
                    keeping.add(row.subject_id)
        return keeping

    def _conversations(self, run: _Run) -> None:
        """Delete the records of closed conversations that have nothing left."""
        days = self._days(RecordKind.CONVERSATION_MESSAGES)
        has_messages = (
            select(_T.c.id)
            .where(_T.c.tenant == _G.c.tenant, _T.c.conversation_id == _G.c.id)
            .exists()
        )
        due = and_(
            _G.c.tenant == self.tenant,
            _G.c.closed_at.is_not(None),
            _G.c.updated_at < run.now - timedelta(days=days),
            ~has_messages,
        )
        with self._db.begin() as conn:
            ids = list(
                conn.execute(
                    select(_G.c.id).where(
                        due, not_held(run.held, subject=_G.c.subject_id, conversation=_G.c.id)
                    )
                ).scalars()
            )
            held = int(
                conn.execute(
                    select(func.count())
                    .select_from(_G)
                    .where(due, is_held(run.held, subject=_G.c.subject_id, conversation=_G.c.id))
                ).scalar_one()
            )
        if not run.dry_run:
            for part in chunks(ids, self._batch):
                with self._db.begin() as conn:
                    destroy_token_maps(conn, self._keys, self.tenant, part)
                    for sub in chunks(part):
                        conn.execute(delete(_C).where(_C.c.tenant == self.tenant, _C.c.id.in_(sub)))
                        conn.execute(delete(_G).where(_G.c.tenant == self.tenant, _G.c.id.in_(sub)))
                    self._batch_record(conn, run, "conversations", None, len(part))
        if ids or held:
            run.counts.append(KindCount("conversations", None, days, len(ids), held))

    # -- records -------------------------------------------------------------------------

    def _batch_record(
        self, conn: Connection, run: _Run, kind: str, category: str | None, count: int
    ) -> None:
        details: dict[str, DetailValue] = {"kind": kind, "deleted": count}
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
