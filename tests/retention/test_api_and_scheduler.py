"""The close/retention routes over real stores, the report, and the scheduler (no sleeping)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.retention.conftest import Parts, policy_with

from discreet.api.contract import install_error_format
from discreet.api.routes_conversations import Closer, conversations_router
from discreet.audit import AccessContext
from discreet.audit.log import AuditLog
from discreet.conversations.states import TurnUpdate
from discreet.retention import (
    RetentionScheduler,
    forecast,
    is_closed,
)
from discreet.wiring import StoreParts, build_holders, open_retention, scheduled_retention


@pytest.fixture
def client(parts: Parts) -> Iterator[TestClient]:
    retention = open_retention(
        policy_with(), parts.env.settings(), master_key=parts.env.master_key, clock=parts.clock
    )

    def closer() -> Closer:
        return Closer(actor="key-1", assistant="support")

    app = FastAPI()
    install_error_format(app)  # the app's one error map, as create_app installs it
    app.include_router(conversations_router(lambda: retention, lambda: "ops-1", closer))
    with TestClient(app) as test_client:
        yield test_client
    retention.close()


def test_close_endpoint_forgets_the_conversation(
    client: TestClient, parts: Parts, ctx: AccessContext
) -> None:
    parts.vault.save_token_map("chat-9", {"[PERSON_1]": "Marieke"}, ctx=ctx)
    parts.turn("chat-9")
    answer = client.post("/v1/conversations/chat-9/close")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_map_destroyed"] is True and body["already_closed"] is False
    assert is_closed(parts.data, "default", "chat-9")
    assert parts.vault.load_token_map("chat-9", ctx=ctx) == {}
    assert client.post("/v1/conversations/chat-9/close").json()["already_closed"] is True


def test_close_endpoint_refuses_unknown_and_foreign_conversations(
    client: TestClient, parts: Parts
) -> None:
    assert client.post("/v1/conversations/nope/close").status_code == 404
    parts.states.record_turn(
        TurnUpdate("other-bot-chat", "billing", None), [], erasures=parts.erasures
    )
    assert client.post("/v1/conversations/other-bot-chat/close").status_code == 404
    assert not is_closed(parts.data, "default", "other-bot-chat")


def test_report_and_dry_run_endpoints(client: TestClient, parts: Parts) -> None:
    parts.transcripts.append("old", [("user", "x")], parts.clock() - timedelta(days=95))
    parts.transcripts.append("soon", [("user", "y")], parts.clock() - timedelta(days=85))
    report = client.get("/v1/retention/report", params={"horizon_days": 10}).json()
    messages = [ln for ln in report["lines"] if ln["kind"] == "conversation_messages"]
    soon = (parts.clock() + timedelta(days=5)).date().isoformat()
    assert [(ln["when"], ln["count"]) for ln in messages] == [("now", 1), (soon, 1)]
    run = client.post("/v1/retention/run", params={"dry_run": "true"}).json()
    assert run["dry_run"] is True
    assert len(parts.transcripts.messages("old")) == 1


def test_forecast_buckets_subject_fields_by_category(parts: Parts) -> None:
    policy = policy_with(
        "retention:\n  - record: subject_fields\n    category: contact\n    days: 10\n"
    )
    holders = build_holders(StoreParts(parts.data, parts.keys, parts.clock))
    result = forecast(
        parts.data, policy, holders=holders, tenant="default", clock=parts.clock, horizon_days=30
    )
    contact = [ln for ln in result.lines if ln.category == "contact"]
    assert [(ln.when, ln.count) for ln in contact] == [
        ((parts.clock() + timedelta(days=10)).date().isoformat(), 4)
    ]
    identity = [ln for ln in result.lines if ln.category == "identity"]
    assert [(ln.when, ln.count) for ln in identity] == [("later", 2)]


def test_scheduler_runs_at_start_and_every_interval_without_sleeping() -> None:
    calls: list[int] = []
    waits: list[float] = []

    async def scenario() -> None:
        gate = asyncio.Event()

        async def fake_sleep(seconds: float) -> None:
            waits.append(seconds)
            if len(waits) >= 3:
                gate.set()
                await asyncio.Event().wait()  # park until cancelled

        scheduler = RetentionScheduler(lambda: calls.append(1), interval_s=60, sleep=fake_sleep)
        async with scheduler.running():
            await asyncio.wait_for(gate.wait(), timeout=10)
        assert scheduler.runs == 3 and scheduler.failures == 0

    asyncio.run(scenario())
    assert len(calls) == 3 and waits == [60, 60, 60]


def test_scheduler_survives_a_failing_run(caplog: pytest.LogCaptureFixture) -> None:
    def boom() -> None:
        raise RuntimeError("customer Marieke")  # a message that must not be logged

    async def scenario() -> RetentionScheduler:
        scheduler = RetentionScheduler(boom)
        await scheduler.run_once()
        await scheduler.run_once()
        return scheduler

    scheduler = asyncio.run(scenario())
    assert scheduler.failures == 2
    assert "Marieke" not in caplog.text and "RuntimeError" in caplog.text


def test_scheduled_retention_runs_over_the_configured_stores(parts: Parts) -> None:
    parts.transcripts.append("old", [("user", "x")], parts.clock() - timedelta(days=120))
    settings = parts.env.settings(master_key=parts.env.master_key.to_base64())
    task = scheduled_retention(policy_with(), settings, interval_s=3600)

    async def scenario() -> int:
        async with task() as scheduler:
            await scheduler.run_once()
            return scheduler.failures

    assert asyncio.run(scenario()) == 0
    assert parts.transcripts.messages("old") == []
    runs = [e for e in AuditLog(parts.data).entries() if e.action == "retention.run"]
    assert runs and runs[0].actor == "retention"
