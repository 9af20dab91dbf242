"""The assembled server (`build_app`, as `discreet serve` and `discreet demo` run it):
retention and close routes by key role, and the retention scheduler in the lifespan."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from discreet.api import build_app
from discreet.demo import DemoEnvironment, prepare_demo
from discreet.demo.synthetic import make_customer
from discreet.gateway.assistant import EmbeddedAssistant
from discreet.retention.runner import RUN_ACTION
from discreet.vault import open_audit_log


@dataclass
class Server:
    client: TestClient
    env: DemoEnvironment

    def headers(self, who: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.env.keys[who]}", **extra}

    def run_actions(self) -> int:
        log = open_audit_log(self.env.settings)
        try:
            return sum(1 for entry in log.entries() if entry.action == RUN_ACTION)
        finally:
            log.db.dispose()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    env = prepare_demo(tmp_path / "demo", customers=4)
    app = build_app(env.policy(), env.settings, backend=EmbeddedAssistant(), migrate=False)
    with TestClient(app) as client:
        yield Server(client, env)


def test_retention_runs_once_at_start_up(server: Server) -> None:
    # The scheduler's first run starts with the app; the lifespan has run by now, and the
    # run itself finishes in a worker thread shortly after.
    for _ in range(200):
        if server.run_actions():
            break
        server.client.get("/v1/models", headers=server.headers("support"))
    assert server.run_actions() == 1


def test_retention_routes_need_an_operator_key(server: Server) -> None:
    as_operator = server.client.get("/v1/retention/report", headers=server.headers("operator"))
    as_assistant = server.client.get("/v1/retention/report", headers=server.headers("support"))
    dry_run = server.client.post(
        "/v1/retention/run", params={"dry_run": "true"}, headers=server.headers("support")
    )

    assert as_operator.status_code == 200, as_operator.text
    assert as_assistant.status_code == 403 and dry_run.status_code == 403


def test_an_assistant_closes_only_its_own_conversations_an_operator_any(server: Server) -> None:
    customer = make_customer(0)
    for conversation in ("conv-a", "conv-b"):
        turn = server.client.post(
            "/v1/chat/completions",
            json={
                "model": "support",
                "messages": [{"role": "user", "content": "Where is my order?"}],
            },
            headers=server.headers(
                "support",
                **{"X-Discreet-Subject": customer.ref, "X-Discreet-Conversation": conversation},
            ),
        )
        assert turn.status_code == 200, turn.text

    by_billing = server.client.post(
        "/v1/conversations/conv-a/close", headers=server.headers("billing")
    )
    by_support = server.client.post(
        "/v1/conversations/conv-a/close", headers=server.headers("support")
    )
    by_operator = server.client.post(
        "/v1/conversations/conv-b/close", headers=server.headers("operator")
    )
    anonymous = server.client.post("/v1/conversations/conv-b/close")

    assert by_billing.status_code == 404  # another assistant's conversation does not exist
    assert by_support.status_code == 200, by_support.json()
    assert by_support.json()["already_closed"] is False
    again = server.client.post("/v1/conversations/conv-a/close", headers=server.headers("support"))
    assert again.json()["already_closed"] is True
    assert by_operator.status_code == 200, by_operator.text
    assert anonymous.status_code == 401
