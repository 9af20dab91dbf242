"""Closing a conversation forgets it: the token map goes, the transcript stays pseudonymised."""

from __future__ import annotations

import pytest
from tests.retention.conftest import Parts, policy_with

from discreet.audit import AccessContext
from discreet.policy import BUILTIN_SOURCE, builtin_policy_text, parse_policy
from discreet.policy.vocabulary import RecordKind
from discreet.retention import ConversationNotFound, is_closed
from discreet.rights.holds import set_hold
from discreet.transform.rehydrate import rehydrate
from discreet.vault import VaultTokenStore

RAW_NAME = "Marieke van Oosterhout"
RAW_MAIL = "marieke.oosterhout@voorbeeld.nl"


def _chat(parts: Parts, conversation_id: str, ctx: AccessContext, *, bind: bool = True) -> None:
    """A conversation as the gateway leaves it: bound, with a token map holding real values,
    a pseudonymised transcript and a state row."""
    subject = (
        parts.vault.bind_conversation(conversation_id, "CUST-48213", ctx=ctx) if bind else None
    )
    parts.vault.save_token_map(
        conversation_id, {"[PERSON_1]": RAW_NAME, "[EMAIL_ADDRESS_1]": RAW_MAIL}, ctx=ctx
    )
    parts.transcripts.append(
        conversation_id,
        [("user", "I am [PERSON_1], mail [EMAIL_ADDRESS_1]"), ("assistant", "Hi [PERSON_1]")],
        parts.clock(),
        subject=subject,
    )
    parts.turn(conversation_id, subject)


@pytest.mark.parametrize("bind", [True, False], ids=["bound", "anonymous"])
def test_close_destroys_the_token_map_and_keeps_only_pseudonyms(
    parts: Parts, ctx: AccessContext, bind: bool
) -> None:
    _chat(parts, "chat-1", ctx, bind=bind)
    store = VaultTokenStore(parts.vault)
    assert rehydrate("Hi [PERSON_1]", "chat-1", store).text == f"Hi {RAW_NAME}"

    outcome = parts.closer(policy_with()).close("chat-1", ctx=ctx)

    assert outcome.token_map_destroyed and not outcome.already_closed and not outcome.held
    assert is_closed(parts.data, "default", "chat-1")
    assert parts.vault.load_token_map("chat-1", ctx=ctx) == {}
    restored = rehydrate("Hi [PERSON_1]", "chat-1", store)
    assert RAW_NAME not in restored.text and restored.unknown_tokens == ("[PERSON_1]",)
    assert [m.text for m in parts.transcripts.messages("chat-1")] == [
        "I am [PERSON_1], mail [EMAIL_ADDRESS_1]",
        "Hi [PERSON_1]",
    ]
    # On disk (SQLite files with WAL, or a pg_dump): the conversation's values appear
    # nowhere; the transcript holds tokens only.
    dump = parts.env.raw_dump()
    assert b"[EMAIL_ADDRESS_1]" in dump
    assert RAW_MAIL.encode() not in dump


def test_close_is_idempotent_and_audited(parts: Parts, ctx: AccessContext) -> None:
    _chat(parts, "chat-1", ctx)
    closer = parts.closer(policy_with())
    first = closer.close("chat-1", ctx=ctx)
    parts.clock.advance(hours=1)
    again = closer.close("chat-1", ctx=ctx)
    assert again.already_closed and again.closed_at == first.closed_at
    closes = [e for e in parts.vault.audit_log.entries() if e.action == "conversation.close"]
    assert [e.details["token_map_destroyed"] for e in closes] == [True, False]
    assert closes[0].subject is not None and closes[0].actor == ctx.actor


def test_unknown_conversation_cannot_be_closed(parts: Parts, ctx: AccessContext) -> None:
    with pytest.raises(ConversationNotFound):
        parts.closer(policy_with()).close("never-seen", ctx=ctx)
    assert not is_closed(parts.data, "default", "never-seen")


def test_a_token_maps_retention_rule_alone_does_not_keep_maps_after_close(
    parts: Parts, ctx: AccessContext
) -> None:
    # The example policy's `token_maps: 90` bounds maps of conversations never closed; it
    # is not a request to keep the maps of closed ones.
    policy = policy_with("retention:\n  - record: token_maps\n    days: 90\n")
    _chat(parts, "chat-1", ctx)
    outcome = parts.closer(policy).close("chat-1", ctx=ctx)
    assert outcome.token_map_destroyed and outcome.token_map_kept_until is None
    assert parts.vault.load_token_map("chat-1", ctx=ctx) == {}


def test_the_example_policy_forgets_on_close(parts: Parts, ctx: AccessContext) -> None:
    policy = parse_policy(builtin_policy_text(), BUILTIN_SOURCE)
    assert policy.retention_days(RecordKind.TOKEN_MAPS) == 90
    _chat(parts, "chat-1", ctx)
    assert parts.closer(policy).close("chat-1", ctx=ctx).token_map_destroyed
    assert parts.vault.load_token_map("chat-1", ctx=ctx) == {}


def test_policy_keeps_token_maps_for_its_days_after_close(parts: Parts, ctx: AccessContext) -> None:
    policy = policy_with("retention:\n  - record: token_maps\n    days: 30\n", keep_maps=7)
    _chat(parts, "chat-1", ctx)
    outcome = parts.closer(policy).close("chat-1", ctx=ctx)
    assert not outcome.token_map_destroyed and outcome.token_map_kept_until is not None
    assert parts.vault.load_token_map("chat-1", ctx=ctx)["[PERSON_1]"] == RAW_NAME

    parts.clock.advance(days=6)
    assert parts.runner(policy).run().count("token_maps").deleted == 0
    parts.clock.advance(days=2)
    assert parts.runner(policy).run().count("token_maps").deleted == 1
    assert parts.vault.load_token_map("chat-1", ctx=ctx) == {}


def test_a_held_conversation_keeps_its_token_map(
    parts: Parts, ctx: AccessContext, officer: AccessContext
) -> None:
    _chat(parts, "chat-1", ctx)
    set_hold(
        parts.data,
        tenant="default",
        reason="litigation 2027-04",
        ctx=officer,
        conversation_id="chat-1",
    )
    outcome = parts.closer(policy_with()).close("chat-1", ctx=ctx)
    assert outcome.held and not outcome.token_map_destroyed
    assert is_closed(parts.data, "default", "chat-1")
    assert parts.vault.load_token_map("chat-1", ctx=ctx)["[PERSON_1]"] == RAW_NAME


def test_idle_conversations_are_closed_by_the_run(parts: Parts, ctx: AccessContext) -> None:
    policy = policy_with(idle_minutes=30)
    _chat(parts, "idle", ctx)
    parts.clock.advance(minutes=20)
    assert parts.runner(policy).run().count("idle_conversations").deleted == 0
    assert not is_closed(parts.data, "default", "idle")

    parts.clock.advance(minutes=11)
    dry = parts.runner(policy).run(dry_run=True)
    assert dry.count("idle_conversations").deleted == 1
    assert not is_closed(parts.data, "default", "idle")

    outcome = parts.runner(policy).run()
    assert outcome.count("idle_conversations").deleted == 1
    assert is_closed(parts.data, "default", "idle")
    assert parts.vault.load_token_map("idle", ctx=ctx) == {}
