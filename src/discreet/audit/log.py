"""The append-only, hash-chained audit log.

Each record's ``hash`` is SHA-256 over the canonical JSON of all its other columns,
including ``seq`` and ``prev_hash`` (the previous record's hash), so editing, deleting or
reordering records breaks the chain where it happened. A one-row chain head
(``audit_head``: last seq and hash) also exposes records cut off the end.

Appends are serialised so concurrent writers (threads, processes, several PostgreSQL
clients) extend one chain: every append locks the head row (``SELECT ... FOR UPDATE`` on
PostgreSQL; on SQLite the transaction already holds the write lock from
``BEGIN IMMEDIATE``). An append can join the caller's transaction, so a vault change and
its audit record commit or roll back together.

Records hold pseudonymous subject ids, field names, categories and counts, never values.

Retention may prune a *prefix* of the chain (:meth:`AuditLog.prune_prefix`): the records
up to seq N are deleted and an anchor record (action ``audit.pruned``, details
``pruned_through_seq`` N and ``anchor_hash`` H, the deleted record N's hash) is appended in
the same transaction. `verify` starts from the newest anchor: the first remaining record
must be seq N+1 with ``prev_hash`` H. The anchor is itself chained, so forging one needs the
same rewrite of every later record (and the head) as any other tampering; a prefix deleted
without an anchor still fails verification as "records missing".

Keyed (`audit.keyed`): every append also MACs the record under a chain key held in the key
store, so recomputed hashes, renumbering and forged pruning anchors fail `verify`, and an
anchor file written outside the database catches a truncated tail.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, delete, func, select, update

from discreet.audit import keyed
from discreet.audit.context import AccessContext, Outcome
from discreet.store.db import Database
from discreet.store.driver import DriverStatement
from discreet.store.errors import StorageError
from discreet.store.models import GENESIS_HASH, AuditHead, AuditRecord, table_of

_LOG = table_of(AuditRecord)
_HEAD = table_of(AuditHead)
# Built once: every chat turn appends records, and building these statements again each
# time (expressions, cache keys) cost more than running them.
# Every chat turn appends twice: these run on the driver's cursor (store/driver.py).
_LOCK_HEAD = DriverStatement(
    select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1).with_for_update()
)
_INSERT_RECORD = DriverStatement(_LOG.insert())
_MOVE_HEAD = DriverStatement(
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)
DetailValue = int | str | bool
PRUNE_ACTION = "audit.pruned"


class AuditChainMissing(StorageError):
    """The chain-head row is missing: the database was not migrated or was tampered with."""


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def format_ts(moment: datetime) -> str:
    """Fixed-width UTC text, so stored, hashed and compared timestamps agree everywhere."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """What happened, before it gets a place in the chain."""

    ctx: AccessContext
    tenant: str
    action: str
    outcome: Outcome
    subject: str | None = None
    """Pseudonymous subject id; never a name, e-mail or customer number."""
    categories: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    details: Mapping[str, DetailValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One stored record."""

    seq: int
    ts: str
    tenant: str
    actor: str
    actor_kind: str
    action: str
    subject: str | None
    categories: tuple[str, ...]
    fields: tuple[str, ...]
    purpose: str
    legal_basis: str
    outcome: str
    details: Mapping[str, DetailValue]
    prev_hash: str
    hash: str

    def body(self) -> dict[str, Any]:
        """Everything the hash covers (all columns but the hash)."""
        # Built by hand: dataclasses.asdict deep-copies recursively, which cost about a
        # millisecond per append on the gateway's hot path.
        return {
            "seq": self.seq,
            "ts": self.ts,
            "tenant": self.tenant,
            "actor": self.actor,
            "actor_kind": self.actor_kind,
            "action": self.action,
            "subject": self.subject,
            "categories": list(self.categories),
            "fields": list(self.fields),
            "purpose": self.purpose,
            "legal_basis": self.legal_basis,
            "outcome": self.outcome,
            "details": dict(self.details),
            "prev_hash": self.prev_hash,
        }

    def computed_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.body()).encode("ascii")).hexdigest()

    def as_dict(self) -> dict[str, Any]:
        return {**self.body(), "hash": self.hash}


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    records: int
    """Records checked."""
    first_bad_seq: int | None = None
    reason: str | None = None
    keyed_records: int | None = None
    """Records whose MAC was checked (None: no chain key in this process)."""


@dataclass(frozen=True, slots=True)
class PruneResult:
    """What :meth:`AuditLog.prune_prefix` removed (or, in a dry run, would remove)."""

    records: int
    through_seq: int
    """The last pruned seq (0: nothing pruned)."""
    anchor: AuditEntry | None = None
    """The anchor record appended (None in a dry run or when nothing was pruned)."""


def _entry_from_row(row: Any) -> AuditEntry:
    return AuditEntry(
        seq=int(row.seq),
        ts=row.ts,
        tenant=row.tenant,
        actor=row.actor,
        actor_kind=row.actor_kind,
        action=row.action,
        subject=row.subject,
        categories=tuple(json.loads(row.categories)),
        fields=tuple(json.loads(row.fields)),
        purpose=row.purpose,
        legal_basis=row.legal_basis,
        outcome=row.outcome,
        details=json.loads(row.details),
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


class AuditLog:
    """The audit log in the data store."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def append(self, event: AuditEvent, *, conn: Connection | None = None) -> AuditEntry:
        """Add `event` at the end of the chain, in `conn`'s transaction if given."""
        if conn is not None:
            return self._append(conn, event)
        with self.db.begin() as own:
            return self._append(own, event)

    def _append(self, conn: Connection, event: AuditEvent) -> AuditEntry:
        head = _LOCK_HEAD.first(conn)
        if head is None:
            raise AuditChainMissing("audit chain head is missing: run `discreet db upgrade`")
        draft = AuditEntry(
            seq=int(head[0]) + 1,
            ts=format_ts(datetime.now(UTC)),
            tenant=event.tenant,
            actor=event.ctx.actor,
            actor_kind=event.ctx.actor_kind.value,
            action=event.action,
            subject=event.subject,
            categories=tuple(sorted(set(event.categories))),
            fields=tuple(sorted(set(event.fields))),
            purpose=event.ctx.purpose,
            legal_basis=event.ctx.legal_basis.value,
            outcome=event.outcome.value,
            details=dict(event.details),
            prev_hash=head[1],
            hash="",
        )
        body = draft.body()
        digest = hashlib.sha256(canonical_json(body).encode("ascii")).hexdigest()
        entry = replace(draft, hash=digest)
        row = {**body, "hash": digest}
        row["categories"] = canonical_json(row["categories"])
        row["fields"] = canonical_json(row["fields"])
        row["details"] = canonical_json(row["details"])
        _INSERT_RECORD.rows(conn, row)
        _MOVE_HEAD.rows(conn, {"new_seq": entry.seq, "new_hash": entry.hash})
        keyed.on_append(conn, self.db, entry.seq, entry.hash)  # the MAC chain (audit/keyed)
        return entry

    def entries(self, *, since: datetime | None = None, page: int = 1000) -> Iterator[AuditEntry]:
        """Records in chain order, read page by page (short transactions)."""
        after = () if since is None else (_LOG.c.ts >= format_ts(since),)
        return self._paged(after, page)

    def _paged(self, where: Iterable[ColumnElement[bool]], page: int) -> Iterator[AuditEntry]:
        """The records that meet every condition of ``where``, in chain order, ``page`` at a
        time, each page in a transaction of its own (a long read holds no lock)."""
        conditions = tuple(where)
        last = 0
        while True:
            query = (
                select(_LOG).where(_LOG.c.seq > last, *conditions).order_by(_LOG.c.seq).limit(page)
            )
            with self.db.begin() as conn:
                rows = conn.execute(query).all()
            if not rows:
                return
            for row in rows:
                yield _entry_from_row(row)
            last = int(rows[-1].seq)

    def last_seq(self) -> int:
        """The newest record's sequence number (0 for an empty log)."""
        with self.db.begin() as conn:
            return int(conn.execute(select(func.max(_LOG.c.seq))).scalar_one_or_none() or 0)

    def actions_after(
        self, seq: int, actions: Iterable[str], *, limit: int = 5000
    ) -> list[tuple[int, str, str, dict[str, Any]]]:
        """``(seq, action, outcome, details)`` of up to ``limit`` records after ``seq``
        whose action is one of ``actions``, in chain order (for counters that tail the
        log without reading whole entries)."""
        with self.db.begin() as conn:
            rows = conn.execute(
                select(_LOG.c.seq, _LOG.c.action, _LOG.c.outcome, _LOG.c.details)
                .where(_LOG.c.seq > seq, _LOG.c.action.in_(tuple(actions)))
                .order_by(_LOG.c.seq)
                .limit(limit)
            ).all()
        return [(int(r.seq), r.action, r.outcome, json.loads(r.details)) for r in rows]

    def entries_about(self, subject: str, *, page: int = 1000) -> Iterator[AuditEntry]:
        """The records about one subject (pseudonymous id), in chain order, page by page.

        Uses the index on ``subject``, so a subject-access export reads its own records
        rather than the whole log."""
        return self._paged((_LOG.c.subject == subject,), page)

    def first_seq_about(self, subjects: Iterable[str]) -> int | None:
        """The sequence number of the first record about any of `subjects` (a prune must
        stop before it when they are held), or None."""
        wanted = sorted(set(subjects))
        firsts: list[int] = []
        with self.db.begin() as conn:
            for start in range(0, len(wanted), 500):
                seq = conn.execute(
                    select(func.min(_LOG.c.seq)).where(
                        _LOG.c.subject.in_(wanted[start : start + 500])
                    )
                ).scalar_one_or_none()
                if seq is not None:
                    firsts.append(int(seq))
        return min(firsts) if firsts else None

    def timestamps(self) -> list[datetime]:
        """When each record was written, in chain order (retention forecasts)."""
        with self.db.begin() as conn:
            return [
                datetime.fromisoformat(ts)
                for ts in conn.execute(select(_LOG.c.ts).order_by(_LOG.c.seq)).scalars()
            ]

    def prune_prefix(
        self,
        *,
        before: datetime,
        ctx: AccessContext,
        tenant: str,
        keep_from_seq: int | None = None,
        dry_run: bool = False,
        conn: Connection | None = None,
    ) -> PruneResult:
        """Delete the oldest records, all stamped before `before`, keeping the chain
        verifiable with an anchor record (see the module docstring).

        The prefix ends at the first record stamped at or after `before` and, when
        `keep_from_seq` is given, before that seq (retention passes the first record about
        a subject under legal hold). The whole chain is one log across tenants; `tenant`
        only labels the anchor record.
        """
        if conn is None:
            with self.db.begin() as own:
                return self.prune_prefix(
                    before=before,
                    ctx=ctx,
                    tenant=tenant,
                    keep_from_seq=keep_from_seq,
                    dry_run=dry_run,
                    conn=own,
                )
        # Lock the head first: no append may slip in while the prefix is measured.
        conn.execute(select(_HEAD.c.seq).where(_HEAD.c.id == 1).with_for_update()).one_or_none()
        start = self._anchor(conn)
        first_kept = conn.execute(
            select(func.min(_LOG.c.seq)).where(_LOG.c.ts >= format_ts(before))
        ).scalar_one_or_none()
        bounds = [int(first_kept) - 1] if first_kept is not None else []
        if keep_from_seq is not None:
            bounds.append(keep_from_seq - 1)
        last = conn.execute(select(func.max(_LOG.c.seq))).scalar_one_or_none()
        through = min([*bounds, int(last or 0)])
        floor = start[0] if start else 0
        if through <= floor:
            return PruneResult(0, 0)
        count = int(
            conn.execute(
                select(func.count()).select_from(_LOG).where(_LOG.c.seq <= through)
            ).scalar_one()
        )
        if dry_run:
            return PruneResult(count, through)
        anchor_hash = conn.execute(select(_LOG.c.hash).where(_LOG.c.seq == through)).scalar_one()
        conn.execute(delete(_LOG).where(_LOG.c.seq <= through))
        anchor = self._append(
            conn,
            AuditEvent(
                ctx=ctx,
                tenant=tenant,
                action=PRUNE_ACTION,
                outcome=Outcome.OK,
                details={
                    "pruned_through_seq": through,
                    "anchor_hash": anchor_hash,
                    "records": count,
                },
            ),
        )
        return PruneResult(count, through, anchor)

    def _anchor(self, conn: Connection) -> tuple[int, str] | None:
        """(N, H) of the newest prune anchor: the chain continues at seq N+1 from hash H."""
        details = conn.execute(
            select(_LOG.c.details)
            .where(_LOG.c.action == PRUNE_ACTION)
            .order_by(_LOG.c.seq.desc())
            .limit(1)
        ).scalar_one_or_none()
        if details is None:
            return None
        parsed = json.loads(details)
        return int(parsed["pruned_through_seq"]), str(parsed["anchor_hash"])

    def head(self) -> tuple[int, str]:
        with self.db.begin() as conn:
            row = conn.execute(select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1)).one()
        return int(row.seq), row.hash

    def verify(self, *, anchors: Sequence[tuple[int, str]] = ()) -> VerifyResult:
        """Check the whole chain (from the newest prune anchor, if the log was pruned);
        report the first record that does not fit. With this process's chain key
        (`audit.keyed`), the MACs too, and `anchors` (seq, MAC) from the anchor file."""
        with self.db.begin() as conn:
            anchor = self._anchor(conn)
        expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
        if anchor is not None:
            expected_seq, prev_hash = anchor[0] + 1, anchor[1]
        seen: list[tuple[int, str, str]] = []
        for entry in self.entries():
            seen.append((entry.seq, entry.hash, entry.action))
            count += 1
            if entry.seq != expected_seq:
                return VerifyResult(
                    False, count, entry.seq, f"expected seq {expected_seq}: records missing"
                )
            if entry.computed_hash() != entry.hash:
                return VerifyResult(False, count, entry.seq, "record does not match its hash")
            if entry.prev_hash != prev_hash:
                return VerifyResult(
                    False, count, entry.seq, "prev_hash does not match the previous record"
                )
            expected_seq, prev_hash = entry.seq + 1, entry.hash
        head_seq, head_hash = self.head()
        if head_seq != expected_seq - 1 or head_hash != prev_hash:
            return VerifyResult(
                False,
                count,
                expected_seq,
                f"chain head says the log ends at seq {head_seq}: records missing at the end",
            )
        key = keyed.key_for(self.db)
        if key is not None:
            result = keyed.verify_keyed(
                self.db,
                key,
                seen,
                resume_after=anchor[0] if anchor is not None else None,
                anchors=list(anchors),
            )
            if not result.ok:
                return VerifyResult(False, count, result.first_bad_seq, result.reason)
            return VerifyResult(True, count, keyed_records=result.checked)
        if anchors:
            return VerifyResult(
                False, count, None, "anchors need the chain key: open the vault (master key)"
            )
        return VerifyResult(True, count)
