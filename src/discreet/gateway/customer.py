"""From a subject's vault fields to what detection and the assistant get.

* `known_subject`: the detection view (`KnownSubject`) of the subject's identifiers, so
  the customer's own values are found exactly in every message;
* `build_context`: the minimised context as a system message, from fields the policy
  allows and their pseudonymised forms. A field whose value was not replaced as a whole
  (detection found only part of it, or nothing, for a field that is an identifier) is
  dropped rather than sent half-raw.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
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
from discreet.transform import PseudonymizedText

# Vault fields that are identifiers of an entity type: they must come out replaced whole.
FIELD_TYPES: Mapping[str, EntityType] = {
    "name": EntityType.PERSON,
    "first_name": EntityType.PERSON,
    "last_name": EntityType.PERSON,
    "email": EntityType.EMAIL_ADDRESS,
    "phone": EntityType.PHONE_NUMBER,
    "mobile": EntityType.PHONE_NUMBER,
    "street_address": EntityType.STREET_ADDRESS,
    "postal_code": EntityType.POSTAL_CODE,
    "city": EntityType.LOCATION,
    "iban": EntityType.IBAN,
    "bank_account": EntityType.BANK_ACCOUNT,
    "credit_card": EntityType.CREDIT_CARD,
    "vat_id": EntityType.VAT_ID,
    "customer_number": EntityType.CUSTOMER_ID,
    "order_number": EntityType.ORDER_ID,
    "invoice_number": EntityType.ORDER_ID,
    "national_id": EntityType.NATIONAL_ID,
    "passport": EntityType.PASSPORT,
    "date_of_birth": EntityType.DATE_OF_BIRTH,
}
DETECTION_FIELDS: frozenset[str] = frozenset(FIELD_TYPES)
PLAIN_FIELDS: frozenset[str] = frozenset(
    {"order_status", "order_items", "country", "payment_method", "language"}
)
"""Fields that describe an order or a preference, not a person: sent as they are. Every
field the context carries is either typed (`FIELD_TYPES`: replaced whole by its type's
operator, never detected), plain (this set), or free text (anything else: detection runs
on it, as on a message)."""
"""Fields read (under the pseudonymisation purpose) so detection knows the subject."""

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


def known_subject(fields: Mapping[str, str]) -> KnownSubject:
    """The detection view of a subject: each identifier under its entity type."""
    name = fields.get("name")
    if not name and (fields.get("first_name") or fields.get("last_name")):
        name = " ".join(v for v in (fields.get("first_name"), fields.get("last_name")) if v)
    extra: dict[EntityType, list[str]] = {}
    for field_name, entity_type in FIELD_TYPES.items():
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
        if field_name in FIELD_TYPES and not _replaced_whole(raw, result):
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
