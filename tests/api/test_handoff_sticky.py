"""A handoff holds: the model answers no more turns until an operator (API or CLI) or the
policy releases it; asking for a person is an intent, not a bare word."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update
from tests.api.conftest import POLICY, Api, make_api
from tests.support.upstream import RecordingUpstream, Script
from typer.testing import CliRunner

from discreet.audit import AccessContext
from discreet.cli import app
from discreet.conversations.models import GatewayConversation
from discreet.gateway.handoff import asks_for_a_person
from discreet.policy import parse_policy
from discreet.policy.models import DEFAULT_HANDOFF_TRIGGERS
from discreet.store.models import table_of

HANDOFF = "A human colleague will take over."


def _turn(api: Api, text: str, conversation: str) -> tuple[str, str]:
    response = api.chat(text, conversation=conversation)
    assert response.status_code == 200, response.text
    content = str(response.json()["choices"][0]["message"]["content"])
    return content, response.headers["X-Discreet-Handoff"]


def _operator(api: Api) -> dict[str, str]:
    key, _ = api.gateway.api_keys.create_operator("lead-sam")
    return {"Authorization": f"Bearer {key}"}


def test_after_a_handoff_the_model_answers_no_more_until_an_operator_releases_it(
    api: Api,
) -> None:
    api.upstream.set_default(Script(text="Model answer"))
    assert _turn(api, "Where is my order?", "conv-st")[1] == "false"
    assert _turn(api, "Can I speak to a human please?", "conv-st") == (HANDOFF, "true")
    asked = len(api.upstream.bodies())

    later, flag = _turn(api, "Hello? Anyone there?", "conv-st")
    assert (later, flag) == (HANDOFF, "true")
    assert len(api.upstream.bodies()) == asked  # nothing went to the model

    operator = _operator(api)
    shown = api.client.get("/v1/operator/conversations/conv-st", headers=operator)
    assert shown.json()["handoff"] is True and shown.json()["handoff_reason"] == "customer_request"
    released = api.client.post(
        "/v1/operator/conversations/conv-st/release", json={"reason": "resolved"}, headers=operator
    )
    assert released.status_code == 200, released.text
    assert released.json()["released"] is True
    assert released.json()["conversation"]["handoff"] is False

    assert _turn(api, "Thanks, one more question", "conv-st") == ("Model answer", "false")
    audit = api.audit("conversation.handoff_released")
    assert [e.details["reason"] for e in audit] == ["resolved"]
    assert audit[0].actor == "lead-sam"


def test_releasing_needs_an_operator_key_and_an_existing_conversation(api: Api) -> None:
    _turn(api, "I want to talk to a person", "conv-rk")
    assistant = {"Authorization": f"Bearer {api.keys['support']}"}
    refused = api.client.post("/v1/operator/conversations/conv-rk/release", headers=assistant)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "wrong_key_role"
    missing = api.client.post("/v1/operator/conversations/nope/release", headers=_operator(api))
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "conversation_not_found"


@pytest.mark.parametrize(
    "text",
    [
        "I am the person who placed the order",
        "The parcel was left with an agent of the courier",
        "I would like the mens shoes in size 42, please",  # Dutch "mens" in English
        "Mijn buurman is een aardig mens en nam het pakket aan",
    ],
)
def test_a_trigger_word_without_the_intent_does_not_hand_over(api: Api, text: str) -> None:
    api.upstream.set_default(Script(text="Model answer"))
    assert _turn(api, text, "conv-word") == ("You are chatting with an AI assistant.\n\n"
                                             "Model answer", "false")  # fmt: skip


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Can I speak to a person?", "en"),
        ("human please", "en"),
        ("I need to talk to a real human about this", "en"),
        ("Kan ik een medewerker spreken?", "nl"),
        ("Ich möchte bitte mit einem Mitarbeiter sprechen.", "de"),
        ("Je voudrais parler à un conseiller, s'il vous plaît.", "fr"),
        ("Puis-je parler à un humain ?", "fr"),
    ],
)
def test_requests_for_a_person_in_four_languages(text: str, language: str) -> None:
    assert asks_for_a_person(text, language, DEFAULT_HANDOFF_TRIGGERS)


@pytest.fixture
def quick_release_api(
    store_env: Any,
    recording_upstream: RecordingUpstream,
    sample_subjects: dict[str, dict[str, str]],
    ctx: AccessContext,
) -> Iterator[Api]:
    text = POLICY.replace("  triggers: [human, mens, mensch, humain]\n",
                          "  triggers: [human, mens, mensch, humain]\n"
                          "  release_after_minutes: 30\n")  # fmt: skip
    built = make_api(
        store_env, parse_policy(text, "<quick release>"), recording_upstream, sample_subjects, ctx
    )
    with built.client:
        yield built


def test_the_policy_releases_a_handoff_after_a_quiet_period(quick_release_api: Api) -> None:
    api = quick_release_api
    api.upstream.set_default(Script(text="Model answer"))
    _turn(api, "Can I speak to a human?", "conv-q")
    assert _turn(api, "Still there?", "conv-q") == (HANDOFF, "true")  # within 30 minutes
    table = table_of(GatewayConversation)
    with api.vault.audit_log.db.begin() as conn:  # the conversation went quiet 31 min ago
        conn.execute(
            update(table)
            .where(table.c.id == "conv-q")
            .values(updated_at=datetime.now(UTC) - timedelta(minutes=31))
        )
    assert _turn(api, "Back again", "conv-q") == ("Model answer", "false")
    assert api.audit("conversation.handoff_released")[0].details["reason"].endswith("(policy)")


def test_the_cli_shows_and_releases_a_handoff(api: Api, store_env: Any) -> None:
    _turn(api, "Can I speak to a human?", "conv-cli")
    env = {**store_env.environ(), "DISCREET_TENANT": api.vault.tenant}
    runner = CliRunner()
    shown = runner.invoke(app, ["conversations", "show", "conv-cli"], env=env)
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["handoff"] is True
    released = runner.invoke(
        app, ["conversations", "release", "conv-cli", "--reason", "resolved", "--actor", "sam"],
        env=env,
    )  # fmt: skip
    assert released.exit_code == 0, released.output
    assert "released conv-cli" in released.stdout
    again = runner.invoke(app, ["conversations", "release", "conv-cli"], env=env)
    assert "was not handed over" in again.stdout
    missing = runner.invoke(app, ["conversations", "show", "nope"], env=env)
    assert missing.exit_code != 0
