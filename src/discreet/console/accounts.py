"""Console accounts: creation, sign-in with lock-out and back-off, the TOTP second factor
and one-time recovery codes. The :class:`AccountStore` alone reads and writes
``console_users`` and ``console_recovery_codes``.

Sign-in answers the same for an unknown user, a wrong password, a locked and a disabled
account (:class:`SignInFailed`), and costs the same: an Argon2id verification runs in
every case (:func:`discreet.console.passwords.verify_password`).

Lock-out and back-off: the first ``FREE_FAILURES`` consecutive failures (password or
second factor) cost nothing more; each one after that locks the account for
``LOCK_MINUTES``, doubled for every further failure (capped at a day). A success resets
the count. An administrator's ``reset-mfa`` also lifts a lock.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from discreet.clock import Clock, as_utc, now_from, system_clock
from discreet.console import passwords, totp
from discreet.console.errors import (
    AccountExists,
    AccountInputError,
    AccountNotFound,
    SignInFailed,
)
from discreet.console.roles import Role, parse_role
from discreet.store.console_models import ConsoleRecoveryCode, ConsoleSession, ConsoleUser
from discreet.store.db import Database
from discreet.store.models import table_of

_U = table_of(ConsoleUser)
_R = table_of(ConsoleRecoveryCode)
_S = table_of(ConsoleSession)

FREE_FAILURES = 4
LOCK_MINUTES = 15
MAX_LOCK = timedelta(days=1)
RECOVERY_CODES = 10
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{2,63}")


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    username: str
    role: Role
    enrolled: bool
    """Whether the TOTP second factor is set up."""
    failed_attempts: int
    locked_until: datetime | None
    created_at: datetime
    disabled_at: datetime | None

    @property
    def active(self) -> bool:
        return self.disabled_at is None

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


def _account(row: Any) -> Account:
    return Account(
        id=int(row.id),
        username=row.username,
        role=Role(row.role),
        enrolled=row.totp_secret is not None,
        failed_attempts=int(row.failed_attempts),
        locked_until=as_utc(row.locked_until) if row.locked_until else None,
        created_at=as_utc(row.created_at),
        disabled_at=as_utc(row.disabled_at) if row.disabled_at else None,
    )


def check_username(username: str) -> str:
    if not _USERNAME.fullmatch(username):
        raise AccountInputError(
            "a user name has 3 to 64 characters: lower-case letters, digits and . _ @ -, "
            "starting with a letter or digit"
        )
    return username


def _code_digest(code: str) -> str:
    # Recovery codes carry 80 random bits, so a plain SHA-256 cannot be brute-forced (as
    # with API keys), and checking one does not cost ten Argon2 verifications.
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = secrets.token_hex(10)  # 80 bits
    return "-".join(raw[i : i + 5] for i in range(0, 20, 5))


class AccountStore:
    """Console accounts in the data store."""

    def __init__(self, db: Database, *, clock: Clock = system_clock) -> None:
        self.db = db
        self.clock = clock

    def now(self) -> datetime:
        return now_from(self.clock)

    # --- administration ----------------------------------------------------------------

    def create(self, username: str, role: Role | str, password: str) -> Account:
        username = check_username(username)
        chosen = role if isinstance(role, Role) else parse_role(role)
        encoded = passwords.hash_password(passwords.check_new_password(password))
        try:
            with self.db.begin() as conn:
                conn.execute(
                    _U.insert().values(
                        username=username,
                        role=chosen.value,
                        password_hash=encoded,
                        failed_attempts=0,
                        created_at=self.now(),
                    )
                )
        except IntegrityError:
            raise AccountExists(f"an account named {username!r} already exists") from None
        return self.get(username)

    def get(self, username: str) -> Account:
        with self.db.read() as conn:
            row = conn.execute(select(_U).where(_U.c.username == username)).one_or_none()
        if row is None:
            raise AccountNotFound(f"no console account named {username!r}")
        return _account(row)

    def by_id(self, user_id: int) -> Account | None:
        with self.db.read() as conn:
            row = conn.execute(select(_U).where(_U.c.id == user_id)).one_or_none()
        return _account(row) if row is not None else None

    def accounts(self) -> list[Account]:
        with self.db.read() as conn:
            rows = conn.execute(select(_U).order_by(_U.c.username)).all()
        return [_account(row) for row in rows]

    def count(self) -> int:
        with self.db.read() as conn:
            return int(conn.execute(select(func.count()).select_from(_U)).scalar_one())

    def disable(self, username: str) -> Account:
        """Disable the account and end its sessions (it can no longer sign in)."""
        account = self.get(username)
        with self.db.begin() as conn:
            conn.execute(update(_U).where(_U.c.id == account.id).values(disabled_at=self.now()))
            conn.execute(delete(_S).where(_S.c.user_id == account.id))
        return self.get(username)

    def set_password(self, username: str, password: str) -> Account:
        """A new password (the rules of `create`); ends the account's sessions."""
        account = self.get(username)
        encoded = passwords.hash_password(passwords.check_new_password(password))
        with self.db.begin() as conn:
            conn.execute(update(_U).where(_U.c.id == account.id).values(password_hash=encoded))
            conn.execute(delete(_S).where(_S.c.user_id == account.id))
        return self.get(username)

    def reset_mfa(self, username: str) -> Account:
        """Forget the second factor and recovery codes, lift any lock and end the account's
        sessions: the next sign-in enrols a new authenticator."""
        account = self.get(username)
        with self.db.begin() as conn:
            conn.execute(
                update(_U)
                .where(_U.c.id == account.id)
                .values(totp_secret=None, totp_last_step=None, failed_attempts=0, locked_until=None)
            )
            conn.execute(delete(_R).where(_R.c.user_id == account.id))
            conn.execute(delete(_S).where(_S.c.user_id == account.id))
        return self.get(username)

    # --- sign-in -----------------------------------------------------------------------

    def check_password(self, username: str, password: str) -> Account:
        """The account, if `password` is right and the account may sign in now; otherwise
        `SignInFailed`, the same for every reason, after the same work."""
        with self.db.read() as conn:
            row = conn.execute(select(_U).where(_U.c.username == username)).one_or_none()
        ok = passwords.verify_password(row.password_hash if row is not None else None, password)
        if row is None:
            raise SignInFailed()
        account = _account(row)
        now = self.now()
        if not account.active or account.locked_at(now):
            raise SignInFailed()
        if not ok:
            self.record_failure(account.id)
            raise SignInFailed()
        if passwords.needs_rehash(row.password_hash):
            with self.db.begin() as conn:
                conn.execute(
                    update(_U)
                    .where(_U.c.id == account.id)
                    .values(password_hash=passwords.hash_password(password))
                )
        return account

    def record_failure(self, user_id: int) -> None:
        """One more failed attempt; past the free ones, lock with a doubling duration."""
        now = self.now()
        with self.db.begin() as conn:
            failed = conn.execute(
                select(_U.c.failed_attempts).where(_U.c.id == user_id)
            ).scalar_one_or_none()
            if failed is None:
                return
            failed = int(failed) + 1
            locked_until: datetime | None = None
            if failed > FREE_FAILURES:
                doublings = min(failed - FREE_FAILURES - 1, 10)
                locked_until = now + min(timedelta(minutes=LOCK_MINUTES * 2**doublings), MAX_LOCK)
            values: dict[str, Any] = {"failed_attempts": failed}
            if locked_until is not None:
                values["locked_until"] = locked_until
            conn.execute(update(_U).where(_U.c.id == user_id).values(**values))

    def _succeeded(self, user_id: int, **values: Any) -> None:
        with self.db.begin() as conn:
            conn.execute(
                update(_U)
                .where(_U.c.id == user_id)
                .values(failed_attempts=0, locked_until=None, **values)
            )

    def check_second_factor(self, user_id: int, code: str) -> bool:
        """A TOTP code (once per time step) or an unused recovery code (then used up).
        A wrong code counts as a failed attempt."""
        now = self.now()
        with self.db.read() as conn:
            row = conn.execute(select(_U).where(_U.c.id == user_id)).one_or_none()
        if row is None or row.totp_secret is None:
            return False
        account = _account(row)
        if not account.active or account.locked_at(now):
            return False
        step = totp.matching_step(row.totp_secret, code, now, row.totp_last_step)
        if step is not None:
            self._succeeded(user_id, totp_last_step=step)
            return True
        if self._use_recovery_code(user_id, code, now):
            self._succeeded(user_id)
            return True
        self.record_failure(user_id)
        return False

    def _use_recovery_code(self, user_id: int, code: str, now: datetime) -> bool:
        if len(code) > 64:
            return False
        digest = _code_digest(code)
        with self.db.begin() as conn:
            result = conn.execute(
                update(_R)
                .where(_R.c.user_id == user_id, _R.c.code_hash == digest, _R.c.used_at.is_(None))
                .values(used_at=now)
            )
            return bool(result.rowcount)

    def enrol(self, user_id: int, secret: str, code: str) -> list[str] | None:
        """Confirm enrolment with a code from the new authenticator: stores the secret and
        returns fresh recovery codes (shown once); None when the code is wrong."""
        now = self.now()
        step = totp.matching_step(secret, code, now, None)
        if step is None:
            self.record_failure(user_id)
            return None
        codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
        with self.db.begin() as conn:
            conn.execute(
                update(_U)
                .where(_U.c.id == user_id, _U.c.totp_secret.is_(None))
                .values(
                    totp_secret=secret, totp_last_step=step, failed_attempts=0, locked_until=None
                )
            )
            conn.execute(delete(_R).where(_R.c.user_id == user_id))
            conn.execute(
                _R.insert(), [{"user_id": user_id, "code_hash": _code_digest(c)} for c in codes]
            )
        return codes

    def recovery_codes_left(self, user_id: int) -> int:
        with self.db.read() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(_R)
                    .where(_R.c.user_id == user_id, _R.c.used_at.is_(None))
                ).scalar_one()
            )
