"""The access report a customer reads (GDPR art. 15) and the portability file (art. 20).

Rendered from the export's data (`rights.export`), so it does not care how that data was
collected. The page is in the customer's language (English, Dutch, German or French: the
language of their own messages unless given), with dates and names a person reads
("3 December 2026, 08:35", "E-mail address") and a layout that fits a phone and a desktop.
Besides the data it carries what article 15 asks for, from the policy: the purposes and
their legal bases, the recipients (each assistant and the AI model provider), how long each
kind of record is kept, where the data comes from, and the right to complain. Each detail
says what it was used for, from the audit records: given to an assistant (as a
placeholder), only used to recognise the customer's details in messages, or read by staff.

`portability` is the machine-readable art. 20 file: the details and messages the customer
provided, nothing the controller derived.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from babel.dates import format_date, format_time
from jinja2 import Environment, PackageLoader, select_autoescape

from discreet.clock import as_utc
from discreet.detect.language import detect_language
from discreet.policy import Policy
from discreet.rights.report_texts import LANGUAGES, NAMES, TEXTS

PORTABILITY_FORMAT = "discreet.portability/1"
TURN_ACTION = "gateway.turn"
READ_ACTION = "subject.read"


@cache
def _environment() -> Environment:
    # Autoescape: every value on the page is customer data or derived from it.
    return Environment(
        loader=PackageLoader("discreet.rights", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def report_language(data: Mapping[str, Any], default: str = "en") -> str:
    """The language the customer writes in (their own messages), else `default`."""
    text = " ".join(
        m["text"]
        for c in data.get("conversations", [])
        for m in c.get("messages", [])
        if m.get("role") == "user"
    )
    if not text.strip():
        return default
    found = detect_language(text, default=default)
    return found if found in LANGUAGES else default


class _Words:
    """Labels and names in one language; dates as a person reads them."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else "en"
        self.texts = TEXTS[self.language]
        self.names = NAMES[self.language]

    def t(self, key: str, **values: object) -> str:
        return self.texts[key].format(**values)

    def name(self, value: object) -> str:
        text = "" if value is None else str(value)
        if text in self.names:
            return self.names[text]
        return text.replace("_", " ").replace(".", " ").strip().capitalize()

    def when(self, value: object) -> str:
        """'3 December 2026, 08:35' (UTC) from an ISO timestamp; '' for none."""
        if not value:
            return ""
        moment = as_utc(value if isinstance(value, datetime) else _parse(str(value)))
        day = format_date(moment, format="long", locale=self.language)
        return f"{day}, {format_time(moment, format='HH:mm', locale=self.language)}"

    def day(self, value: object) -> str:
        if not value:
            return ""
        moment = as_utc(value if isinstance(value, datetime) else _parse(str(value)))
        return format_date(moment, format="long", locale=self.language)

    def period(self, days: int) -> str:
        if days >= 365 and days % 365 == 0:
            return self.t("years", n=days // 365)
        return self.t("days", n=days)


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def field_uses(records: Iterable[Mapping[str, Any]], words: _Words) -> dict[str, list[str]]:
    """For each field: what it was used for, in words, from the audit records (each use
    once). A field read only so detection recognises the customer is marked as such, not
    as seen by the assistant."""
    uses: dict[str, list[str]] = {}

    def add(field: str, use: str) -> None:
        if use not in uses.setdefault(field, []):
            uses[field].append(use)

    for record in records:
        if record.get("outcome") != "ok":
            continue
        fields = [str(f) for f in record.get("fields") or ()]
        purpose = words.name(record.get("purpose"))
        if record.get("action") == TURN_ACTION:
            for field in fields:
                add(field, words.t("use_assistant", actor=record["actor"], purpose=purpose))
        elif record.get("action") == READ_ACTION:
            details = record.get("details") or {}
            detection_only = str(details.get("detection_only_fields") or "").split(",")
            for field in fields:
                if field in detection_only:
                    add(field, words.t("use_recognition"))
                elif record.get("actor_kind") == "user":
                    add(field, words.t("use_staff", actor=record["actor"], purpose=purpose))
    return uses


def _recipients(policy: Policy | None, words: _Words) -> list[str]:
    if policy is None:
        return []
    found = [
        words.t(
            "recipient_assistant",
            name=name,
            categories=", ".join(words.name(c) for c in assistant.categories) or "-",
        )
        for name, assistant in policy.assistants.items()
    ]
    if policy.upstream is not None:
        host = urlsplit(policy.upstream.base_url).hostname or policy.upstream.base_url
        found.append(words.t("recipient_llm", host=host))
    else:
        found.append(words.t("recipient_embedded"))
    return found


def _retention(policy: Policy | None, words: _Words) -> list[str]:
    if policy is None:
        return []
    lines = []
    for rule in policy.retention:
        what = words.t(f"record_{rule.record.value}")
        if rule.category:
            what = f"{what} ({words.name(rule.category)})"
        lines.append(words.t("kept_for", what=what, period=words.period(rule.days)))
    return lines


def _purposes(policy: Policy | None, words: _Words) -> list[dict[str, str]]:
    if policy is None:
        return []
    return [
        {
            "name": words.name(name).capitalize(),
            "description": spec.description,
            "basis": words.name(spec.legal_basis.value),
        }
        for name, spec in policy.purposes.items()
    ]


def _note(note: str | None, words: _Words) -> str | None:
    """The export's note (English, for subject.json) in the report's language."""
    from discreet.rights.export import NOTE_CLOSED, NOTE_EXPIRED

    if note == NOTE_CLOSED:
        return words.t("note_closed")
    if note == NOTE_EXPIRED:
        return words.t("note_expired")
    return note


def _conversations(data: Mapping[str, Any], words: _Words) -> list[dict[str, Any]]:
    shown = []
    for conversation in data["conversations"]:
        messages = [
            {
                "who": words.t("you") if m["role"] == "user" else words.t("assistant"),
                "mine": m["role"] == "user",
                "when": words.when(m["at"]),
                "text": m["text"],
            }
            for m in conversation["messages"]
        ]
        status = (
            words.t("closed", date=words.day(conversation["closed_at"]))
            if conversation["closed_at"]
            else words.t("open")
        )
        shown.append(
            {
                "title": words.t(
                    "conversation",
                    started=words.when(
                        conversation["started_at"]
                        or next((m["at"] for m in conversation["messages"]), None)
                    ),
                ),
                "assistant": (
                    words.t("with_assistant", name=conversation["assistant"])
                    if conversation["assistant"]
                    else ""
                ),
                "status": status,
                "handed": conversation["handed_to_human"],
                "turns": words.t("turns", n=sum(1 for m in messages if m["mine"])),
                "note": _note(conversation["note"], words),
                "messages": messages,
                "mentioned": sorted(conversation["personal_data_in_conversation"].items()),
            }
        )
    return shown


def _access(records: Sequence[Mapping[str, Any]], words: _Words) -> list[dict[str, str]]:
    rows = []
    for record in records:
        details = record.get("details") or {}
        detection_only = set(str(details.get("detection_only_fields") or "").split(","))
        fields = [str(f) for f in record.get("fields") or ()]
        seen = [words.name(f) for f in fields if f not in detection_only]
        recognised = [words.name(f) for f in fields if f in detection_only]
        text = ", ".join(seen)
        if recognised:
            text += ("; " if text else "") + words.t("use_recognition") + ": "
            text += ", ".join(recognised)
        rows.append(
            {
                "when": words.when(record["ts"]),
                "who": record["actor"] if record["actor_kind"] != "system" else words.t("system"),
                "what": words.name(record["action"]),
                "purpose": words.name(record["purpose"]),
                "fields": text,
                "outcome": words.name(record["outcome"]),
            }
        )
    return rows


def render_report(
    data: Mapping[str, Any],
    *,
    policy: Policy | None = None,
    language: str | None = None,
    reference: str | None = None,
) -> str:
    """The export as one self-contained, responsive HTML page in the customer's language."""
    words = _Words(language or report_language(data))
    uses = field_uses(data["audit_records"], words)
    profile = [
        {
            "label": words.name(name),
            "category": words.name(item["category"]) if item["category"] else "",
            "value": item["value"],
            "uses": uses.get(name) or [words.t("not_used")],
        }
        for name, item in data["profile"].items()
    ]
    view = {
        "lang": words.language,
        "t": words.t,
        "name": words.name,
        "when": words.when,
        "day": words.day,
        "reference": reference or data["subject_id"],
        "generated": words.when(data["generated_at"]),
        "profile": profile,
        "purposes": _purposes(policy, words),
        "recipients": _recipients(policy, words),
        "retention": _retention(policy, words),
        "conversations": _conversations(data, words),
        "consents": data["consents"],
        "limits": data["processing_limits"],
        "decisions": data["automated_decisions"],
        "requests": data["requests"],
        "access": _access(data["audit_records"], words),
    }
    return _environment().get_template("access_report.html.j2").render(**view)


def portability(data: Mapping[str, Any]) -> dict[str, Any]:
    """Art. 20: the details and the messages the customer provided, machine-readable.

    Assistant answers, audit records and the controller's own decisions are left out:
    they were not provided by the customer (they are in subject.json)."""
    return {
        "format": PORTABILITY_FORMAT,
        "generated_at": data["generated_at"],
        "details": {name: item["value"] for name, item in data["profile"].items()},
        "messages": [
            {"conversation": c["id"], "at": m["at"], "text": m["text"]}
            for c in data["conversations"]
            for m in c["messages"]
            if m["role"] == "user"
        ],
    }
