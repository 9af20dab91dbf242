"""A real console over real stores (SQLite, and PostgreSQL when configured), with a real
gateway that has served real turns through a loopback upstream, and a fake clock the
tests move (session expiry, TOTP steps, lock-outs) instead of sleeping.

`Console.sign_in` walks the whole sign-in: password, TOTP enrolment (the secret read off
the enrolment page, the code computed for the fake clock) or the TOTP step.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import BART, MARIEKE, POLICY, Api, make_api
from tests.consent.fakes import FakeClock
from tests.support.upstream import RecordingUpstream, Script, recording_upstream

from discreet.audit import AccessContext
from discreet.console import ConsoleServices, create_console_app, totp
from discreet.console.roles import Role
from discreet.policy import Policy, parse_policy
from discreet.rights import RightsService
from discreet.wiring import open_retention

__all__ = ["BART", "MARIEKE", "recording_upstream"]

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SECRET = re.compile(r'id="totp-secret">([^<]+)<')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


@dataclass
class Console:
    services: ConsoleServices
    api: Api
    clock: FakeClock
    upstream: RecordingUpstream
    secrets: dict[str, str] = field(default_factory=dict)

    def app(self) -> Any:
        return create_console_app(self.services)

    def client(self) -> TestClient:
        return TestClient(self.app(), follow_redirects=False)

    def user(self, role: Role | str, name: str | None = None) -> str:
        role = Role(role)
        username = name or role.value.replace("_", "-")
        taken = {a.username for a in self.services.accounts.accounts()}
        if name is None and username in taken:
            username += f"-{len(taken) + 1}"
        self.services.accounts.create(username, role, PASSWORD)
        return username

    def code(self, username: str) -> str:
        """A fresh TOTP code: the clock moves one step on, so the code is not a replay."""
        self.clock.advance(seconds=30)
        return totp.code_at(self.secrets[username], self.clock())

    def sign_in(self, client: TestClient, username: str, password: str = PASSWORD) -> str:
        """Sign `client` in (enrolling on first sign-in); returns the session's CSRF token."""
        page = client.get("/login")
        answer = client.post(
            "/login",
            data={"username": username, "password": password, "csrf": csrf_of(page.text)},
        )
        assert answer.status_code == 303, answer.text
        if answer.headers["location"] == "/login/enrol":
            page = client.get("/login/enrol")
            found = SECRET.search(page.text)
            assert found
            self.secrets[username] = found.group(1).replace(" ", "")
            code = totp.code_at(self.secrets[username], self.clock())
            done = client.post("/login/enrol", data={"code": code, "csrf": csrf_of(page.text)})
            assert done.status_code == 200 and "recovery-codes" in done.text
            return csrf_of(done.text)
        page = client.get("/login/mfa")
        done = client.post(
            "/login/mfa", data={"code": self.code(username), "csrf": csrf_of(page.text)}
        )
        assert done.status_code == 303 and done.headers["location"] == "/", done.text
        return csrf_of(client.get("/").text)


@pytest.fixture
def policy() -> Policy:
    return parse_policy(POLICY, "<test policy>")


@pytest.fixture
def console(
    store_env: Any,
    policy: Policy,
    recording_upstream: RecordingUpstream,
    sample_subjects: dict[str, dict[str, str]],
    ctx: AccessContext,
) -> Iterator[Console]:
    """A console over a gateway that has served two conversations: one of Marieke's
    (its transcript has her name as a token) and one whose answer the guard blocked."""
    api = make_api(store_env, policy, recording_upstream, sample_subjects, ctx)
    with api.client:
        recording_upstream.set_default(Script(echo=True))
        api.chat("Hello, I am Marieke van Oosterhout.", conversation="conv-echo")
        # The model answers with another customer's IBAN: the guard blocks it.
        recording_upstream.set_default(Script(text="Your IBAN is GB33BUKB20201555555555."))
        api.chat("What is my IBAN?", conversation="conv-blocked")
        clock = FakeClock(datetime.now(UTC))
        retention = open_retention(
            policy, store_env.settings(), master_key=store_env.master_key, clock=clock
        )
        services = ConsoleServices(
            policy=policy,
            rights=RightsService(api.vault, holders=retention.holders, clock=clock, policy=policy),
            retention=retention,
            clock=clock,
        )
        try:
            yield Console(services, api, clock, recording_upstream)
        finally:
            retention.close()
