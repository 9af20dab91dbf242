"""From a subject's vault fields to what detection and the assistant get.

* `split_fields`: each granted field by the type the policy declares for it (an entity
  type, plain or free text; `DataCategorySpec.types`), never by detecting its bare value;
* `known_subject`: the detection view (`KnownSubject`) of the subject's identifiers, so
  the customer's own values are found exactly in every message;
* `build_context`: the minimised context as a system message, from fields the policy
  allows and their pseudonymised forms. A typed field whose value was not replaced as a
  whole is dropped rather than sent half-raw.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from discreet.detect.base import KnownSubject
from discreet.detect.entities import EntityType
from discreet.gateway.context import (
    CustomerContext,
    OrderStatus,
    OrderSummary,
    is_token,
    render_system_message,
)
from discreet.policy import FieldType
from discreet.transform import PseudonymizedText
from discreet.transform.pseudonymizer import TYPED_RECOGNIZER

# Fields the subject's own values are looked for under (`KnownSubject`'s named slots); any
# other field the policy declares with an entity type is looked for under that type.
_KNOWN_SUBJECT_SLOTS = (
    "email",
    "phone",
    "street_address",
    "postal_code",
    "city",
    "iban",
    "customer_number",
    "date_of_birth",
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DETAILS_PREFIX = "Customer details:"


def split_fields(
    fields: Iterable[tuple[str, str]], types: Mapping[str, FieldType]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """(typed, plain, free) fields by the policy's declared types (`Policy.field_types`):
    typed ones are replaced whole by their type's operator and never detected, plain ones go
    as they are, free text goes through detection like a message. A field with no declared
    type cannot be granted (the policy check refuses it); read for any other reason, it is
    free text, so detection still runs on it (fail closed)."""
    typed: list[tuple[str, str]] = []
    plain: list[tuple[str, str]] = []
    free: list[tuple[str, str]] = []
    for name, value in fields:
        kind = types.get(name, "text")
        (typed if isinstance(kind, EntityType) else plain if kind == "plain" else free).append(
            (name, value)
        )
    return typed, plain, free


def known_subject(
    fields: Mapping[str, str], entity_fields: Mapping[str, EntityType]
) -> KnownSubject:
    """The detection view of a subject: each identifier under its entity type, the type
    the policy declares for the field (`Policy.entity_fields`)."""
    name = fields.get("name")
    if not name and (fields.get("first_name") or fields.get("last_name")):
        name = " ".join(v for v in (fields.get("first_name"), fields.get("last_name")) if v)
    extra: dict[EntityType, list[str]] = {}
    for field_name, entity_type in entity_fields.items():
        if field_name in ("name", *_KNOWN_SUBJECT_SLOTS) or not fields.get(field_name):
            continue
        extra.setdefault(entity_type, []).append(fields[field_name])
    slots = {slot: fields.get(slot) or None for slot in _KNOWN_SUBJECT_SLOTS}
    return KnownSubject(
        name=name or None,
        extra=extra,
        given_name=fields.get("first_name") or None,
        family_name=fields.get("last_name") or None,
        **slots,
    )


@dataclass(frozen=True, slots=True)
class BuiltContext:
    """The system message and what went into it (field names only, for the audit)."""

    message: dict[str, str]
    sent_fields: frozenset[str]
    dropped_fields: frozenset[str]

    def __repr__(self) -> str:
        return (
            f"BuiltContext(sent={sorted(self.sent_fields)}, dropped={sorted(self.dropped_fields)})"
        )


def _typed(result: PseudonymizedText) -> bool:
    """Whether `result` came from a declared type (`split_fields`), not from detection."""
    return any(f.recognizer == TYPED_RECOGNIZER for f in result.findings)


def _replaced_whole(raw: str, result: PseudonymizedText) -> bool:
    """True when detection replaced `raw` as a whole (one finding over all of it)."""
    stripped = raw.strip()
    if len(result.findings) != 1:
        return False
    finding = result.findings[0]
    lead = len(raw) - len(raw.lstrip())
    return finding.start <= lead and finding.end >= lead + len(stripped)


def _one_line(text: str) -> str:
    return " ".join(text.replace(";", ",").split())


def build_context(
    items: Sequence[tuple[str, str, PseudonymizedText]], instructions: str | None = None
) -> BuiltContext:
    """The context system message from (field, raw value, pseudonymised value) triples."""
    safe: dict[str, str] = {}
    dropped: set[str] = set()
    for field_name, raw, result in items:
        if _typed(result) and not _replaced_whole(raw, result):
            dropped.add(field_name)
            continue
        safe[field_name] = _one_line(result.text)

    used: set[str] = set()

    def take_token(*names: str) -> str | None:
        for name in names:
            value = safe.get(name)
            if value is not None and is_token(value):
                used.add(name)
                return value
        return None

    order: OrderSummary | None = None
    order_token = take_token("order_number")
    if order_token is not None:
        status: OrderStatus | None = None
        if safe.get("order_status", "").lower() in {s.value for s in OrderStatus}:
            status = OrderStatus(safe["order_status"].lower())
            used.add("order_status")
        expected: date | str | None = None
        raw_date = safe.get("delivery_date", "")
        if _ISO_DATE.match(raw_date) or is_token(raw_date):
            try:
                expected = raw_date if is_token(raw_date) else date.fromisoformat(raw_date)
                used.add("delivery_date")
            except ValueError:
                expected = None
        order = OrderSummary(order=order_token, status=status, expected=expected)
    language = safe.get("language")
    if language is not None and re.fullmatch(r"[a-z]{2}", language):
        used.add("language")
    else:
        language = None
    context = CustomerContext(
        name=take_token("name", "first_name"),
        email=take_token("email"),
        phone=take_token("phone", "mobile"),
        customer_id=take_token("customer_number"),
        language=language,
        last_order=order,
    )
    message = (
        render_system_message(context)
        if instructions is None
        else render_system_message(context, instructions)
    )
    details = [
        f"{name.replace('_', ' ')} {value}" for name, value in safe.items() if name not in used
    ]
    if details:
        message = {
            **message,
            "content": f"{message['content']}\n{DETAILS_PREFIX} " + "; ".join(details),
        }
    return BuiltContext(message, frozenset(safe), frozenset(dropped))
