"""Roles and permissions: one table, checked in one place (:func:`require`).

A role is a set of permissions. Pages and actions name the permission they need, never a
role, so what a role may do is read off :data:`ROLE_PERMISSIONS` alone, and the tests
walk that table.

* **admin**: console accounts, API keys, the policy.
* **privacy_officer**: rights requests (and their archives), subjects, consent, legal
  holds, retention, the audit log, conversations (pseudonymised), the policy.
* **auditor**: read-only: the audit log (verify, export), requests and their completion
  records, retention, the policy.
* **support_lead**: pseudonymised conversations with the guard's decisions; reveals one
  value of one conversation, with a reason that is audited and expires.

Nobody may list customers: a subject is opened by its reference only.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import Final

from discreet.console.errors import PermissionDenied


class Role(StrEnum):
    ADMIN = "admin"
    PRIVACY_OFFICER = "privacy_officer"
    AUDITOR = "auditor"
    SUPPORT_LEAD = "support_lead"


class Permission(StrEnum):
    OVERVIEW = "overview"
    REQUESTS_VIEW = "requests.view"
    """The queue, a request's timeline and its completion record."""
    REQUESTS_MANAGE = "requests.manage"
    """Submit, verify, execute, extend, reject."""
    SUBJECT_VIEW = "subject.view"
    """Open a subject by reference: consents, holds, requests, conversations (masked)."""
    SUBJECT_REVEAL = "subject.reveal"
    HOLDS_MANAGE = "holds.manage"
    CONSENT_VIEW = "consent.view"
    CONVERSATIONS_VIEW = "conversations.view"
    CONVERSATION_REVEAL = "conversation.reveal"
    GUARD_VIEW = "guard.view"
    """Guard blocks and handoffs (counts)."""
    AUDIT_VIEW = "audit.view"
    AUDIT_EXPORT = "audit.export"
    RETENTION_VIEW = "retention.view"
    POLICY_VIEW = "policy.view"
    APIKEYS_MANAGE = "apikeys.manage"
    USERS_MANAGE = "users.manage"


P = Permission
ROLE_PERMISSIONS: Final = MappingProxyType(
    {
        Role.ADMIN: frozenset({P.OVERVIEW, P.POLICY_VIEW, P.APIKEYS_MANAGE, P.USERS_MANAGE}),
        Role.PRIVACY_OFFICER: frozenset(
            {
                P.OVERVIEW,
                P.REQUESTS_VIEW,
                P.REQUESTS_MANAGE,
                P.SUBJECT_VIEW,
                P.SUBJECT_REVEAL,
                P.HOLDS_MANAGE,
                P.CONSENT_VIEW,
                P.CONVERSATIONS_VIEW,
                P.GUARD_VIEW,
                P.AUDIT_VIEW,
                P.RETENTION_VIEW,
                P.POLICY_VIEW,
            }
        ),
        Role.AUDITOR: frozenset(
            {
                P.OVERVIEW,
                P.REQUESTS_VIEW,
                P.CONSENT_VIEW,
                P.GUARD_VIEW,
                P.AUDIT_VIEW,
                P.AUDIT_EXPORT,
                P.RETENTION_VIEW,
                P.POLICY_VIEW,
            }
        ),
        Role.SUPPORT_LEAD: frozenset(
            {P.OVERVIEW, P.CONVERSATIONS_VIEW, P.CONVERSATION_REVEAL, P.GUARD_VIEW}
        ),
    }
)


def parse_role(value: str) -> Role:
    from discreet.console.errors import AccountInputError

    try:
        return Role(value)
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise AccountInputError(f"unknown role {value!r}; expected one of: {names}") from None


def allows(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


def require(role: Role, permission: Permission) -> None:
    """The one check: `PermissionDenied` (HTTP 403) unless `role` has `permission`."""
    if not allows(role, permission):
        raise PermissionDenied(f"the {role.value} role does not include {permission.value}")
