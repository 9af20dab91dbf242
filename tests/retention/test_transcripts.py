"""Stored transcripts: order, attribution, the history window, and the turn's transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.conftest import StoreEnv

from discreet.conversations.transcripts import TranscriptError, TranscriptStore, neutralise_tokens

T0 = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def transcripts(store_env: StoreEnv) -> TranscriptStore:
    return TranscriptStore(store_env.data_db(), "default")


def test_append_numbers_messages_in_order_across_turns(transcripts: TranscriptStore) -> None:
    assert (
        transcripts.append("c1", [("user", "Hi I am [PERSON_1]"), ("assistant", "Hello")], T0) == 2
    )
    assert transcripts.append("c1", [("user", "bye")], T0 + timedelta(minutes=1)) == 3
    stored = transcripts.messages("c1")
    assert [(m.seq, m.role, m.text) for m in stored] == [
        (1, "user", "Hi I am [PERSON_1]"),
        (2, "assistant", "Hello"),
        (3, "user", "bye"),
    ]
    assert stored[0].created_at == T0


def test_append_refuses_unknown_roles_without_echoing_text(transcripts: TranscriptStore) -> None:
    with pytest.raises(TranscriptError) as info:
        transcripts.append("c1", [("user", "ok"), ("customer", "secret words")], T0)
    assert "message 1" in str(info.value)
    assert "secret words" not in str(info.value)
    assert transcripts.messages("c1") == []


def test_append_joins_the_callers_transaction(store_env: StoreEnv) -> None:
    db = store_env.data_db()
    transcripts = TranscriptStore(db, "default")
    with pytest.raises(RuntimeError), db.begin() as conn:
        transcripts.append("c1", [("user", "hello")], T0, conn=conn)
        raise RuntimeError("the turn failed after storing")
    assert transcripts.messages("c1") == []


def test_binding_attributes_earlier_anonymous_messages(transcripts: TranscriptStore) -> None:
    transcripts.append("c1", [("user", "anonymous question")], T0)
    transcripts.append("c1", [("user", "I am [PERSON_1]")], T0, subject="subj-a")
    history = transcripts.history(subject="subj-a", limit=10, current_conversation="c1")
    assert [m.text for m in history] == ["anonymous question", "I am [PERSON_1]"]


def test_history_window_is_the_newest_messages_since_oldest_first(
    transcripts: TranscriptStore,
) -> None:
    transcripts.append("old", [("user", "too old")], T0 - timedelta(days=100), subject="s")
    for day in range(5):
        transcripts.append("c1", [("user", f"day {day}")], T0 + timedelta(days=day), subject="s")
    transcripts.append("other", [("user", "someone else")], T0, subject="t")
    history = transcripts.history(
        subject="s", since=T0 - timedelta(days=90), limit=3, current_conversation="c1"
    )
    assert [m.text for m in history] == ["day 2", "day 3", "day 4"]


def test_history_neutralises_tokens_of_other_conversations(transcripts: TranscriptStore) -> None:
    transcripts.append(
        "earlier", [("user", "I am [PERSON_1], mail [EMAIL_ADDRESS_2]")], T0, subject="s"
    )
    transcripts.append("now", [("user", "I am [PERSON_1]")], T0 + timedelta(hours=1), subject="s")
    history = transcripts.history(subject="s", limit=10, current_conversation="now")
    assert [m.text for m in history] == ["I am [PERSON], mail [EMAIL_ADDRESS]", "I am [PERSON_1]"]


def test_history_can_leave_the_current_conversation_out(transcripts: TranscriptStore) -> None:
    transcripts.append("earlier", [("user", "old [PERSON_1]")], T0, subject="s")
    for minute in range(3):
        transcripts.append(
            "now", [("user", f"new {minute}")], T0 + timedelta(minutes=minute), subject="s"
        )
    history = transcripts.history(subject="s", limit=2, exclude_conversation="now")
    assert [m.text for m in history] == ["old [PERSON]"]


def test_history_by_conversation_ids(transcripts: TranscriptStore) -> None:
    transcripts.append("a", [("user", "in a")], T0)
    transcripts.append("b", [("user", "in b")], T0)
    history = transcripts.history(conversation_ids=["b"], limit=5, current_conversation="b")
    assert [m.text for m in history] == ["in b"]
    with pytest.raises(TranscriptError):
        transcripts.history(limit=5)


def test_delete_conversation_and_subject(transcripts: TranscriptStore) -> None:
    transcripts.append("a", [("user", "x"), ("assistant", "y")], T0, subject="s")
    transcripts.append("b", [("user", "z")], T0, subject="s")
    transcripts.append("c", [("user", "w")], T0, subject="t")
    assert transcripts.delete_conversation("a") == 2
    assert transcripts.delete_subject("s") == 1
    assert [m.text for m in transcripts.messages("c")] == ["w"]


def test_neutralise_tokens_keeps_plain_brackets() -> None:
    assert neutralise_tokens("[ORDER_ID_12] and [note] and [NL_BSN_3]") == (
        "[ORDER_ID] and [note] and [NL_BSN]"
    )
