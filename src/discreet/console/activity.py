"""Console actions as audit records, with the member of staff as the actor.

Every console action (sign-in, a page of personal data read, a request verified, a value
revealed, a key revoked) appends one record through :mod:`discreet.audit`, like the rest
of discreet. Reads of personal data carry their purpose; the vault's own records of the
same read carry it too, since the console hands the vault the same context.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from discreet.audit import AccessContext, ActorKind, AuditEvent, AuditLog, LegalBasis, Outcome
from discreet.audit.context import STAFF_ACTOR_PREFIX, STAFF_SIGN_IN
from discreet.audit.log import DetailValue

ADMINISTRATION: Final = "console_administration"
"""Purpose of account, session and key administration."""
OVERSIGHT: Final = "privacy_oversight"
"""Purpose of reviewing the audit log, reports and pseudonymised conversations."""
RIGHTS: Final = "data_subject_request"
"""Purpose of handling a data-subject request (the API's operator routes use it too)."""
SIGN_IN: Final = STAFF_SIGN_IN


def staff_context(
    username: str, purpose: str, legal_basis: LegalBasis = LegalBasis.LEGAL_OBLIGATION
) -> AccessContext:
    """The context of a console user's action: the user as actor, the action's purpose."""
    return AccessContext(
        actor=f"{STAFF_ACTOR_PREFIX}{username}",
        purpose=purpose,
        legal_basis=legal_basis,
        actor_kind=ActorKind.USER,
    )


def record(
    audit: AuditLog,
    tenant: str,
    ctx: AccessContext,
    action: str,
    *,
    outcome: Outcome = Outcome.OK,
    subject: str | None = None,
    details: Mapping[str, DetailValue] | None = None,
) -> None:
    audit.append(
        AuditEvent(
            ctx=ctx,
            tenant=tenant,
            action=action,
            outcome=outcome,
            subject=subject,
            details=dict(details or {}),
        )
    )
