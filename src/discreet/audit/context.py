"""Who reads customer data, why, and on what legal basis (ARCHITECTURE.md, principle 6).

Every vault call takes an :class:`AccessContext`; the audit log records it with the
action's outcome. The legal bases are GDPR art. 6(1)'s six, spelt as in the policy files.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from discreet.errors import InvalidInput
from discreet.legal import LegalBasis as LegalBasis  # re-exported


class ActorKind(StrEnum):
    USER = "user"
    API_KEY = "api_key"
    ASSISTANT = "assistant"
    SYSTEM = "system"


STAFF_ACTOR_PREFIX = "console:"
"""A console user's audit actor is this prefix and the username (``console.activity``);
reports that review staff access (``ops.facts``) read it back."""
STAFF_SIGN_IN = "console.sign_in"
"""The audit action of a console sign-in (outcome ok: the second factor passed too)."""


class Outcome(StrEnum):
    OK = "ok"
    DENIED = "denied"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    REJECTED = "rejected"
    INTEGRITY_ERROR = "integrity_error"
    WRONG_KEY = "wrong_key"
    ERROR = "error"


_MAX = 200


class InvalidContext(InvalidInput, ValueError):
    """An actor, purpose or legal basis that is empty, too long, not printable or not one
    of the bases (still a ValueError for the callers that catch that)."""


def _check_text(what: str, value: str) -> str:
    if not value or not value.strip():
        raise InvalidContext(f"{what} must not be empty")
    if len(value) > _MAX or any(ord(ch) < 32 for ch in value):
        raise InvalidContext(f"{what} must be at most {_MAX} printable characters")
    return value


@dataclass(frozen=True, slots=True)
class AccessContext:
    """The actor (a user, an API key or an assistant), the purpose and the legal basis."""

    actor: str
    purpose: str
    legal_basis: LegalBasis
    actor_kind: ActorKind = ActorKind.USER

    def __post_init__(self) -> None:
        _check_text("actor", self.actor)
        _check_text("purpose", self.purpose)
        try:
            basis = LegalBasis(str(self.legal_basis))
        except ValueError:
            valid = ", ".join(b.value for b in LegalBasis)
            raise InvalidContext(
                f"unknown legal basis {self.legal_basis!r}; expected one of: {valid}"
            ) from None
        object.__setattr__(self, "legal_basis", basis)
        object.__setattr__(self, "actor_kind", ActorKind(str(self.actor_kind)))


SYSTEM_PSEUDONYMISATION = AccessContext(
    actor="pseudonymizer",
    purpose="pseudonymisation",
    legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
    actor_kind=ActorKind.SYSTEM,
)
"""Default context of the token-map store: keeping a conversation's tokens reversible."""
