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

from discreet.audit.context import AccessContext, ActorKind
from discreet.conversations.states import subject_conversations
from discreet.conversations.transcripts import attributed_conversations
from discreet.policy import Policy
from discreet.store.db import Database
from discreet.subjectdata import Holders, SubjectScope
from discreet.transform.tokenformat import TOKEN_PATTERN
from discreet.vault import Vault
from discreet.vault.bindings import bound_conversations

PROFILE, BINDINGS, STATES, TRANSCRIPTS = (
    "subject_records",
    "conversation_bindings",
    "conversation_states",
    "transcripts",
)
TOKEN_RE = re.compile(TOKEN_PATTERN)
_SHOWN = frozenset(
    {
        PROFILE,
        BINDINGS,
        STATES,
        TRANSCRIPTS,
        "consent_records",
        "processing_limits",
        "rights_requests",
    }
)
"""Holders whose records have their own section; every other holder's (erasure jobs,
legal holds, and the tables of packages added later) goes under ``other_records``."""
FORMAT_VERSION = 3
"""2: conversations carry their messages (``messages``, ``personal_values_restored``,
``note``, ``closed_at``). 3: ``other_records``, what every other registered holder
keeps about the subject."""
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
    rows: Sequence[Mapping[str, Any]], token_map: Mapping[str, str] | None
) -> list[dict[str, Any]]:
    return [
        {
            "seq": m["seq"],
            "at": m["at"],
            "role": m["role"],
            "text": m["text"] if token_map is None else restore_values(m["text"], token_map),
        }
        for m in rows
    ]


def _conversations(
    vault: Vault, records: Mapping[str, list[dict[str, Any]]], ctx: AccessContext
) -> list[dict[str, Any]]:
    """The subject's conversations (bound to it, then any others with messages or state
    attributed to it), each with its state and its messages, readable where its map
    still exists. Composed from the bindings', transcripts' and states' exports."""
    bindings = {row["conversation_id"]: row for row in records.get(BINDINGS, [])}
    states = {row["conversation_id"]: row for row in records.get(STATES, [])}
    messages: dict[str, list[dict[str, Any]]] = {}
    for row in records.get(TRANSCRIPTS, []):
        messages.setdefault(row["conversation_id"], []).append(row)
    first_message = {cid: min(m["at"] for m in rows) for cid, rows in messages.items()}
    others = sorted(
        (c for c in {*messages, *states} if c not in bindings),
        key=lambda c: (first_message.get(c) or states[c]["started_at"], c),
    )
    conversations: list[dict[str, Any]] = []
    for conversation_id in [*bindings, *others]:
        state = states.get(conversation_id, {})
        binding = bindings.get(conversation_id)
        # Only a conversation bound to this subject may have its map read for it.
        token_map = (
            vault.load_token_map(conversation_id, ctx=ctx)
            if binding is not None and binding["token_map_kept"]
            else None
        )
        stored = messages.get(conversation_id, [])
        closed_at = state.get("closed_at")
        note = None
        if token_map is None and any(TOKEN_RE.search(m["text"]) for m in stored):
            note = NOTE_CLOSED if closed_at is not None else NOTE_EXPIRED
        conversations.append(
            {
                "id": conversation_id,
                "assistant": state.get("assistant"),
                "turns": state.get("turns", 0),
                "handed_to_human": state.get("handed_to_human", False),
                "handoff_reason": state.get("handoff_reason"),
                "started_at": state.get("started_at"),
                "last_activity_at": state.get("last_activity_at"),
                "closed_at": closed_at,
                "personal_data_in_conversation": token_map or {},
                "personal_values_restored": token_map is not None,
                "note": note,
                "messages": _messages(stored, token_map),
            }
        )
    return conversations


def subject_scope(db: Database, tenant: str, subject_id: str) -> SubjectScope:
    """The subject with every conversation that is theirs: bound to them, or with
    messages or state attributed to them (ids only: no customer data)."""
    with db.begin() as conn:
        found = bound_conversations(conn, tenant, [subject_id])
        found += attributed_conversations(conn, tenant, subject_id)
        found += sorted(subject_conversations(conn, tenant, [subject_id]))
    return SubjectScope(tenant, subject_id, frozenset(found))


def collect(
    vault: Vault,
    ref: str,
    *,
    ctx: AccessContext,
    holders: Holders,
    generated_at: datetime,
) -> SubjectExport:
    """Gather what every registered holder keeps about the subject: the profile (read,
    audited, through the vault), conversations (their messages made readable with their
    token maps where these still exist), consents, processing limits, requests, the
    records of any other holder, and the automated decisions and audit records."""
    view = vault.get_subject(ref, ctx=ctx)
    subject_id = view.subject_id
    scope = subject_scope(vault.data_store, vault.tenant, subject_id)
    # The profile comes from the audited read above, not from a second decryption.
    records = {h.name: h.export(scope) for h in holders if h.name != PROFILE}
    conversations = _conversations(vault, records, ctx)
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
            "consents": records.get("consent_records", []),
            "processing_limits": records.get("processing_limits", []),
            "automated_decisions": automated,
            "audit_records": audit_records,
            "requests": records.get("rights_requests", []),
            "other_records": {
                name: rows for name, rows in records.items() if name not in _SHOWN and rows
            },
        }
    )
