"""The permission table, walked whole: what each role may do, and 403 for the rest."""

from __future__ import annotations

import pytest

from discreet.console.errors import AccountInputError, PermissionDenied
from discreet.console.roles import ROLE_PERMISSIONS, Permission, Role, allows, parse_role, require

P = Permission
EXPECTED = {
    Role.ADMIN: {P.OVERVIEW, P.POLICY_VIEW, P.APIKEYS_MANAGE, P.USERS_MANAGE},
    Role.PRIVACY_OFFICER: {
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
    },
    Role.AUDITOR: {
        P.OVERVIEW,
        P.REQUESTS_VIEW,
        P.CONSENT_VIEW,
        P.GUARD_VIEW,
        P.AUDIT_VIEW,
        P.AUDIT_EXPORT,
        P.RETENTION_VIEW,
        P.POLICY_VIEW,
    },
    Role.SUPPORT_LEAD: {P.OVERVIEW, P.CONVERSATIONS_VIEW, P.CONVERSATION_REVEAL, P.GUARD_VIEW},
}


def test_the_table_is_what_the_issue_and_readme_promise() -> None:
    assert {role: set(perms) for role, perms in ROLE_PERMISSIONS.items()} == EXPECTED


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_require_allows_exactly_the_table(role: Role, permission: Permission) -> None:
    if permission in EXPECTED[role]:
        require(role, permission)
        assert allows(role, permission)
        return
    with pytest.raises(PermissionDenied) as raised:
        require(role, permission)
    assert raised.value.http_status == 403
    assert role.value in raised.value.message and permission.value in raised.value.message


def test_read_only_and_support_roles_cannot_change_or_reveal_customers() -> None:
    changing = {P.REQUESTS_MANAGE, P.HOLDS_MANAGE, P.SUBJECT_REVEAL, P.USERS_MANAGE}
    assert not changing & ROLE_PERMISSIONS[Role.AUDITOR]
    assert not (changing | {P.SUBJECT_VIEW}) & ROLE_PERMISSIONS[Role.SUPPORT_LEAD]
    # The administrator runs the console, but reads no customer data.
    customer = {P.SUBJECT_VIEW, P.CONVERSATIONS_VIEW, P.REQUESTS_VIEW, P.AUDIT_VIEW}
    assert not customer & ROLE_PERMISSIONS[Role.ADMIN]


def test_unknown_role_is_named_with_the_valid_ones() -> None:
    with pytest.raises(AccountInputError, match="privacy_officer"):
        parse_role("superuser")
    assert parse_role("auditor") is Role.AUDITOR
