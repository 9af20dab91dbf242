"""Binding a conversation to its one subject, and the chat turn's single audited read.

A conversation is bound to exactly one subject, for good (principle 5): binding again to
the same subject is a no-op, to another is :class:`ConversationSubjectConflict`. A token
map saved before binding moves under the subject's key (:meth:`TokenMaps.
move_to_subject`) and the conversation's own key is destroyed after the commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.exc import IntegrityError as DbIntegrityError

from discreet.audit.context import AccessContext
from discreet.store.driver import DriverStatement
from discreet.store.models import Conversation, SubjectField, table_of
from discreet.vault.errors import ConversationSubjectConflict
from discreet.vault.keystore import KeyKind
from discreet.vault.records import decrypt_fields
from discreet.vault.scope import (
    Action,
    Op,
    VaultScope,
    check_conversation_id,
    now,
    unavailable_as_vault_error,
)
from discreet.vault.tokenmaps import MapRow, TokenMaps

_C = table_of(Conversation)
_F = table_of(SubjectField)
# Built once (bound values at execution): these run on every chat turn (`vault.scope`).
_BOUND_TO = select(_C.c.subject_id).where(
    _C.c.tenant == bindparam("tenant"), _C.c.id == bindparam("conversation")
)
_CONVERSATION_SUBJECT = DriverStatement(_BOUND_TO)  # on the driver's cursor (store/driver.py)
_LOCK_CONVERSATION = _BOUND_TO.with_for_update()
# All of the subject's field rows (a handful; filtered by the caller): an expanding
# ``field IN (...)`` cannot run on the driver's cursor, and through SQLAlchemy it cost
# more than the rest of the turn's vault read together.
_FIELDS_OF = DriverStatement(
    select(_F.c.field, _F.c.category, _F.c.ciphertext).where(
        _F.c.subject_id == bindparam("subject")
    )
)


@dataclass(frozen=True, slots=True)
class TurnRead:
    """What `Vault.read_for_turn` decrypted (values: the repr shows field names only)."""

    subject_id: str
    fields: dict[str, str]
    detection_fields: dict[str, str]
    token_map: dict[str, str]

    def __repr__(self) -> str:
        return (
            f"TurnRead(subject={self.subject_id}, fields={sorted(self.fields)}, "
            f"detection_fields={sorted(self.detection_fields)}, tokens={len(self.token_map)})"
        )


class ConversationAccess:
    """Bindings of one tenant's conversations and the turn's read."""

    def __init__(self, scope: VaultScope, token_maps: TokenMaps) -> None:
        self._scope = scope
        self._maps = token_maps

    def subject_of(self, conversation_id: str, *, ctx: AccessContext) -> str | None:
        """The pseudonym of the subject the conversation is bound to, or None."""
        scope = self._scope
        with scope.operation(ctx, Action.CONVERSATION_READ) as op:
            with scope.data.begin() as conn:
                subject_id: str | None = _CONVERSATION_SUBJECT.scalar(
                    conn, {"tenant": scope.tenant, "conversation": conversation_id}
                )
                op.subject = subject_id
                scope.record(op, conn)
            return subject_id

    def bind(self, conversation_id: str, subject_ref: str, *, ctx: AccessContext) -> str:
        """Bind a conversation to a subject for good; returns the subject's pseudonym."""
        conversation_id = check_conversation_id(conversation_id)
        for attempt in range(2):
            try:
                return self._bind_once(conversation_id, subject_ref, ctx)
            except DbIntegrityError:  # a concurrent first bind inserted the row first
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _bind_once(self, conversation_id: str, subject_ref: str, ctx: AccessContext) -> str:
        scope = self._scope
        with scope.operation(ctx, Action.CONVERSATION_BIND) as op, scope.data.begin() as conn:
            subject_id = scope.require_subject_id(conn, subject_ref)
            op.subject = subject_id
            _, moved = self._bind_in(conn, conversation_id, subject_id)
            op.details = {"token_map_moved": moved}
            scope.record(op, conn)
        if moved:
            self._destroy_own_key(conversation_id)
        return subject_id

    def _destroy_own_key(self, conversation_id: str) -> None:
        with unavailable_as_vault_error():
            self._scope.keys.destroy(self._scope.tenant, KeyKind.CONVERSATION, [conversation_id])

    def _bind_in(
        self, conn: Connection, conversation_id: str, subject_id: str
    ) -> tuple[bool, bool]:
        """Bind inside `conn`'s transaction (no-op when bound to `subject_id` already).
        Returns (bound by this call, token map moved under the subject's key: destroy the
        conversation's own key after the commit)."""
        tenant = self._scope.tenant
        row = conn.execute(
            _LOCK_CONVERSATION, {"tenant": tenant, "conversation": conversation_id}
        ).one_or_none()
        if row is None:
            conn.execute(
                _C.insert(),
                {
                    "tenant": tenant,
                    "id": conversation_id,
                    "subject_id": subject_id,
                    "created_at": now(),
                },
            )
            return True, False
        if row.subject_id == subject_id:
            return False, False
        if row.subject_id is not None:
            raise ConversationSubjectConflict(
                f"conversation {conversation_id!r} is already bound to another subject"
            )
        moved = self._maps.move_to_subject(conn, conversation_id, subject_id)
        conn.execute(
            update(_C)
            .where(_C.c.tenant == tenant, _C.c.id == conversation_id)
            .values(subject_id=subject_id)
        )
        return True, moved

    def read_for_turn(
        self,
        conversation_id: str,
        subject_ref: str,
        *,
        ctx: AccessContext,
        fields: Iterable[str],
        detection_fields: Iterable[str] = (),
    ) -> TurnRead:
        """Everything a chat turn needs from the vault (`Vault.read_for_turn`), with ONE
        audit record, committed before anything is returned: bind the conversation to the
        subject (a no-op when bound to it already; ConversationSubjectConflict when bound
        to another; the first turn reads, binds and audits in one writing transaction,
        later turns read in a read transaction and append the record after it), decrypt
        the named `fields` (what the assistant may see) and `detection_fields`
        (identifiers read only so detection finds them; the caller must not pass them
        on), and load the conversation's token map.

        The audit record is a ``subject.read`` under `ctx` (the assistant and purpose)
        naming every field and category decrypted; its details say which of them were
        read for detection only, whether this call bound the conversation, and how many
        tokens the map held. A turn of a conversation already bound costs one subject
        key unwrap and one audit append instead of four audited calls.
        """
        conversation_id = check_conversation_id(conversation_id)
        granted = set(fields)
        for_detection = set(detection_fields) - granted
        for attempt in range(2):
            try:
                return self._read_once(conversation_id, subject_ref, ctx, granted, for_detection)
            except DbIntegrityError:  # a concurrent first bind inserted the row first
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _read_once(
        self,
        conversation_id: str,
        subject_ref: str,
        ctx: AccessContext,
        granted: set[str],
        for_detection: set[str],
    ) -> TurnRead:
        scope = self._scope
        wanted = sorted(granted | for_detection)
        with scope.operation(ctx, Action.SUBJECT_READ) as op:
            # Every turn after the first finds its conversation bound: it reads without
            # the writer's lock and takes the lock only for the audit record, appended
            # before any value leaves this method (a read in the writing transaction held
            # SQLite's one writer lock through the key unwrap and every decryption).
            with scope.data.read() as conn:
                subject_id = scope.require_subject_id(conn, subject_ref)
                op.subject = subject_id
                bound_to = _CONVERSATION_SUBJECT.scalar(
                    conn, {"tenant": scope.tenant, "conversation": conversation_id}
                )
                if bound_to == subject_id:
                    rows, map_row = self._rows(conn, subject_id, conversation_id, wanted)
            if bound_to == subject_id:
                read = self._decrypt(op, subject_id, conversation_id, rows, map_row, granted)
                op.details["bound"] = False
                scope.record(op)
                return read
            # The first turn binds the conversation: reads, bind and audit in one writing
            # transaction (ConversationSubjectConflict if another subject has it).
            with scope.data.begin() as conn:
                subject_id = scope.require_subject_id(conn, subject_ref)
                op.subject = subject_id
                bound, moved = self._bind_in(conn, conversation_id, subject_id)
                rows, map_row = self._rows(conn, subject_id, conversation_id, wanted)
                read = self._decrypt(op, subject_id, conversation_id, rows, map_row, granted)
                op.details["bound"] = bound
                scope.record(op, conn)
        if moved:
            self._destroy_own_key(conversation_id)
        return read

    def _rows(
        self, conn: Connection, subject_id: str, conversation_id: str, wanted: list[str]
    ) -> tuple[list[Any], Any]:
        """The subject's `wanted` field rows and the conversation's token map row."""
        chosen = set(wanted)
        rows = (
            [row for row in _FIELDS_OF.rows(conn, {"subject": subject_id}) if row.field in chosen]
            if chosen
            else []
        )
        return rows, self._maps.stored_row(conn, conversation_id)

    def _decrypt(
        self,
        op: Op,
        subject_id: str,
        conversation_id: str,
        rows: list[Any],
        map_row: Any,
        granted: set[str],
    ) -> TurnRead:
        """Decrypt what `_rows` read and describe it in `op` for the audit record."""
        op.fields = {row.field for row in rows}
        op.categories = {row.category for row in rows}
        key = self._scope.subject_key(subject_id)
        values = decrypt_fields(self._scope.tenant, subject_id, key, rows)
        mapping = (
            self._maps.decrypt(
                conversation_id,
                MapRow(subject_id, map_row.scope, map_row.ciphertext),
                subject_key=key,  # already unwrapped for the fields
            )
            if map_row is not None
            else {}
        )
        op.details = {
            "conversation": conversation_id,
            "detection_only_fields": ",".join(sorted(op.fields - granted)),
            "tokens": len(mapping),
        }
        return TurnRead(
            subject_id=subject_id,
            fields={n: v for n, v in values.items() if n in granted},
            detection_fields={n: v for n, v in values.items() if n not in granted},
            token_map=mapping,
        )
