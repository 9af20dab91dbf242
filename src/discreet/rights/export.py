"""Access and portability (GDPR arts. 15 and 20): everything held about one subject, as
machine-readable JSON and a readable HTML page, in one zip archive.

The archive holds plaintext personal data, so it is built in memory and handed to the
caller; it is never written to the data store. Every read that goes into it goes through
the vault (and is audited there).
"""

from __future__ import annotations

import html
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from discreet.audit.context import AccessContext, ActorKind
from discreet.consent.clock import as_utc
from discreet.consent.limits import ProcessingLimits
from discreet.consent.records import ConsentRegistry
from discreet.rights.requests import RequestBook
from discreet.store.gateway_models import GatewayConversation
from discreet.store.models import Conversation, table_of
from discreet.vault import Vault

_C = table_of(Conversation)
_G = table_of(GatewayConversation)
FORMAT_VERSION = 1
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
            "consent_records": len(self.data["consents"]),
            "automated_decisions": len(self.data["automated_decisions"]),
            "audit_records": len(self.data["audit_records"]),
            "requests": len(self.data["requests"]),
        }

    def archive(self) -> bytes:
        """A zip with ``subject.json`` and ``index.html``."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "subject.json", json.dumps(self.data, indent=2, ensure_ascii=False) + "\n"
            )
            archive.writestr("index.html", render_html(self.data))
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


def _ts(value: datetime) -> str:
    return as_utc(value).isoformat()


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
    """Gather the subject's profile, conversations (with the values behind their tokens),
    consents, processing limits, automated decisions, audit records and requests."""
    view = vault.get_subject(ref, ctx=ctx)
    subject_id = view.subject_id
    conversations: list[dict[str, Any]] = []
    ids = subject_conversations(vault, subject_id)
    with vault.audit_log.db.begin() as conn:
        states = (
            {
                row.id: row
                for row in conn.execute(
                    select(_G).where(_G.c.tenant == vault.tenant, _G.c.id.in_(ids))
                ).all()
            }
            if ids
            else {}
        )
    for conversation_id in ids:
        state = states.get(conversation_id)
        conversations.append(
            {
                "id": conversation_id,
                "assistant": state.assistant if state is not None else None,
                "turns": int(state.turns) if state is not None else 0,
                "handed_to_human": bool(state.handoff) if state is not None else False,
                "handoff_reason": state.handoff_reason if state is not None else None,
                "started_at": _ts(state.created_at) if state is not None else None,
                "last_activity_at": _ts(state.updated_at) if state is not None else None,
                "personal_data_in_conversation": vault.load_token_map(conversation_id, ctx=ctx),
            }
        )
    audit_records = [
        entry.as_dict() for entry in vault.audit_log.entries() if entry.subject == subject_id
    ]
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


# --- the readable page ---------------------------------------------------------------

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
    "table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}"
    "th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}"
)


def _cell(value: Any) -> str:
    if isinstance(value, Mapping | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return html.escape("" if value is None else str(value))


def _table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    if not rows:
        return "<p>None.</p>"
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(row.get(c))}</td>" for c in columns) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(data: Mapping[str, Any]) -> str:
    """The export as one self-contained page; every value is HTML-escaped."""
    profile = [
        {"field": name, "category": item["category"], "value": item["value"]}
        for name, item in data["profile"].items()
    ]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Your data ({_cell(data['subject_id'])})</title><style>{_STYLE}</style>",
        "</head><body>",
        "<h1>The personal data we hold about you</h1>",
        f"<p>Reference {_cell(data['subject_id'])}, generated {_cell(data['generated_at'])}."
        " The file subject.json in this archive holds the same data, machine-readable.</p>",
        "<h2>Profile</h2>",
        _table(profile, ["field", "category", "value"]),
        "<h2>Conversations</h2>",
    ]
    for conversation in data["conversations"]:
        details = {k: v for k, v in conversation.items() if k != "personal_data_in_conversation"}
        tokens = [
            {"placeholder": token, "value": value}
            for token, value in sorted(conversation["personal_data_in_conversation"].items())
        ]
        parts += [
            f"<h3>Conversation {_cell(conversation['id'])}</h3>",
            _table([details], list(details)),
            "<p>Personal data mentioned in it (kept in place of the text itself):</p>",
            _table(tokens, ["placeholder", "value"]),
        ]
    if not data["conversations"]:
        parts.append("<p>None.</p>")
    parts += [
        "<h2>Consent</h2>",
        _table(
            data["consents"],
            ["purpose", "state", "recorded_at", "notice_version", "channel", "recorded_by"],
        ),
        "<h2>Restrictions and objections</h2>",
        _table(data["processing_limits"], ["kind", "purpose", "set_at", "lifted_at"]),
        "<h2>Automated decisions</h2>",
        _table(data["automated_decisions"], ["at", "by", "decision", "outcome", "purpose"]),
        "<h2>Your requests</h2>",
        _table(data["requests"], ["id", "kind", "state", "received_at", "due_at", "closed_at"]),
        "<h2>Record of access to your data</h2>",
        _table(
            data["audit_records"],
            ["ts", "actor", "action", "purpose", "legal_basis", "fields", "outcome"],
        ),
        "</body></html>",
    ]
    return "\n".join(parts)
