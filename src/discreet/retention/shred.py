"""Crypto-shredding by pseudonym, in bulk: token maps and whole subjects.

The vault's own API works per customer reference (``erase_subject(ref)``), which
retention never has and must not decrypt just to delete. These functions do the same
deletions by pseudonymous id, many at a time, in the caller's data-store transaction:
rows are deleted there and the matching data keys are destroyed in the key store
*before* that transaction commits (as the vault does), so if the commit then fails what
remains is ciphertext nobody can read, and the next run finishes the job.

Token maps encrypted under a subject's key (bound conversations) cannot be shredded by key
without shredding the subject; their rows are deleted (SQLite zeroes deleted pages with
``secure_delete``; :meth:`Database.purge_deleted` empties the write-ahead log).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, select

from discreet.store.models import (
    BlindIndexEntry,
    Conversation,
    Subject,
    SubjectField,
    TokenMap,
    table_of,
)
from discreet.vault.keystore import KeyKind, KeyStore

_M = table_of(TokenMap)
_C = table_of(Conversation)
_S = table_of(Subject)
_F = table_of(SubjectField)
_B = table_of(BlindIndexEntry)
IN_CHUNK = 500


def chunks(items: Sequence[str], size: int = IN_CHUNK) -> list[Sequence[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def destroy_token_maps(
    conn: Connection, keys: KeyStore, tenant: str, conversation_ids: Sequence[str]
) -> int:
    """Delete the token maps of these conversations and destroy their own keys; returns
    how many token maps were deleted. Conversations without a map are ignored."""
    deleted = 0
    for part in chunks(list(conversation_ids)):
        result = conn.execute(
            delete(_M).where(_M.c.tenant == tenant, _M.c.conversation_id.in_(part))
        )
        deleted += int(result.rowcount or 0)
    if conversation_ids:
        keys.destroy(tenant, KeyKind.CONVERSATION, conversation_ids)
    return deleted


def erase_subjects(
    conn: Connection, keys: KeyStore, tenant: str, subject_ids: Sequence[str]
) -> tuple[int, int]:
    """Crypto-shred subjects: destroy their data keys and those of their conversations,
    delete their rows, blind-index entries, conversation bindings and token maps.
    Returns (subjects erased, conversations removed)."""
    erased = conversations_removed = 0
    for part in chunks(list(subject_ids)):
        conversations = list(
            conn.execute(
                select(_C.c.id).where(_C.c.tenant == tenant, _C.c.subject_id.in_(part))
            ).scalars()
        )
        for conv_part in chunks(conversations):
            conn.execute(
                delete(_M).where(_M.c.tenant == tenant, _M.c.conversation_id.in_(conv_part))
            )
        conn.execute(delete(_C).where(_C.c.tenant == tenant, _C.c.subject_id.in_(part)))
        conn.execute(delete(_B).where(_B.c.subject_id.in_(part)))
        conn.execute(delete(_F).where(_F.c.subject_id.in_(part)))
        result = conn.execute(delete(_S).where(_S.c.tenant == tenant, _S.c.id.in_(part)))
        erased += int(result.rowcount or 0)
        conversations_removed += len(conversations)
        keys.destroy(tenant, KeyKind.SUBJECT, part)
        if conversations:
            keys.destroy(tenant, KeyKind.CONVERSATION, conversations)
    return erased, conversations_removed
