"""Whose law sets the deadlines and the kinds of request: the policy's ``jurisdictions``.

- **GDPR** (EU/EEA, UK GDPR alike): answer within one month of receipt, extendable by two
  further months with a reason (art. 12(3)); access, rectification, erasure, restriction,
  objection.
- **CCPA/CPRA** (California): answer within 45 days, extendable once by another 45 (Cal.
  Civ. Code §1798.130(a)(2)); the right to know (an access request), to delete, to correct,
  and to opt out of the sale or sharing of personal information, recorded as an objection
  to the purpose ``sale_sharing``.

A policy that names both serves requests of every kind either law knows, and answers by the
earlier deadline of the two (fail closed: no request is late under either law).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from discreet.errors import InvalidValue
from discreet.rights.deadlines import MAX_EXTENSION_MONTHS, RESPONSE_MONTHS, add_months
from discreet.rights.requests import RequestError, RequestKind

JurisdictionName = Literal["gdpr", "ccpa"]
SALE_SHARING = "sale_sharing"
"""The purpose a CCPA opt-out of sale/sharing objects to."""
CCPA_DAYS = 45

# The words each law uses for its requests, as accepted by `parse_request`.
ALIASES: dict[str, tuple[RequestKind, str | None]] = {
    "know": (RequestKind.ACCESS, None),
    "delete": (RequestKind.ERASURE, None),
    "correct": (RequestKind.RECTIFICATION, None),
    "opt_out": (RequestKind.OBJECTION, SALE_SHARING),
    "opt-out": (RequestKind.OBJECTION, SALE_SHARING),
}
_KINDS: dict[str, frozenset[RequestKind]] = {
    "gdpr": frozenset(RequestKind),
    "ccpa": frozenset(
        {RequestKind.ACCESS, RequestKind.ERASURE, RequestKind.RECTIFICATION, RequestKind.OBJECTION}
    ),
}


@dataclass(frozen=True, slots=True)
class Deadlines:
    """The deadline rules of the jurisdictions a policy names."""

    names: tuple[JurisdictionName, ...] = ("gdpr",)

    def __post_init__(self) -> None:
        if not self.names:
            raise ValueError("name at least one jurisdiction")

    def initial_due(self, received_at: datetime) -> datetime:
        return min(_initial(name, received_at) for name in self.names)

    def latest_due(self, received_at: datetime) -> datetime:
        """The furthest any extension may push the deadline."""
        return min(_latest(name, received_at) for name in self.names)

    def extended_due(self, received_at: datetime, due_at: datetime, months: int) -> datetime:
        """The deadline after an extension of `months` (GDPR's unit; under the CCPA any
        extension is its one 45-day extension); RequestError past the latest allowed."""
        candidates = []
        for name in self.names:
            if name == "gdpr":
                already = next(
                    (
                        k
                        for k in range(MAX_EXTENSION_MONTHS + 1)
                        if add_months(received_at, RESPONSE_MONTHS + k) >= due_at
                    ),
                    MAX_EXTENSION_MONTHS,
                )
                candidates.append(add_months(received_at, RESPONSE_MONTHS + already + months))
            else:
                candidates.append(_latest(name, received_at))
        new_due = min(candidates)
        if new_due > self.latest_due(received_at) or new_due <= due_at:
            raise RequestError(
                "the deadline cannot be extended further: "
                + "; ".join(_LIMITS[name] for name in self.names)
            )
        return new_due

    def check_kind(self, kind: RequestKind) -> None:
        if not any(kind in _KINDS[name] for name in self.names):
            laws = ", ".join(name.upper() for name in self.names)
            raise RequestError(f"a {kind.value} request is not a right under {laws}")


_LIMITS = {
    "gdpr": "GDPR: at most two months in total (art. 12(3))",
    "ccpa": "CCPA: one extension of 45 days (Cal. Civ. Code 1798.130)",
}


def _initial(name: str, received_at: datetime) -> datetime:
    if name == "gdpr":
        return add_months(received_at, RESPONSE_MONTHS)
    return received_at + timedelta(days=CCPA_DAYS)


def _latest(name: str, received_at: datetime) -> datetime:
    if name == "gdpr":
        return add_months(received_at, RESPONSE_MONTHS + MAX_EXTENSION_MONTHS)
    return received_at + timedelta(days=2 * CCPA_DAYS)


def parse_request(
    kind: str, scope: str | None, names: Sequence[str] = ("gdpr",)
) -> tuple[RequestKind, str | None]:
    """A request kind as given (``access`` ... or a CCPA word: ``know``, ``delete``,
    ``correct``, ``opt_out``) as the kind and scope discreet records."""
    text = kind.strip().lower()
    if text in ALIASES:
        found, implied = ALIASES[text]
        return found, scope or implied
    try:
        return RequestKind(text), scope
    except ValueError:
        known = [k.value for k in RequestKind]
        if "ccpa" in names:
            known += ["know", "delete", "correct", "opt_out"]
        raise InvalidValue(
            f"unknown request kind; use one of {', '.join(known)}", param="kind"
        ) from None
