"""The vault's conversation bindings and token maps as a subject-data holder.

``conversations`` binds a conversation to (at most) one subject; ``token_maps`` holds the
encrypted token map of each conversation, under the bound subject's key or the
conversation's own. This module is the one place that deletes these rows, and it
crypto-shreds as it goes: a conversation's own key is destroyed in the key store
*before* the caller's data-store transaction commits, so if the commit then fails what
remains is ciphertext nobody can read, and the next run finishes the job. Maps under a
subject's key cannot be shredded by key without shredding the subject; their rows are
deleted (SQLite zeroes deleted pages with ``secure_delete``; :meth:`Database.
purge_deleted` empties the write-ahead log).

A map is past retention when unused for longer than the ``token_maps`` rule, or when its
conversation was closed longer ago than ``token_maps_after_close`` days. When the
conversation was closed is the conversation state's business, so the holder is given a
look-up (``closed_at``) instead of reading that table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, select

from discreet.clock import Clock, as_utc, system_clock
from discreet.store.db import Database
from discreet.store.models import Conversation, TokenMap, table_of
from discreet.store.sql import chunks
from discreet.subjectdata import (
    TOKEN_MAPS_AFTER_CLOSE,
    UNBATCHED,
    Batching,
    Due,
    Expiry,
    Held,
    RetentionDays,
    SubjectScope,
    due_lines,
)
from discreet.vault.keystore import KeyKind, KeyStore

_C = table_of(Conversation)
_M = table_of(TokenMap)
TOKEN_MAPS = "token_maps"

ClosedAt = Callable[[Connection, str, Sequence[str]], Mapping[str, datetime]]
"""``(conn, tenant, conversation ids) -> when each closed one was closed``."""


def _never_closed(conn: Connection, tenant: str, ids: Sequence[str]) -> Mapping[str, datetime]:
    return {}


def bound_conversations(conn: Connection, tenant: str, subject_ids: Sequence[str]) -> list[str]:
    """Ids of the conversations bound to any of `subject_ids`, oldest binding first."""
    found: list[str] = []
    for part in chunks(list(subject_ids)):
        found += conn.execute(
            select(_C.c.id)
            .where(_C.c.tenant == tenant, _C.c.subject_id.in_(part))
            .order_by(_C.c.created_at, _C.c.id)
        ).scalars()
    return found


def binding_subjects(conn: Connection, tenant: str, ids: Sequence[str]) -> dict[str, str]:
    """The subject each bound one of `ids` is bound to."""
    found: dict[str, str] = {}
    for part in chunks(list(ids)):
        for row in conn.execute(
            select(_C.c.id, _C.c.subject_id).where(
                _C.c.tenant == tenant, _C.c.id.in_(part), _C.c.subject_id.is_not(None)
            )
        ):
            found[row.id] = row.subject_id
    return found


def with_token_maps(conn: Connection, tenant: str, ids: Sequence[str]) -> set[str]:
    """Which of `ids` still have a token map (row existence only; nothing is decrypted)."""
    found: set[str] = set()
    for part in chunks(list(ids)):
        found.update(
            conn.execute(
                select(_M.c.conversation_id).where(
                    _M.c.tenant == tenant, _M.c.conversation_id.in_(part)
                )
            ).scalars()
        )
    return found


class ConversationBindings:
    """Holder of ``conversations`` and ``token_maps`` (see the module docstring)."""

    name = "conversation_bindings"
    tables = ("conversations", "token_maps")
    erasable = True

    def __init__(
        self,
        db: Database,
        keys: KeyStore,
        *,
        clock: Clock = system_clock,
        closed_at: ClosedAt = _never_closed,
    ) -> None:
        self._db = db
        self._keys = keys
        self._clock = clock
        self._closed_at = closed_at

    # --- shredding (shared by erasure, retention and closing) ---------------------------

    def destroy_maps(self, conn: Connection, tenant: str, conversation_ids: Sequence[str]) -> int:
        """Delete these conversations' token maps and destroy their own keys; returns how
        many maps were deleted. Conversations without a map are ignored."""
        deleted = 0
        for part in chunks(list(conversation_ids)):
            result = conn.execute(
                delete(_M).where(_M.c.tenant == tenant, _M.c.conversation_id.in_(part))
            )
            deleted += int(result.rowcount or 0)
        if conversation_ids:
            self._keys.destroy(tenant, KeyKind.CONVERSATION, conversation_ids)
        return deleted

    def forget(self, conn: Connection, tenant: str, conversation_ids: Sequence[str]) -> int:
        """Delete these conversations' bindings and maps, destroying their own keys;
        returns how many bindings were deleted."""
        self.destroy_maps(conn, tenant, conversation_ids)
        deleted = 0
        for part in chunks(list(conversation_ids)):
            result = conn.execute(delete(_C).where(_C.c.tenant == tenant, _C.c.id.in_(part)))
            deleted += int(result.rowcount or 0)
        return deleted

    def forget_subjects(self, conn: Connection, tenant: str, subject_ids: Sequence[str]) -> int:
        """Forget every conversation bound to these subjects; returns how many."""
        conversations = bound_conversations(conn, tenant, subject_ids)
        self.forget(conn, tenant, conversations)
        return len(conversations)

    # --- the subject-data protocol ------------------------------------------------------

    def export(self, scope: SubjectScope) -> list[dict[str, Any]]:
        """The subject's bindings: which conversations, since when, whether a map is
        still kept (its values are read, audited, through the vault)."""
        with self._db.begin() as conn:
            rows = conn.execute(
                select(_C.c.id, _C.c.created_at, _M.c.updated_at)
                .select_from(
                    _C.outerjoin(
                        _M, (_M.c.tenant == _C.c.tenant) & (_M.c.conversation_id == _C.c.id)
                    )
                )
                .where(_C.c.tenant == scope.tenant, _C.c.subject_id == scope.subject_id)
                .order_by(_C.c.created_at, _C.c.id)
            ).all()
        return [
            {
                "conversation_id": row.id,
                "bound_at": as_utc(row.created_at).isoformat(),
                "token_map_kept": row.updated_at is not None,
                "token_map_updated_at": (
                    as_utc(row.updated_at).isoformat() if row.updated_at is not None else None
                ),
            }
            for row in rows
        ]

    def erase(self, scope: SubjectScope, held: Held) -> int:
        """Forget the subject's conversations except held ones; returns how many."""
        if held.covers(subject=scope.subject_id):
            return 0
        with self._db.begin() as conn:
            bound = bound_conversations(conn, scope.tenant, [scope.subject_id])
            free = [c for c in bound if not held.covers(conversation=c)]
            # Shredded inside the transaction, before the commit (module docstring).
            self.forget(conn, scope.tenant, free)
        if free:
            self._db.purge_deleted()
        return len(free)

    def _due(self, conn: Connection, tenant: str, now: datetime, retention: RetentionDays) -> Any:
        """Rows (id, updated_at, expires) of every map with a retention, and the rule."""
        days = retention(TOKEN_MAPS, None)
        keep = retention(TOKEN_MAPS_AFTER_CLOSE, None)
        rows = conn.execute(
            select(_M.c.conversation_id, _M.c.updated_at, _C.c.subject_id)
            .join(_C, (_C.c.tenant == _M.c.tenant) & (_C.c.id == _M.c.conversation_id))
            .where(_M.c.tenant == tenant)
        ).all()
        closed = (
            self._closed_at(conn, tenant, [r.conversation_id for r in rows])
            if keep is not None
            else {}
        )
        expiries: list[tuple[str, str | None, datetime]] = []
        for row in rows:
            ends = [as_utc(row.updated_at) + timedelta(days=days)] if days is not None else []
            closed_at = closed.get(row.conversation_id)
            if keep is not None and closed_at is not None:
                ends.append(as_utc(closed_at) + timedelta(days=keep))
            if ends:
                expiries.append((row.conversation_id, row.subject_id, min(ends)))
        return days, expiries

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
        """Token maps unused past ``token_maps`` days, or closed past
        ``token_maps_after_close`` days: rows deleted, keys shredded."""
        with self._db.begin() as conn:
            days, expiries = self._due(conn, tenant, now, retention)
        due = sorted((cid, subject) for cid, subject, ends in expiries if ends <= now)
        kept = [cid for cid, subject in due if held.covers(subject=subject, conversation=cid)]
        free = [cid for cid, subject in due if not held.covers(subject=subject, conversation=cid)]
        deleted = len(free)
        if not dry_run:
            deleted = 0
            for part in chunks(free, batching.size):
                with self._db.begin() as conn:
                    count = self.destroy_maps(conn, tenant, part)
                    batching.report(conn, Expiry(TOKEN_MAPS, None, days, count))
                deleted += count
        if not due:
            return []
        return [Expiry(TOKEN_MAPS, None, days, deleted, len(kept))]

    def forecast(
        self,
        tenant: str,
        now: datetime,
        horizon_days: int,
        retention: RetentionDays,
        held: Held,
    ) -> list[Due]:
        with self._db.begin() as conn:
            days, expiries = self._due(conn, tenant, now, retention)
        return due_lines(
            TOKEN_MAPS,
            None,
            days,
            now,
            horizon_days,
            (
                (ends, held.covers(subject=subject, conversation=cid))
                for cid, subject, ends in expiries
            ),
        )
