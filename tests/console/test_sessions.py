"""Server-side sessions: idle and absolute timeouts (a fake clock), new tokens at every
step of sign-in, sign-out everywhere, timeouts from the policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.consent.fakes import FakeClock

from discreet.console.accounts import AccountStore
from discreet.console.roles import Role
from discreet.console.sessions import PENDING_MINUTES, SessionStore, Stage
from discreet.wiring import vault_holders

PASSWORD = "correct horse battery staple"


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def stores(store_env: Any, fake_clock: FakeClock) -> tuple[AccountStore, SessionStore]:
    db = store_env.data_db()
    return AccountStore(db, clock=fake_clock), SessionStore(db, clock=fake_clock)


def test_idle_timeout_counts_from_the_last_use(stores, fake_clock: FakeClock) -> None:
    accounts, sessions = stores
    user = accounts.create("anna", Role.AUDITOR, PASSWORD)
    token = sessions.create(user.id, Stage.FULL)
    fake_clock.advance(minutes=14)
    assert sessions.get(token) is not None  # used: the idle clock restarts
    fake_clock.advance(minutes=14)
    assert sessions.get(token) is not None
    fake_clock.advance(minutes=15)
    assert sessions.get(token) is None
    fake_clock.advance(minutes=-30)
    assert sessions.get(token) is None  # ended sessions are deleted, not just hidden


def test_absolute_timeout_ends_even_an_active_session(stores, fake_clock: FakeClock) -> None:
    accounts, sessions = stores
    user = accounts.create("anna", Role.AUDITOR, PASSWORD)
    token = sessions.create(user.id, Stage.FULL)
    for _ in range(8 * 6 - 1):
        fake_clock.advance(minutes=10)
        assert sessions.get(token) is not None
    fake_clock.advance(minutes=10)
    assert sessions.get(token) is None


def test_half_signed_in_sessions_are_short(stores, fake_clock: FakeClock) -> None:
    accounts, sessions = stores
    user = accounts.create("anna", Role.AUDITOR, PASSWORD)
    token = sessions.create(user.id, Stage.MFA)
    fake_clock.advance(minutes=PENDING_MINUTES - 1)
    assert sessions.get(token) is not None
    fake_clock.advance(minutes=2)
    assert sessions.get(token) is None


def test_each_step_gets_a_new_token_and_sign_out_everywhere(stores) -> None:
    accounts, sessions = stores
    anna = accounts.create("anna", Role.AUDITOR, PASSWORD)
    bob = accounts.create("bob", Role.AUDITOR, PASSWORD)
    first = sessions.create(anna.id, Stage.MFA)
    full = sessions.advance(first, Stage.FULL)
    assert full != first and sessions.get(first) is None
    session = sessions.get(full)
    assert session is not None and session.stage is Stage.FULL and session.role is Role.AUDITOR
    assert "csrf" not in repr(session) and session.csrf_token not in repr(session)
    laptop = sessions.create(anna.id, Stage.FULL)
    other = sessions.create(bob.id, Stage.FULL)
    assert sessions.end_all(anna.id) == 2
    assert sessions.get(full) is None and sessions.get(laptop) is None
    assert sessions.get(other) is not None
    assert sessions.get("x" * 500) is None and sessions.get(None) is None


def test_timeouts_come_from_the_policy(store_env: Any, vault: Any, fake_clock: FakeClock) -> None:
    from discreet.console import ConsoleServices
    from discreet.policy import BUILTIN_SOURCE, builtin_policy_text, parse_policy
    from discreet.rights import RightsService

    text = (
        builtin_policy_text()
        + "\nconsole:\n  idle_timeout_minutes: 5\n  absolute_timeout_hours: 2\n"
    )
    policy = parse_policy(text, BUILTIN_SOURCE)
    services = ConsoleServices(
        policy=policy,
        rights=RightsService(
            vault, holders=vault_holders(vault, clock=fake_clock), clock=fake_clock, policy=policy
        ),
        clock=fake_clock,
    )
    assert services.sessions.idle == timedelta(minutes=5)
    assert services.sessions.absolute == timedelta(hours=2)
    user = services.accounts.create("anna", Role.AUDITOR, PASSWORD)
    token = services.sessions.create(user.id, Stage.FULL)
    fake_clock.advance(minutes=6)
    assert services.sessions.get(token) is None
