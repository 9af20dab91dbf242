"""Access and portability (GDPR arts. 15 and 20): everything held about one subject, as
machine-readable JSON and a readable HTML page, in one zip archive.

The archive holds plaintext personal data, so it is built in memory and handed to the
caller; it is never written to the data store. Every read that goes into it goes through
the vault (and is audited there).

Conversations are shown as the subject would read them: the stored transcript holds
pseudonymised text only (``[PERSON_1]``), so each conversation's messages are rehydrated
with that conversation's own token map while it still exists -- in this process, for this
archive, never stored. A conversation whose map is gone (closed and forgotten, or past
retention) is shown pseudonymised, with a note saying why the values cannot be shown.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from discreet.audit.context import AccessContext, ActorKind
from discreet.clock import as_utc
from discreet.consent.limits import ProcessingLimits
from discreet.consent.records import ConsentRegistry
from discreet.gateway.context import TOKEN_RE
from discreet.gateway.transcripts import StoredMessage, TranscriptStore
from discreet.policy import Policy
from discreet.rights.requests import RequestBook
from discreet.store.db import Database
from discreet.store.gateway_models import GatewayConversation
from discreet.store.models import Conversation, TokenMap, table_of
from discreet.store.retention_models import ConversationMessage
from discreet.vault import Vault

_C = table_of(Conversation)
_G = table_of(GatewayConversation)
_M = table_of(TokenMap)
_T = table_of(ConversationMessage)
FORMAT_VERSION = 2
"""2: conversations carry their messages (``messages``, ``personal_values_restored``,
``note``, ``closed_at``)."""
NOTE_CLOSED = (
    "This conversation was closed and the personal details in it were forgotten: the "
    "placeholders such as [PERSON_1] can no longer be turned back into the values."
)
NOTE_EXPIRED = (
    "The personal details behind the placeholders in this conversation are no longer kept "
    "(retention period), so they cannot be shown."
)
AUTOMATED_KINDS = frozenset({ActorKind.ASSISTANT.value, ActorKind.SYSTEM.value})
PLUMBING_ACTIONS = ("subject.", "token_map.", "conversation.")
"""Vault reads and writes: data access, already in the audit section, not decisions."""


def is_automated_decision(record: Mapping[str, Any]) -> bool:
    """An assistant's or the system's decision about the subject (a gateway turn with its
    guard outcome, a blocked leak, ...), as opposed to the data access behind it."""
    return record["actor_kind"] in AUTOMATED_KINDS and not str(record["action"]).startswith(
        PLUMBING_ACTIONS
    )


@dataclass(frozen=True, slots=True)
class SubjectExport:
    """The export's content and its counts (the counts go into the completion record)."""

    data: dict[str, Any]

    @property
    def counts(self) -> dict[str, int]:
        return {
            "fields": len(self.data["profile"]),
            "conversations": len(self.data["conversations"]),
            "messages": sum(len(c["messages"]) for c in self.data["conversations"]),
            "consent_records": len(self.data["consents"]),
            "automated_decisions": len(self.data["automated_decisions"]),
            "audit_records": len(self.data["audit_records"]),
            "requests": len(self.data["requests"]),
        }

    def archive(
        self,
        *,
        policy: Policy | None = None,
        language: str | None = None,
        reference: str | None = None,
    ) -> bytes:
        """A zip with ``subject.json`` (everything), ``index.html`` (the report the customer
        reads, see `rights.report`) and ``portability.json`` (art. 20)."""
        from discreet.rights.report import portability, render_report

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "subject.json", json.dumps(self.data, indent=2, ensure_ascii=False) + "\n"
            )
            archive.writestr(
                "index.html",
                render_report(self.data, policy=policy, language=language, reference=reference),
            )
            archive.writestr(
                "portability.json",
                json.dumps(portability(self.data), indent=2, ensure_ascii=False) + "\n",
            )
        return buffer.getvalue()


def subject_conversations(vault: Vault, subject_id: str) -> list[str]:
    """Ids of the conversations bound to the subject (ids only: no customer data)."""
    with vault.audit_log.db.begin() as conn:
        return list(
            conn.execute(
                select(_C.c.id)
                .where(_C.c.tenant == vault.tenant, _C.c.subject_id == subject_id)
                .order_by(_C.c.created_at, _C.c.id)
            ).scalars()
        )


def transcript_conversations(db: Database, tenant: str, subject_id: str) -> list[str]:
    """Ids of conversations with stored messages attributed to the subject (ids only)."""
    with db.begin() as conn:
        return list(
            conn.execute(
                select(_T.c.conversation_id)
                .where(_T.c.tenant == tenant, _T.c.subject_id == subject_id)
                .group_by(_T.c.conversation_id)
                .order_by(func.min(_T.c.created_at), _T.c.conversation_id)
            ).scalars()
        )


def _with_token_maps(db: Database, tenant: str, ids: Sequence[str]) -> set[str]:
    """Which of `ids` still have a token map (row existence only; nothing is decrypted)."""
    if not ids:
        return set()
    with db.begin() as conn:
        return set(
            conn.execute(
                select(_M.c.conversation_id).where(
                    _M.c.tenant == tenant, _M.c.conversation_id.in_(list(ids))
                )
            ).scalars()
        )


def restore_values(text: str, token_map: Mapping[str, str]) -> str:
    """`text` with the tokens of `token_map` replaced by their values, in one pass (a
    value that looks like a token is never replaced in turn).

    Unlike the gateway's rehydration, a token not in the map is left as it is: in an
    export it is a placeholder the subject may see, not model output to be cleaned. The
    map's own keys are matched, so any token format works."""
    if not token_map:
        return text
    keys = sorted(token_map, key=len, reverse=True)  # longest first: [X_10] before [X_1]
    pattern = re.compile("|".join(re.escape(key) for key in keys))
    return pattern.sub(lambda m: token_map[m.group(0)], text)


def _messages(
    stored: Sequence[StoredMessage], token_map: Mapping[str, str] | None
) -> list[dict[str, Any]]:
    return [
        {
            "seq": m.seq,
            "at": _ts(m.created_at),
            "role": m.role,
            "text": m.text if token_map is None else restore_values(m.text, token_map),
        }
        for m in stored
    ]


def _ts(value: datetime) -> str:
    return as_utc(value).isoformat()


def _conversations(vault: Vault, subject_id: str, ctx: AccessContext) -> list[dict[str, Any]]:
    """The subject's conversations (bound to it, then any others with messages attributed
    to it), each with its state and its messages, readable where its map still exists."""
    db = vault.audit_log.db
    ids = subject_conversations(vault, subject_id)
    bound = set(ids)
    ids += [c for c in transcript_conversations(db, vault.tenant, subject_id) if c not in bound]
    if not ids:
        return []
    with_maps = _with_token_maps(db, vault.tenant, ids)
    transcripts = TranscriptStore(db, vault.tenant)
    with db.begin() as conn:
        states = {
            row.id: row
            for row in conn.execute(
                select(_G).where(_G.c.tenant == vault.tenant, _G.c.id.in_(ids))
            ).all()
        }
    conversations: list[dict[str, Any]] = []
    for conversation_id in ids:
        state = states.get(conversation_id)
        closed_at = state.closed_at if state is not None else None
        # Only a conversation bound to this subject may have its map read for it.
        token_map = (
            vault.load_token_map(conversation_id, ctx=ctx)
            if conversation_id in with_maps and conversation_id in bound
            else None
        )
        stored = transcripts.messages(conversation_id)
        note = None
        if token_map is None and any(TOKEN_RE.search(m.text) for m in stored):
            note = NOTE_CLOSED if closed_at is not None else NOTE_EXPIRED
        conversations.append(
            {
                "id": conversation_id,
                "assistant": state.assistant if state is not None else None,
                "turns": int(state.turns) if state is not None else 0,
                "handed_to_human": bool(state.handoff) if state is not None else False,
                "handoff_reason": state.handoff_reason if state is not None else None,
                "started_at": _ts(state.created_at) if state is not None else None,
                "last_activity_at": _ts(state.updated_at) if state is not None else None,
                "closed_at": _ts(closed_at) if closed_at is not None else None,
                "personal_data_in_conversation": token_map or {},
                "personal_values_restored": token_map is not None,
                "note": note,
                "messages": _messages(stored, token_map),
            }
        )
    return conversations


def collect(
    vault: Vault,
    ref: str,
    *,
    ctx: AccessContext,
    consents: ConsentRegistry,
    limits: ProcessingLimits,
    requests: RequestBook,
    generated_at: datetime,
) -> SubjectExport:
    """Gather the subject's profile, conversations (their messages made readable with
    their token maps where these still exist), consents, processing limits, automated
    decisions, audit records and requests."""
    view = vault.get_subject(ref, ctx=ctx)
    subject_id = view.subject_id
    conversations = _conversations(vault, subject_id, ctx)
    audit_records = [entry.as_dict() for entry in vault.audit_log.entries_about(subject_id)]
    automated = [
        {
            "at": record["ts"],
            "by": record["actor"],
            "decision": record["action"],
            "outcome": record["outcome"],
            "purpose": record["purpose"],
            "details": record["details"],
        }
        for record in audit_records
        if is_automated_decision(record)
    ]
    for conversation in conversations:
        if conversation["handed_to_human"]:
            automated.append(
                {
                    "at": conversation["last_activity_at"],
                    "by": conversation["assistant"],
                    "decision": "handoff_to_human",
                    "outcome": conversation["handoff_reason"],
                    "purpose": None,
                    "details": {"conversation": conversation["id"]},
                }
            )
    return SubjectExport(
        {
            "format_version": FORMAT_VERSION,
            "generated_at": generated_at.isoformat(),
            "subject_id": subject_id,
            "tenant": vault.tenant,
            "profile": {
                name: {"value": value, "category": view.categories.get(name)}
                for name, value in sorted(view.fields.items())
            },
            "conversations": conversations,
            "consents": [record.as_dict() for record in consents.history(subject_id)],
            "processing_limits": [limit.as_dict() for limit in limits.history(subject_id)],
            "automated_decisions": automated,
            "audit_records": audit_records,
            "requests": [request.as_dict() for request in requests.find(subject_id=subject_id)],
        }
    )
