"""Reveal grants: what one person may see, until when; and the subject-data protocol of
their holder (export, erase keeping held rows, expire, forecast)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.consent.fakes import FakeClock

from discreet.console.errors import AccountInputError
from discreet.console.reveals import KIND, RevealGrants
from discreet.subjectdata import NOTHING_HELD, Held, SubjectData, SubjectScope

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def grants(store_env: Any, fake_clock: FakeClock) -> RevealGrants:
    return RevealGrants(store_env.data_db(), clock=fake_clock)


def _grant(grants: RevealGrants, **target: str) -> int:
    return grants.grant(
        "t1",
        "lead",
        item=target.pop("item", "[PERSON_1]"),
        reason="complaint_investigation",
        note="ticket 4711",
        minutes=10,
        **target,
    ).id


def test_a_grant_covers_one_person_one_target_until_it_expires(
    grants: RevealGrants, fake_clock: FakeClock
) -> None:
    _grant(grants, conversation_id="c1")
    assert [g.item for g in grants.active("t1", "lead", conversation_id="c1")] == ["[PERSON_1]"]
    assert grants.active("t1", "other", conversation_id="c1") == []
    assert grants.active("t1", "lead", conversation_id="c2") == []
    assert grants.active("t2", "lead", conversation_id="c1") == []
    fake_clock.advance(minutes=10)
    assert grants.active("t1", "lead", conversation_id="c1") == []


def test_a_grant_needs_a_known_reason_and_a_note(grants: RevealGrants) -> None:
    with pytest.raises(AccountInputError, match="unknown reason"):
        grants.grant(
            "t1", "lead", item="x", reason="curiosity", note="n", minutes=5, subject_id="s"
        )
    with pytest.raises(AccountInputError, match="note"):
        grants.grant(
            "t1", "lead", item="x", reason="fraud_check", note="  ", minutes=5, subject_id="s"
        )
    with pytest.raises(ValueError, match="subject's field or a conversation"):
        grants.grant("t1", "lead", item="x", reason="fraud_check", note="n", minutes=5)


def test_holder_protocol(grants: RevealGrants, fake_clock: FakeClock) -> None:
    assert isinstance(grants, SubjectData)
    assert grants.name == KIND and grants.tables == ("console_reveal_grants",)
    _grant(grants, subject_id="subj-a", item="email")
    _grant(grants, conversation_id="conv-a")
    _grant(grants, conversation_id="conv-held")
    _grant(grants, subject_id="subj-b", item="email")
    scope = SubjectScope("t1", "subj-a", frozenset({"conv-a", "conv-held"}))
    exported = grants.export(scope)
    assert {(g["subject_id"], g["conversation_id"]) for g in exported} == {
        ("subj-a", None),
        (None, "conv-a"),
        (None, "conv-held"),
    }
    assert all(g["note"] == "ticket 4711" for g in exported)
    assert grants.erase(scope, Held(conversations=frozenset({"conv-held"}))) == 2
    assert [g["conversation_id"] for g in grants.export(scope)] == ["conv-held"]
    assert grants.erase(scope, Held(conversations=frozenset({"conv-held"}))) == 0  # repeatable
    other = SubjectScope("t1", "subj-b")
    assert len(grants.export(other)) == 1

    def days(kind: str, category: str | None) -> int | None:
        assert (kind, category) == (KIND, None)
        return 30

    now = NOW + timedelta(days=20)
    lines = grants.forecast("t1", now, 30, days, NOTHING_HELD)
    assert [(d.on, d.count) for d in lines] == [((NOW + timedelta(days=30)).date(), 2)]
    assert grants.expire("t1", now, days, NOTHING_HELD)[0].deleted == 0
    later = NOW + timedelta(days=31)
    held = Held(subjects=frozenset({"subj-b"}))
    dry = grants.expire("t1", later, days, held, dry_run=True)
    assert (dry[0].deleted, dry[0].held) == (1, 1)
    assert len(grants.export(scope)) == 1  # a dry run deletes nothing
    done = grants.expire("t1", later, days, held)
    assert (done[0].deleted, done[0].held) == (1, 1)
    assert grants.export(scope) == [] and len(grants.export(other)) == 1
    assert grants.expire("t1", later, lambda k, c: None, NOTHING_HELD) == []
