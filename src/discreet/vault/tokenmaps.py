"""The vault's token maps: each conversation's token → original map, encrypted under the
bound subject's data key (else a key of the conversation's own), read and written with
an audit record per call.

Deleting maps (erasure, retention, closing) is :class:`vault.bindings.
ConversationBindings`' business; this part reads, writes and re-keys them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError as DbIntegrityError

from discreet.audit.context import AccessContext
from discreet.store.driver import DriverStatement
from discreet.store.models import Conversation, TokenMap, table_of
from discreet.store.sql import chunks
from discreet.transform.tokenmerge import TokenMapConflict, merge_maps
from discreet.vault.crypto import DataKey, associated_data
from discreet.vault.errors import IntegrityError
from discreet.vault.keystore import KeyKind
from discreet.vault.scope import Action, VaultScope, check_conversation_id, now

_C = table_of(Conversation)
_M = table_of(TokenMap)
# Built once: it runs on every chat turn (see `vault.scope`).
TOKEN_MAP_OF = DriverStatement(  # on the driver's cursor (store/driver.py)
    select(_M.c.scope, _M.c.ciphertext).where(
        _M.c.tenant == bindparam("tenant"), _M.c.conversation_id == bindparam("conversation")
    )
)


@dataclass(frozen=True, slots=True)
class MapRow:
    subject_id: str | None
    scope: str
    ciphertext: bytes


class TokenMaps:
    """Token maps of one tenant's conversations."""

    def __init__(self, scope: VaultScope) -> None:
        self._scope = scope

    def _ad(self, conversation_id: str, scope: KeyKind, owner: str) -> bytes:
        return associated_data(
            "discreet/token-map/v1", self._scope.tenant, conversation_id, scope.value, owner
        )

    def _conversation_key(self, conversation_id: str) -> DataKey:
        key = self._scope.keys.get(self._scope.tenant, KeyKind.CONVERSATION, conversation_id)
        if key is None:
            raise IntegrityError(f"conversation {conversation_id!r} has a token map but no key")
        return key

    def decrypt(
        self, conversation_id: str, row: Any, *, subject_key: DataKey | None = None
    ) -> dict[str, str]:
        """The map in `row` (subject_id, scope, ciphertext); `subject_key`: the subject's
        key, if the caller has it."""
        if row.scope == KeyKind.SUBJECT.value:
            if row.subject_id is None:
                raise IntegrityError(f"token map of {conversation_id!r} names no subject")
            key = subject_key or self._scope.subject_key(row.subject_id)
            scope, owner = KeyKind.SUBJECT, row.subject_id
        else:
            key, scope = self._conversation_key(conversation_id), KeyKind.CONVERSATION
            owner = conversation_id
        plaintext = key.decrypt(row.ciphertext, self._ad(conversation_id, scope, owner))
        loaded = json.loads(plaintext)
        return {str(token): str(value) for token, value in loaded.items()}

    def stored_row(self, conn: Connection, conversation_id: str) -> Any:
        """The conversation's map row (scope, ciphertext), or None."""
        return TOKEN_MAP_OF.first(
            conn, {"tenant": self._scope.tenant, "conversation": conversation_id}
        )

    def move_to_subject(self, conn: Connection, conversation_id: str, subject_id: str) -> bool:
        """Re-encrypt a map saved before binding under the subject's key (in `conn`'s
        transaction); True if there was one (destroy the conversation's key after the
        commit)."""
        row = self.stored_row(conn, conversation_id)
        if row is None or row.scope != KeyKind.CONVERSATION.value:
            return False
        plaintext = self._conversation_key(conversation_id).decrypt(
            row.ciphertext, self._ad(conversation_id, KeyKind.CONVERSATION, conversation_id)
        )
        blob = self._scope.subject_key(subject_id).encrypt(
            plaintext, self._ad(conversation_id, KeyKind.SUBJECT, subject_id)
        )
        conn.execute(
            update(_M)
            .where(_M.c.tenant == self._scope.tenant, _M.c.conversation_id == conversation_id)
            .values(scope=KeyKind.SUBJECT.value, ciphertext=blob, updated_at=now())
        )
        return True

    def load(self, conversation_id: str, *, ctx: AccessContext) -> dict[str, str]:
        """The conversation's token → original map; empty if it has none."""
        conversation_id = check_conversation_id(conversation_id)
        scope = self._scope
        with scope.operation(ctx, Action.TOKEN_MAP_READ) as op:
            with scope.data.begin() as conn:
                row = conn.execute(
                    select(_C.c.subject_id, _M.c.scope, _M.c.ciphertext)
                    .select_from(
                        _C.outerjoin(
                            _M, (_M.c.tenant == _C.c.tenant) & (_M.c.conversation_id == _C.c.id)
                        )
                    )
                    .where(_C.c.tenant == scope.tenant, _C.c.id == conversation_id)
                ).one_or_none()
                mapping: dict[str, str] = {}
                if row is not None:
                    op.subject = row.subject_id
                if row is not None and row.ciphertext is not None:
                    mapping = self.decrypt(conversation_id, row)
                op.details = {"tokens": len(mapping)}
                scope.record(op, conn)
            return mapping

    def load_many(
        self, conversation_ids: Iterable[str], *, subject_id: str, ctx: AccessContext
    ) -> dict[str, dict[str, str]]:
        """The token maps of those of `conversation_ids` that are bound to `subject_id` and
        still have a map (closing, retention and erasure destroy them), in one
        transaction with one ``token_map.read`` audit record. Conversations of another
        subject are left out, never read (one conversation, one subject)."""
        wanted = sorted({check_conversation_id(c) for c in conversation_ids})
        if not wanted:
            return {}
        scope = self._scope
        with scope.operation(ctx, Action.TOKEN_MAP_READ) as op:
            op.subject = subject_id
            maps: dict[str, dict[str, str]] = {}
            with scope.data.begin() as conn:
                rows: list[Any] = []
                for part in chunks(wanted):
                    rows += conn.execute(
                        select(_C.c.id, _C.c.subject_id, _M.c.scope, _M.c.ciphertext)
                        .select_from(
                            _C.join(
                                _M,
                                (_M.c.tenant == _C.c.tenant) & (_M.c.conversation_id == _C.c.id),
                            )
                        )
                        .where(
                            _C.c.tenant == scope.tenant,
                            _C.c.subject_id == subject_id,
                            _C.c.id.in_(part),
                        )
                    ).all()
                for row in rows:
                    maps[row.id] = self.decrypt(row.id, row)
                op.details = {
                    "conversations": len(maps),
                    "tokens": sum(len(m) for m in maps.values()),
                }
                scope.record(op, conn)
            return maps

    def save(
        self,
        conversation_id: str,
        mapping: Mapping[str, str],
        *,
        ctx: AccessContext,
        merge: bool = False,
    ) -> None:
        """Replace the conversation's token map (`Vault.save_token_map`; encrypted under
        the subject's key when the conversation is bound, else under a key of the
        conversation's own).

        `merge`: compare-and-swap for concurrent turns (`transform.tokenmerge`): the
        stored map, read under the row lock, gets `mapping`'s tokens added, and
        `TokenMapConflict` is raised when the two disagree."""
        conversation_id = check_conversation_id(conversation_id)
        scope = self._scope
        with scope.operation(ctx, Action.TOKEN_MAP_WRITE) as op:
            try:
                with scope.data.begin() as conn:
                    row = conn.execute(
                        select(_C.c.subject_id)
                        .where(_C.c.tenant == scope.tenant, _C.c.id == conversation_id)
                        .with_for_update()
                    ).one_or_none()
                    if merge and row is not None:
                        stored = self.stored_row(conn, conversation_id)
                        if stored is not None:
                            current = self.decrypt(
                                conversation_id,
                                MapRow(row.subject_id, stored.scope, stored.ciphertext),
                            )
                            mapping = merge_maps(current, mapping)
                    payload = json.dumps(
                        {str(token): str(value) for token, value in mapping.items()},
                        sort_keys=True,
                        ensure_ascii=False,
                    ).encode("utf-8")
                    saved_at = now()
                    if row is None:
                        conn.execute(
                            _C.insert(),
                            {
                                "tenant": scope.tenant,
                                "id": conversation_id,
                                "subject_id": None,
                                "created_at": saved_at,
                            },
                        )
                    subject_id = row.subject_id if row is not None else None
                    op.subject = subject_id
                    if subject_id is not None:
                        key = scope.subject_key(subject_id)
                        kind, owner = KeyKind.SUBJECT, subject_id
                    else:
                        key = scope.keys.get_or_create(
                            scope.tenant, KeyKind.CONVERSATION, conversation_id
                        )
                        kind, owner = KeyKind.CONVERSATION, conversation_id
                    blob = key.encrypt(payload, self._ad(conversation_id, kind, owner))
                    conn.execute(
                        delete(_M).where(
                            _M.c.tenant == scope.tenant, _M.c.conversation_id == conversation_id
                        )
                    )
                    conn.execute(
                        _M.insert(),
                        {
                            "tenant": scope.tenant,
                            "conversation_id": conversation_id,
                            "scope": kind.value,
                            "ciphertext": blob,
                            "updated_at": saved_at,
                        },
                    )
                    op.details = {"tokens": len(mapping)}
                    scope.record(op, conn)
            except DbIntegrityError:
                if not merge:
                    raise
                # A concurrent first turn created the conversation row first.
                raise TokenMapConflict("a concurrent turn saved first") from None
