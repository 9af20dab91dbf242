"""The vault's subject records as a subject-data holder: ``subjects``, ``subject_fields``
and ``blind_index``.

This module is the one place that deletes those rows. A subject is erased by
crypto-shredding: its blind-index entries, fields and row are deleted and its data key is
destroyed in the key store *before* the caller's data-store transaction commits (if the
commit then fails, what remains is ciphertext nobody can read and erasing again finishes
the job). Its conversations go first, through :class:`ConversationBindings` (their maps
may be under the subject's key).

Retention works per data category: fields not updated within their category's
``subject_fields`` days are deleted with their blind-index entries, and a subject left
without fields is erased -- unless a legal hold covers it or one of its conversations (the
key must survive to keep a held conversation's map readable).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, select

from discreet.clock import Clock, as_utc, system_clock
from discreet.store.db import Database
from discreet.store.driver import DriverStatement
from discreet.store.models import BlindIndexEntry, Subject, SubjectField, table_of
from discreet.store.sql import chunks, held_flag, is_held, not_held
from discreet.subjectdata import (
    UNBATCHED,
    Batching,
    Due,
    Expiry,
    Held,
    RetentionDays,
    SubjectScope,
    due_lines,
)
from discreet.vault.bindings import ConversationBindings, bound_conversations
from discreet.vault.crypto import DataKey, associated_data
from discreet.vault.identifiers import derived_from
from discreet.vault.keystore import KeyKind, KeyStore

_S = table_of(Subject)
# `lock_subject` runs in every chat turn's last transaction: built once, on the driver's
# cursor (store/driver.py).
_SUBJECT_ROW = select(_S.c.id).where(_S.c.id == bindparam("id"))
_LOCK_SHARED = DriverStatement(_SUBJECT_ROW.with_for_update(read=True))
_LOCK_EXCLUSIVE = DriverStatement(_SUBJECT_ROW.with_for_update())
_F = table_of(SubjectField)
_B = table_of(BlindIndexEntry)
SUBJECT_FIELDS = "subject_fields"
SUBJECTS = "subjects"


def field_ad(tenant: str, subject_id: str, name: str, category: str) -> bytes:
    """Associated data of one field's ciphertext: binds it to its place."""
    return associated_data("discreet/field/v1", tenant, subject_id, name, category)


def decrypt_fields(
    tenant: str, subject_id: str, key: DataKey, rows: Iterable[Any]
) -> dict[str, str]:
    """Field name -> plaintext for rows of (field, category, ciphertext)."""
    return {
        row.field: key.decrypt(
            row.ciphertext, field_ad(tenant, subject_id, row.field, row.category)
        ).decode("utf-8")
        for row in rows
    }


def lock_subject(conn: Connection, subject_id: str, *, exclusive: bool) -> bool:
    """Lock the subject's row (share or exclusive) until ``conn``'s transaction ends;
    False if it no longer exists. The erasure and a turn's final write meet here
    (conversations/fence.py)."""
    lock = _LOCK_EXCLUSIVE if exclusive else _LOCK_SHARED
    return lock.first(conn, {"id": subject_id}) is not None


class SubjectRecords:
    """Holder of ``subjects``, ``subject_fields`` and ``blind_index``."""

    name = "subject_records"
    tables = ("subjects", "subject_fields", "blind_index")
    erasable = True

    def __init__(
        self,
        db: Database,
        keys: KeyStore,
        bindings: ConversationBindings,
        *,
        clock: Clock = system_clock,
    ) -> None:
        self._db = db
        self._keys = keys
        self._bindings = bindings
        self._clock = clock

    # --- shredding (shared by the vault's erase and retention) --------------------------

    def shred(self, conn: Connection, tenant: str, subject_ids: Sequence[str]) -> tuple[int, int]:
        """Crypto-shred subjects: forget their conversations, delete their blind-index
        entries, fields and rows, destroy their data keys. Returns (subjects erased,
        conversations forgotten)."""
        erased = conversations = 0
        for part in chunks(list(subject_ids)):
            conversations += self._bindings.forget_subjects(conn, tenant, part)
            conn.execute(delete(_B).where(_B.c.subject_id.in_(part)))
            conn.execute(delete(_F).where(_F.c.subject_id.in_(part)))
            result = conn.execute(delete(_S).where(_S.c.tenant == tenant, _S.c.id.in_(part)))
            erased += int(result.rowcount or 0)
            self._keys.destroy(tenant, KeyKind.SUBJECT, part)
        return erased, conversations

    def delete_fields(self, conn: Connection, pairs: Sequence[tuple[str, str]]) -> None:
        """Delete (subject, field) pairs and their blind-index entries."""
        by_subject: dict[str, list[str]] = {}
        for subject, name in pairs:
            by_subject.setdefault(subject, []).append(name)
        for subject, names in by_subject.items():
            conn.execute(delete(_F).where(_F.c.subject_id == subject, _F.c.field.in_(names)))
            conn.execute(delete(_B).where(_B.c.subject_id == subject, derived_from(names)))

    # --- the subject-data protocol ------------------------------------------------------

    def export(self, scope: SubjectScope) -> list[dict[str, Any]]:
        """The subject's fields, decrypted (empty once its key is destroyed)."""
        with self._db.begin() as conn:
            rows = conn.execute(
                select(_F.c.field, _F.c.category, _F.c.ciphertext, _F.c.updated_at)
                .join(_S, _S.c.id == _F.c.subject_id)
                .where(_S.c.tenant == scope.tenant, _S.c.id == scope.subject_id)
                .order_by(_F.c.field)
            ).all()
        key = self._keys.get(scope.tenant, KeyKind.SUBJECT, scope.subject_id)
        if key is None or not rows:
            return []
        values = decrypt_fields(scope.tenant, scope.subject_id, key, rows)
        return [
            {
                "field": row.field,
                "category": row.category,
                "value": values[row.field],
                "updated_at": as_utc(row.updated_at).isoformat(),
            }
            for row in rows
        ]

    def erase(self, scope: SubjectScope, held: Held) -> int:
        """Crypto-shred the subject; with a held conversation the key (and the row) stay
        to keep it readable and only the fields go. Returns the fields deleted."""
        if held.covers(subject=scope.subject_id):
            return 0
        with self._db.begin() as conn:
            fields = int(
                conn.execute(
                    select(func.count())
                    .select_from(_F.join(_S, _S.c.id == _F.c.subject_id))
                    .where(_S.c.tenant == scope.tenant, _S.c.id == scope.subject_id)
                ).scalar_one()
            )
            bound = bound_conversations(conn, scope.tenant, [scope.subject_id])
            if any(held.covers(conversation=c) for c in [*bound, *scope.conversations]):
                if fields:
                    conn.execute(delete(_B).where(_B.c.subject_id == scope.subject_id))
                    conn.execute(delete(_F).where(_F.c.subject_id == scope.subject_id))
            else:
                self.shred(conn, scope.tenant, [scope.subject_id])
        self._db.purge_deleted()
        return fields

    def _categories(self, conn: Connection, tenant: str) -> list[str]:
        return sorted(
            conn.execute(
                select(_F.c.category)
                .join(_S, _S.c.id == _F.c.subject_id)
                .where(_S.c.tenant == tenant)
                .distinct()
            ).scalars()
        )

    def expire(
        self,
        tenant: str,
        now: datetime,
        retention: RetentionDays,
        held: Held,
        *,
        dry_run: bool = False,
        batching: Batching = UNBATCHED,
    ) -> list[Expiry]:
        lines: list[Expiry] = []
        touched: set[str] = set()
        due_pairs: set[tuple[str, str]] = set()
        with self._db.begin() as conn:
            categories = self._categories(conn, tenant)
        for category in categories:
            days = retention(SUBJECT_FIELDS, category)
            if days is None:
                continue
            due = and_(
                _S.c.tenant == tenant,
                _F.c.category == category,
                _F.c.updated_at < now - timedelta(days=days),
            )
            with self._db.begin() as conn:
                pairs = [
                    (row.subject_id, row.field)
                    for row in conn.execute(
                        select(_F.c.subject_id, _F.c.field)
                        .join(_S, _S.c.id == _F.c.subject_id)
                        .where(due, not_held(held, subject=_F.c.subject_id))
                    )
                ]
                kept = int(
                    conn.execute(
                        select(func.count())
                        .select_from(_F.join(_S, _S.c.id == _F.c.subject_id))
                        .where(due, is_held(held, subject=_F.c.subject_id))
                    ).scalar_one()
                )
            if not dry_run:
                for part in chunks(pairs, batching.size):
                    with self._db.begin() as conn:
                        self.delete_fields(conn, part)
                        line = Expiry(SUBJECT_FIELDS, category, days, len(part))
                        batching.report(conn, line)
            touched.update(subject for subject, _ in pairs)
            due_pairs.update(pairs)
            if pairs or kept:
                lines.append(Expiry(SUBJECT_FIELDS, category, days, len(pairs), kept))
        if touched:
            lines += self._empty_subjects(
                tenant, sorted(touched), due_pairs, held, dry_run, batching
            )
        if not dry_run and lines:
            self._db.purge_deleted()
        return lines

    def _empty_subjects(
        self,
        tenant: str,
        candidates: list[str],
        due_pairs: set[tuple[str, str]],
        held: Held,
        dry_run: bool,
        batching: Batching,
    ) -> list[Expiry]:
        """Erase subjects left without fields (none held, no held conversation: shredding
        the key would make a held conversation unreadable)."""
        keeping: set[str] = set()
        with self._db.begin() as conn:
            for part in chunks(candidates):
                for row in conn.execute(
                    select(_F.c.subject_id, _F.c.field).where(_F.c.subject_id.in_(part))
                ):
                    # A dry run deleted nothing: fields it would delete do not count.
                    if not dry_run or (row.subject_id, row.field) not in due_pairs:
                        keeping.add(row.subject_id)
            empty = [s for s in candidates if s not in keeping]
            bound = {s: bound_conversations(conn, tenant, [s]) for s in empty}
        with_held = {s for s in empty if any(held.covers(conversation=c) for c in bound[s])}
        erasable = [s for s in empty if s not in with_held]
        if not dry_run:
            for part in chunks(erasable, batching.size):
                with self._db.begin() as conn:
                    erased, _ = self.shred(conn, tenant, part)
                    batching.report(conn, Expiry(SUBJECTS, None, None, erased))
        if not empty:
            return []
        return [Expiry(SUBJECTS, None, None, len(erasable), len(with_held))]

    def forecast(
        self,
        tenant: str,
        now: datetime,
        horizon_days: int,
        retention: RetentionDays,
        held: Held,
    ) -> list[Due]:
        lines: list[Due] = []
        with self._db.begin() as conn:
            rows = conn.execute(
                select(_F.c.category, _F.c.updated_at, held_flag(held, subject=_F.c.subject_id))
                .join(_S, _S.c.id == _F.c.subject_id)
                .where(_S.c.tenant == tenant)
            ).all()
        for category in sorted({r.category for r in rows}):
            days = retention(SUBJECT_FIELDS, category)
            if days is None:
                continue
            lines += due_lines(
                SUBJECT_FIELDS,
                category,
                days,
                now,
                horizon_days,
                (
                    (as_utc(r.updated_at) + timedelta(days=days), bool(r.held))
                    for r in rows
                    if r.category == category
                ),
            )
        return lines
