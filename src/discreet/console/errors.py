"""The console's errors, on discreet's one error tree (messages never carry values)."""

from __future__ import annotations

from discreet.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated


class SignInFailed(Unauthenticated, code="sign_in_failed"):
    """Sign-in failed. The same message whatever went wrong (unknown user, wrong password,
    locked or disabled account), so the answer tells an attacker nothing."""


class SessionExpired(Unauthenticated, code="session_expired"):
    """No session, or it ended (idle or absolute timeout, signed out)."""


class PermissionDenied(Forbidden, code="permission_denied"):
    """The signed-in user's role does not include the permission this needs."""


class CsrfRejected(Forbidden, code="csrf_rejected"):
    """A form came without the session's CSRF token (or with another one)."""


class AccountExists(Conflict, code="account_exists"):
    """An account with that user name already exists."""


class AccountNotFound(NotFound, code="account_not_found"):
    """No console account with that user name."""


class AccountInputError(InvalidInput, code="invalid_account_input"):
    """A user name, password, role or code does not meet the rules."""
