"""Transcripts, history, closed conversations, the per-turn vault read and its cache:
what a turn stores (pseudonymised only), what the assistant sees of earlier
conversations, and that the speed-ups never change what reaches the upstream."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import delete, update
from tests.api.conftest import POLICY, Api, make_api
from tests.support.upstream import RecordingUpstream, Script

from discreet.audit import AccessContext
from discreet.conversations.models import GatewayConversation
from discreet.gateway.turn import HISTORY_PREFIX
from discreet.policy import parse_policy
from discreet.store.models import TokenMap, table_of

M = {
    "name": "Marieke van Oosterhout",
    "email": "marieke.oosterhout@voorbeeld.nl",
    "phone": "+31 6 48213577",
}
FIRST = f"Hi, this is {M['name']}, mail me at {M['email']} about my parcel."
LATER = f"Please call {M['phone']} instead."


def ok(response) -> str:
    assert response.status_code == 200, response.text
    return str(response.json()["choices"][0]["message"]["content"])


def test_a_turn_stores_its_messages_and_answer_pseudonymised_only(api: Api) -> None:
    api.upstream.set_default(Script(text="Thanks [PERSON_1], we will mail [EMAIL_ADDRESS_1]."))
    ok(api.chat(FIRST, conversation="conv-t1"))
    history = [
        {"role": "user", "content": FIRST},
        {"role": "assistant", "content": "Thanks, we will mail you."},
        {"role": "user", "content": LATER},
    ]
    ok(api.chat(history, conversation="conv-t1"))

    stored = api.gateway.states.transcripts.messages("conv-t1")
    # Each turn adds only its new customer message and the answer (clients resend the rest).
    assert [m.role for m in stored] == ["user", "assistant", "user", "assistant"]
    text = "\n".join(m.text for m in stored)
    assert "[PERSON_1]" in text and "[EMAIL_ADDRESS_1]" in text and "[PHONE_NUMBER_1]" in text
    for value in M.values():
        assert value not in text
    assert "+31" not in text


def test_earlier_conversations_are_re_tokenised_into_this_conversations_map(api: Api) -> None:
    api.upstream.set_default(Script(text="Noted, [PERSON_1]."))
    ok(api.chat(FIRST, conversation="conv-h1"))
    before = len(api.audit())
    answer = ok(api.chat("Where is my order?", conversation="conv-h2"))

    sent = api.upstream.bodies()[-1]["messages"]
    earlier = [m for m in sent if m["role"] == "system" and HISTORY_PREFIX in m["content"]]
    assert len(earlier) == 1
    # conv-h1's tokens, restored and tokenised again with conv-h2's map: the same person
    # is the same token as in this conversation's context.
    assert "user: Hi, this is [PERSON_1], mail me at [EMAIL_ADDRESS_1]" in earlier[0]["content"]
    assert "assistant: Noted, [PERSON_1]." in earlier[0]["content"]
    assert "Customer: name [PERSON_1]" in sent[0]["content"]
    assert answer.endswith(f"Noted, {M['name']}.")
    api.upstream.assert_never_received(*M.values())
    assert api.audit("gateway.turn")[-1].details["history_messages"] == 2
    # The earlier map was read once, audited under the assistant's purpose.
    reads = [e for e in api.audit()[before:] if e.action == "token_map.read"]
    assert len(reads) == 1 and reads[0].purpose == "customer_support"
    assert reads[0].details["conversations"] == 1

    # The next turn reuses the re-tokenised lines: same history, no second map read.
    before = len(api.audit())
    ok(api.chat("Where is my order?", conversation="conv-h2"))
    again = [m for m in api.upstream.bodies()[-1]["messages"] if HISTORY_PREFIX in m["content"]]
    assert again == earlier
    assert not [e for e in api.audit()[before:] if e.action == "token_map.read"]


def test_earlier_conversations_without_a_token_map_come_with_placeholders(api: Api) -> None:
    api.upstream.set_default(Script(text="Noted, [PERSON_1]."))
    ok(api.chat(FIRST, conversation="conv-p1"))
    maps = table_of(TokenMap)
    with api.vault.audit_log.db.begin() as conn:  # as closing or retention leaves it
        conn.execute(delete(maps).where(maps.c.conversation_id == "conv-p1"))
    ok(api.chat("Where is my order?", conversation="conv-p2"))

    sent = api.upstream.bodies()[-1]["messages"]
    earlier = [m for m in sent if m["role"] == "system" and HISTORY_PREFIX in m["content"]]
    assert "user: Hi, this is [PERSON], mail me at [EMAIL_ADDRESS]" in earlier[0]["content"]
    assert "assistant: Noted, [PERSON]." in earlier[0]["content"]
    api.upstream.assert_never_received(*M.values())


def test_the_history_is_what_came_before_this_conversation_began(api: Api) -> None:
    # A parallel conversation's later messages stay out: the context of a conversation
    # does not shift under it turn by turn (and the read starts where it began).
    api.upstream.set_default(Script(text="Noted."))
    ok(api.chat("My first question is about the invoice.", conversation="conv-p1"))
    ok(api.chat("Where is my order?", conversation="conv-p2"))
    ok(api.chat("And a second question about the refund.", conversation="conv-p1"))
    ok(api.chat("Any news?", conversation="conv-p2"))

    sent = api.upstream.bodies()[-1]["messages"]
    history = "\n".join(str(m["content"]) for m in sent if HISTORY_PREFIX in str(m["content"]))
    assert "first question is about the invoice" in history
    assert "second question about the refund" not in history


def test_the_history_read_searches_the_subjects_conversations_only(api: Api) -> None:
    # Every turn runs this read: it must not scan the tenant's conversations (thousands
    # of customers) or the current conversation's own messages.
    from discreet.conversations.states import _EARLIER

    database = api.gateway.states._db
    if not database.is_sqlite:
        pytest.skip("a SQLite query plan; PostgreSQL plans by its own statistics")
    compiled = _EARLIER.statement.compile(database.engine)
    params = compiled.construct_params(
        {
            "tenant": "t",
            "subject": "s",
            "since": datetime(2026, 1, 1, tzinfo=UTC),
            "before": datetime(2026, 2, 1, tzinfo=UTC),
            "exclude": "c",
            "assistant": "a",
            "limit": 10,
        }
    )
    args = tuple(params[name] for name in compiled.positiontup or ())
    with database.read() as conn:
        plan = " | ".join(
            str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", args)
        )
    assert "ix_gateway_conversations_subject" in plan, plan
    bounded = "(tenant=? AND subject_id=? AND created_at>? AND created_at<?)"
    assert f"ix_conversation_messages_subject {bounded}" in plan, plan


def test_another_customers_conversations_are_never_in_the_history(api: Api) -> None:
    from tests.api.conftest import BART

    api.upstream.set_default(Script(text="Noted."))
    ok(api.chat(FIRST, conversation="conv-o1"))
    ok(api.chat("Where is my order?", conversation="conv-o2", subject=BART))

    sent = api.upstream.bodies()[-1]["messages"]
    assert not any(HISTORY_PREFIX in str(m.get("content")) for m in sent)


def test_another_assistants_conversations_are_never_in_the_history(api: Api) -> None:
    api.upstream.set_default(Script(text="Noted."))
    ok(api.chat("Refund to NL02ABNA0123456789 please.", conversation="conv-b1", key="billing"))
    ok(api.chat("Where is my order?", conversation="conv-b2"))

    sent = api.upstream.bodies()[-1]["messages"]
    assert not any(HISTORY_PREFIX in str(m.get("content")) for m in sent)


def test_a_zero_day_history_window_shows_no_earlier_conversation(
    store_env: Any,
    recording_upstream: RecordingUpstream,
    sample_subjects: dict[str, dict[str, str]],
    ctx: AccessContext,
) -> None:
    text = POLICY.replace(
        "    purposes: [customer_support]\n",
        "    purposes: [customer_support]\n    history_window_days: 0\n",
        1,
    )
    policy = parse_policy(text, "<no history policy>")
    assert policy.assistants["support"].history_window_days == 0
    api = make_api(store_env, policy, recording_upstream, sample_subjects, ctx)
    with api.client:
        api.upstream.set_default(Script(text="Noted."))
        ok(api.chat(FIRST, conversation="conv-w1"))
        ok(api.chat("Where is my order?", conversation="conv-w2"))

    sent = api.upstream.bodies()[-1]["messages"]
    assert not any(HISTORY_PREFIX in str(m.get("content")) for m in sent)
    assert len(api.gateway.states.transcripts.messages("conv-w1")) == 2  # still stored


def test_a_closed_conversation_refuses_new_turns_and_nothing_goes_upstream(api: Api) -> None:
    api.upstream.set_default(Script(text="Hi"))
    ok(api.chat("Hello", conversation="conv-c1"))
    table = table_of(GatewayConversation)
    with api.vault.audit_log.db.begin() as conn:
        conn.execute(
            update(table).where(table.c.id == "conv-c1").values(closed_at=datetime.now(UTC))
        )

    refused = api.chat("Hello again", conversation="conv-c1")

    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "conversation_closed" and "new conversation" in error["message"]
    assert len(api.upstream.requests) == 1
    assert api.audit("gateway.turn")[-1].details["reason"] == "conversation_closed"


def test_a_later_turn_reads_the_vault_once_and_audits_every_field_it_decrypted(
    api: Api,
) -> None:
    api.upstream.set_default(Script(text="Hi [PERSON_1]"))
    ok(api.chat(FIRST, conversation="conv-v1"))
    before = len(api.audit())

    ok(api.chat(FIRST, conversation="conv-v1"))

    new = api.audit()[before:]
    reads = [e for e in new if e.action == "subject.read"]
    assert [e.action for e in new if e.action.startswith(("subject.", "token_map.", "conv"))] == [
        "subject.read"
    ]
    read = reads[0]
    assert read.actor == "support" and read.purpose == "customer_support"
    assert {"name", "email", "phone"} <= set(read.fields)
    # Identifiers the assistant may not see are read for detection only, and say so.
    assert "iban" in read.fields and "iban" in str(read.details["detection_only_fields"])
    assert "financial" in read.categories


def test_the_cache_never_changes_what_reaches_the_upstream(api: Api) -> None:
    api.upstream.set_default(Script(echo=True))
    first = ok(api.chat(FIRST, conversation="conv-k1"))
    assert len(api.gateway.cache) > 0
    second = ok(api.chat(FIRST, conversation="conv-k1"))

    bodies = api.upstream.bodies()
    assert bodies[0]["messages"][1:] == bodies[1]["messages"][1:]
    assert first.endswith(FIRST) and second == FIRST  # rehydrated; disclosure once
    api.upstream.assert_never_received(*M.values())


def test_a_cached_text_is_pseudonymised_again_once_its_tokens_are_gone(api: Api) -> None:
    from discreet.audit import SYSTEM_PSEUDONYMISATION

    api.upstream.set_default(Script(echo=True))
    ok(api.chat(FIRST, conversation="conv-k2"))
    # The token map is replaced (as by closing and reopening, or another writer): the
    # cached results name tokens that no longer map to their values.
    api.vault.save_token_map("conv-k2", {"[PERSON_1]": "Someone Else"}, ctx=SYSTEM_PSEUDONYMISATION)

    answer = ok(api.chat(FIRST, conversation="conv-k2"))

    sent = api.upstream.bodies()[-1]["messages"][-1]["content"]
    assert "[PERSON_2]" in sent and M["name"] not in sent
    assert answer == FIRST  # the customer still gets their own words back
