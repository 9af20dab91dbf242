"""Accounts: Argon2id hashes, the same answer for every failed sign-in, lock-out with
back-off, TOTP enrolment with replay protection, recovery codes, disable and reset."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from argon2 import PasswordHasher
from tests.consent.fakes import FakeClock

from discreet.console import passwords, totp
from discreet.console.accounts import FREE_FAILURES, LOCK_MINUTES, AccountStore
from discreet.console.errors import (
    AccountExists,
    AccountInputError,
    AccountNotFound,
    SignInFailed,
)
from discreet.console.roles import Role
from discreet.console.sessions import SessionStore, Stage

PASSWORD = "correct horse battery staple"


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def accounts(store_env: Any, fake_clock: FakeClock) -> AccountStore:
    return AccountStore(store_env.data_db(), clock=fake_clock)


def _enrol(accounts: AccountStore, user_id: int) -> tuple[str, list[str]]:
    secret = totp.new_secret()
    codes = accounts.enrol(user_id, secret, totp.code_at(secret, accounts.now()))
    assert codes is not None
    return secret, codes


def test_passwords_are_stored_as_argon2id_hashes(accounts: AccountStore, store_env: Any) -> None:
    accounts.create("anna", Role.AUDITOR, PASSWORD)
    assert PASSWORD.encode() not in store_env.raw_dump()
    from sqlalchemy import text

    with store_env.data_db().begin() as conn:
        stored = conn.execute(text("SELECT password_hash FROM console_users")).scalar_one()
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, PASSWORD)
    assert not passwords.verify_password(stored, PASSWORD + "!")


def test_creation_refuses_bad_input_naming_the_rule(accounts: AccountStore) -> None:
    with pytest.raises(AccountInputError, match="at least 12"):
        accounts.create("anna", Role.AUDITOR, "short")
    with pytest.raises(AccountInputError, match="user name"):
        accounts.create("<b>", Role.AUDITOR, PASSWORD)
    with pytest.raises(AccountInputError, match="unknown role"):
        accounts.create("anna", "root", PASSWORD)
    accounts.create("anna", "auditor", PASSWORD)
    with pytest.raises(AccountExists):
        accounts.create("anna", Role.ADMIN, PASSWORD)
    with pytest.raises(AccountNotFound):
        accounts.disable("nobody")


def test_unknown_user_and_wrong_password_fail_alike(
    accounts: AccountStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts.create("anna", Role.AUDITOR, PASSWORD)
    verified: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            verified.append(str(hash))
            return super().verify(hash, password)

    monkeypatch.setattr(passwords, "_HASHER", Counting())
    with pytest.raises(SignInFailed) as unknown:
        accounts.check_password("nobody", PASSWORD)
    with pytest.raises(SignInFailed) as wrong:
        accounts.check_password("anna", "wrong password here")
    assert unknown.value.message == wrong.value.message
    assert unknown.value.http_status == wrong.value.http_status == 401
    # The same work either way: one Argon2id verification (against a dummy hash for
    # the unknown user), so timing does not tell whether the account exists.
    assert len(verified) == 2 and all(h.startswith("$argon2id$") for h in verified)
    assert accounts.check_password("anna", PASSWORD).username == "anna"


def test_lock_out_then_back_off(accounts: AccountStore, fake_clock: FakeClock) -> None:
    accounts.create("anna", Role.AUDITOR, PASSWORD)
    for _ in range(FREE_FAILURES):
        with pytest.raises(SignInFailed):
            accounts.check_password("anna", "wrong password here")
    assert accounts.check_password("anna", PASSWORD)  # free failures, then a success resets
    for _ in range(FREE_FAILURES + 1):
        with pytest.raises(SignInFailed):
            accounts.check_password("anna", "wrong password here")
    # Locked: even the right password fails, with the same answer.
    with pytest.raises(SignInFailed):
        accounts.check_password("anna", PASSWORD)
    fake_clock.advance(minutes=LOCK_MINUTES + 1)
    with pytest.raises(SignInFailed):  # one more failure: the lock doubles
        accounts.check_password("anna", "wrong password here")
    fake_clock.advance(minutes=LOCK_MINUTES + 1)
    with pytest.raises(SignInFailed):
        accounts.check_password("anna", PASSWORD)
    fake_clock.advance(minutes=LOCK_MINUTES)
    assert accounts.check_password("anna", PASSWORD).failed_attempts == 6
    assert accounts.get("anna").failed_attempts == 6  # reset only by the second factor


def test_totp_enrolment_replay_and_recovery_codes(
    accounts: AccountStore, fake_clock: FakeClock
) -> None:
    anna = accounts.create("anna", Role.AUDITOR, PASSWORD)
    secret = totp.new_secret()
    assert (
        accounts.enrol(
            anna.id,
            secret,
            "000000" if totp.code_at(secret, fake_clock()) != "000000" else "111111",
        )
        is None
    )
    code = totp.code_at(secret, fake_clock())
    codes = accounts.enrol(anna.id, secret, code)
    assert codes is not None and len(codes) == 10 and len(set(codes)) == 10
    assert accounts.get("anna").enrolled
    assert not accounts.check_second_factor(anna.id, code)  # the same code again: a replay
    fake_clock.advance(seconds=30)
    assert accounts.check_second_factor(anna.id, totp.code_at(secret, fake_clock()))
    fake_clock.advance(seconds=120)
    assert not accounts.check_second_factor(
        anna.id, totp.code_at(secret, datetime(2020, 1, 1, tzinfo=UTC))
    )
    assert accounts.check_second_factor(anna.id, codes[3].upper())
    assert not accounts.check_second_factor(anna.id, codes[3])  # one use only
    assert accounts.recovery_codes_left(anna.id) == 9
    assert accounts.get("anna").failed_attempts == 1  # the reused code counted as a failure


def test_wrong_second_factors_lock_the_account(accounts: AccountStore) -> None:
    anna = accounts.create("anna", Role.AUDITOR, PASSWORD)
    _secret, codes = _enrol(accounts, anna.id)
    for _ in range(FREE_FAILURES + 1):
        assert not accounts.check_second_factor(anna.id, "12345")
    assert accounts.get("anna").locked_at(accounts.now())
    assert not accounts.check_second_factor(anna.id, codes[0])  # locked: refused too
    with pytest.raises(SignInFailed):
        accounts.check_password("anna", PASSWORD)


def test_disable_and_reset_end_sessions(accounts: AccountStore, fake_clock: FakeClock) -> None:
    sessions = SessionStore(accounts.db, clock=fake_clock)
    anna = accounts.create("anna", Role.AUDITOR, PASSWORD)
    bob = accounts.create("bob", Role.AUDITOR, PASSWORD)
    _enrol(accounts, anna.id)
    token = sessions.create(anna.id, Stage.FULL)
    other = sessions.create(bob.id, Stage.FULL)
    accounts.reset_mfa("anna")
    assert sessions.get(token) is None and sessions.get(other) is not None
    assert not accounts.get("anna").enrolled
    token = sessions.create(anna.id, Stage.FULL)
    accounts.disable("anna")
    assert sessions.get(token) is None
    with pytest.raises(SignInFailed):
        accounts.check_password("anna", PASSWORD)
