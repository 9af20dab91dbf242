"""The console's errors, on discreet's one error tree (messages never carry values)."""

from __future__ import annotations

from discreet.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated


class SignInFailed(Unauthenticated):
    """Sign-in failed. The same message whatever went wrong (unknown user, wrong password,
    locked or disabled account), so the answer tells an attacker nothing."""

    code = "sign_in_failed"


class SessionExpired(Unauthenticated):
    """No session, or it ended (idle or absolute timeout, signed out)."""

    code = "session_expired"


class PermissionDenied(Forbidden):
    """The signed-in user's role does not include the permission this needs."""

    code = "permission_denied"


class CsrfRejected(Forbidden):
    """A form came without the session's CSRF token (or with another one)."""

    code = "csrf_rejected"


class AccountExists(Conflict):
    """An account with that user name already exists."""

    code = "account_exists"


class AccountNotFound(NotFound):
    """No console account with that user name."""

    code = "account_not_found"


class AccountInputError(InvalidInput):
    """A user name, password, role or code does not meet the rules."""

    code = "invalid_account_input"
