"""Forgetting end to end: a real chat turn through the gateway, then close. The stored
transcript holds tokens only, the token map is gone, the conversation takes no more
turns, and the raw values are nowhere in the database files."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.api.conftest import Api, make_api, recording_upstream
from tests.support.upstream import RecordingUpstream, Script

from discreet.audit import AccessContext
from discreet.conversations.transcripts import TranscriptStore
from discreet.policy import Policy, parse_policy
from discreet.retention import ConversationCloser
from discreet.transform.rehydrate import rehydrate
from discreet.vault import VaultTokenStore
from discreet.vault.keystore import KeyStore

__all__ = ["recording_upstream"]

EMAIL = "marieke.oosterhout@voorbeeld.nl"
QUESTION = f"Hi, please mail {EMAIL} about my refund."


@pytest.fixture
def api(
    store_env: Any,
    recording_upstream: RecordingUpstream,
    sample_subjects: dict[str, dict[str, str]],
    ctx: AccessContext,
) -> Iterator[tuple[Api, Policy]]:
    from tests.api.conftest import POLICY

    policy = parse_policy(POLICY, "<test policy>")  # no retention rules: close forgets
    built = make_api(store_env, policy, recording_upstream, sample_subjects, ctx)
    with built.client:
        yield built, policy


def test_closed_conversation_is_forgotten(
    api: tuple[Api, Policy], store_env: Any, ctx: AccessContext
) -> None:
    client, policy = api
    client.upstream.set_default(Script(echo=True))
    first = client.chat(QUESTION, conversation="conv-forget")
    assert first.status_code == 200, first.text
    assert EMAIL in first.json()["choices"][0]["message"]["content"]

    data = store_env.data_db()
    stored = TranscriptStore(data, client.vault.tenant).messages("conv-forget")
    assert stored, "the gateway turn stores its pseudonymised transcript"
    assert all(EMAIL not in m.text for m in stored)
    assert any("[EMAIL_ADDRESS_1]" in m.text for m in stored)

    closer = ConversationCloser(
        data,
        KeyStore(store_env.keys_db(), store_env.master_key),
        policy,
        tenant=client.vault.tenant,
    )
    assert closer.close("conv-forget", ctx=ctx).token_map_destroyed

    assert client.vault.load_token_map("conv-forget", ctx=ctx) == {}
    restored = rehydrate("[EMAIL_ADDRESS_1]", "conv-forget", VaultTokenStore(client.vault))
    assert restored.text == "" and restored.unknown_tokens == ("[EMAIL_ADDRESS_1]",)
    again = client.chat("one more question", conversation="conv-forget")
    assert again.status_code == 409 and "conversation_closed" in again.text
    assert EMAIL.encode() not in store_env.raw_dump()
