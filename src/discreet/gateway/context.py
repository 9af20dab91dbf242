"""The minimised customer context the gateway hands to the assistant, and its text format.

The gateway looks up the conversation's subject, keeps only the fields the policy lets this
assistant see (``policy.minimize``), pseudonymises each value, and hands the result to the
model as one line of a system message. The same line is what the embedded assistant parses
to personalise its answers, so the format is small, fixed and documented here:

    Customer: name [PERSON_1]; email [EMAIL_ADDRESS_1]; phone [PHONE_NUMBER_1];
    customer id [CUSTOMER_ID_1]; language nl;
    last order [ORDER_ID_1], status shipped, placed 2026-11-18, expected 2026-11-24

(on one line; wrapped here for reading). Grammar:

* The line starts with ``Customer:``; fields are separated by ``;`` and each is
  ``<key> <value>``. Every field is optional, order does not matter, and keys the parser does
  not know are skipped, so a newer gateway may add fields without breaking older assistants.
* ``name``, ``email``, ``phone`` and ``customer id`` hold a pseudonym token ``[TYPE_N]``,
  never a value. Construction and parsing both refuse anything else, so a bug upstream of
  this module cannot smuggle a raw value into the prompt through this format.
* ``language`` is the customer's preferred language code (``en``, ``nl``, ...).
* ``last order`` is an order token, then optional comma-separated parts: ``status <STATUS>``
  with STATUS from `OrderStatus`, ``placed <DATE>`` and ``expected <DATE>`` (delivery), where
  DATE is an ISO date (``2026-11-18``) or, when the policy pseudonymises dates, a token.

Any other text may surround the line in the system message (instructions for an upstream
model, see `render_system_message`); `extract_context` finds the line wherever it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from discreet.errors import InvalidInput
from discreet.transform.tokenformat import TOKEN_PATTERN as TOKEN_PATTERN

# A pseudonym token as the transform package writes it: an upper-case type, `_`, a counter.
TOKEN_RE = re.compile(TOKEN_PATTERN)
_FULL_TOKEN_RE = re.compile(rf"^{TOKEN_PATTERN}$")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2}$")

CONTEXT_PREFIX = "Customer:"

DEFAULT_INSTRUCTIONS = (
    # No literal token here: "[PERSON_1]" in the instructions is a real token of every
    # conversation's map, and a model echoing the example would name the customer.
    "You are a helpful customer-service assistant. Customer data in this conversation is "
    "replaced by placeholders: a type in capitals and a number, in square brackets. "
    "Use a placeholder exactly as written when you refer to that data; never invent, alter "
    "or guess the values behind placeholders."
)


class ContextFormatError(InvalidInput, ValueError):
    """A context line or field is malformed. The message names the field, never its value."""


class OrderStatus(StrEnum):
    """Order states the context may carry; a closed list, so no free text reaches the model."""

    PENDING = "pending"
    PAID = "paid"
    PROCESSING = "processing"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURNED = "returned"
    REFUNDED = "refunded"


def is_token(text: str) -> bool:
    """True when `text` is exactly one pseudonym token such as ``[PERSON_1]``."""
    return _FULL_TOKEN_RE.match(text) is not None


def _require_token(value: str | None, field: str) -> None:
    if value is not None and not is_token(value):
        raise ContextFormatError(f"context field {field!r} must be a pseudonym token")


def _check_date(value: date | str | None, field: str) -> None:
    if value is None or isinstance(value, date):
        return
    if not is_token(value):
        raise ContextFormatError(f"context field {field!r} must be an ISO date or a token")


def _render_date(value: date | str) -> str:
    return value.isoformat() if isinstance(value, date) else value


@dataclass(frozen=True, slots=True)
class OrderSummary:
    """The customer's most recent order as the assistant may see it."""

    order: str  # an ORDER_ID token
    status: OrderStatus | None = None
    placed: date | str | None = None  # a date, or a DATE token when dates are pseudonymised
    expected: date | str | None = None  # expected delivery date, same rule

    def __post_init__(self) -> None:
        _require_token(self.order, "last order")
        _check_date(self.placed, "placed")
        _check_date(self.expected, "expected")

    def render(self) -> str:
        parts = [self.order]
        if self.status is not None:
            parts.append(f"status {self.status.value}")
        if self.placed is not None:
            parts.append(f"placed {_render_date(self.placed)}")
        if self.expected is not None:
            parts.append(f"expected {_render_date(self.expected)}")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class CustomerContext:
    """Minimised, pseudonymised facts about the conversation's one subject.

    Identity fields hold tokens only (checked on construction); `render` gives the
    ``Customer: ...`` line and `parse_context` reads it back to an equal object.
    """

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    customer_id: str | None = None
    language: str | None = None
    last_order: OrderSummary | None = None

    def __post_init__(self) -> None:
        for field, value in self._token_fields():
            _require_token(value, field)
        if self.language is not None and not _LANGUAGE_RE.match(self.language):
            raise ContextFormatError("context field 'language' must be a two-letter code")

    def _token_fields(self) -> tuple[tuple[str, str | None], ...]:
        return (
            ("name", self.name),
            ("email", self.email),
            ("phone", self.phone),
            ("customer id", self.customer_id),
        )

    def tokens(self) -> frozenset[str]:
        """Every token this context carries (what an answer built from it may contain)."""
        found = {value for _, value in self._token_fields() if value is not None}
        if self.last_order is not None:
            found.add(self.last_order.order)
            for value in (self.last_order.placed, self.last_order.expected):
                if isinstance(value, str):
                    found.add(value)
        return frozenset(found)

    def render(self) -> str:
        """The one-line ``Customer: ...`` form (see the module docstring)."""
        fields = [f"{key} {value}" for key, value in self._token_fields() if value is not None]
        if self.language is not None:
            fields.append(f"language {self.language}")
        if self.last_order is not None:
            fields.append(f"last order {self.last_order.render()}")
        return f"{CONTEXT_PREFIX} " + "; ".join(fields) if fields else CONTEXT_PREFIX


def render_system_message(
    context: CustomerContext, instructions: str = DEFAULT_INSTRUCTIONS
) -> dict[str, str]:
    """An OpenAI-style system message: the instructions, then the context line."""
    return {"role": "system", "content": f"{instructions}\n{context.render()}"}


_KEYS = ("customer id", "last order", "name", "email", "phone", "language")


def _parse_date(text: str, field: str) -> date | str:
    if is_token(text):
        return text
    if _ISO_DATE_RE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise ContextFormatError(f"context field {field!r} must be an ISO date or a token")


def _parse_order(text: str) -> OrderSummary:
    head, *rest = [part.strip() for part in text.split(",")]
    status: OrderStatus | None = None
    placed: date | str | None = None
    expected: date | str | None = None
    for part in rest:
        key, _, value = part.partition(" ")
        value = value.strip()
        if key == "status":
            try:
                status = OrderStatus(value)
            except ValueError:
                raise ContextFormatError("context field 'status' has an unknown value") from None
        elif key == "placed":
            placed = _parse_date(value, "placed")
        elif key == "expected":
            expected = _parse_date(value, "expected")
        # Unknown order parts are skipped, like unknown fields.
    return OrderSummary(order=head, status=status, placed=placed, expected=expected)


def parse_context(line: str) -> CustomerContext:
    """Parse one ``Customer: ...`` line; raises `ContextFormatError` naming the bad field."""
    line = line.strip()
    if not line.startswith(CONTEXT_PREFIX):
        raise ContextFormatError(f"context line must start with {CONTEXT_PREFIX!r}")
    values: dict[str, str] = {}
    for raw_field in line[len(CONTEXT_PREFIX) :].split(";"):
        field = raw_field.strip()
        if not field:
            continue
        key = next((k for k in _KEYS if field.startswith(k + " ")), None)
        if key is not None:
            values[key] = field[len(key) :].strip()
    return CustomerContext(
        name=values.get("name"),
        email=values.get("email"),
        phone=values.get("phone"),
        customer_id=values.get("customer id"),
        language=values.get("language"),
        last_order=_parse_order(values["last order"]) if "last order" in values else None,
    )


def message_text(message: Mapping[str, Any]) -> str:
    """The text of an OpenAI-style message whose content is a string or a list of parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            str(part.get("text", ""))
            for part in content
            if isinstance(part, Mapping) and part.get("type") == "text"
        )
    return ""


def extract_context(messages: Iterable[Mapping[str, Any]]) -> CustomerContext | None:
    """The context from the last ``Customer:`` line in the system messages, if any.

    Raises `ContextFormatError` when such a line exists but is malformed, so a caller can
    choose between refusing the turn and answering without personal details.
    """
    found: str | None = None
    for message in messages:
        if message.get("role") not in ("system", "developer"):
            continue
        for line in message_text(message).splitlines():
            if line.strip().startswith(CONTEXT_PREFIX):
                found = line
    return parse_context(found) if found is not None else None
