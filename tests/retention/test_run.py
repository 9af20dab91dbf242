"""The retention run: what is due goes, what is held stays and is reported, dry runs touch
nothing, and the audit chain still verifies after pruning."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select
from tests.retention.conftest import Parts, policy_with

from discreet.audit import AccessContext
from discreet.audit.log import AuditLog
from discreet.conversations.models import ConversationMessage
from discreet.rights.holds import release_hold, set_hold
from discreet.store.models import AuditRecord, SubjectField, table_of
from discreet.vault import SubjectNotFound
from discreet.vault.keystore import KeyKind

ALICE, BOB = "CUST-48213", "CUST-77120"
MESSAGES = table_of(ConversationMessage)
FIELDS = table_of(SubjectField)
LOG = table_of(AuditRecord)


def _count(parts: Parts, table: object) -> int:
    with parts.data.begin() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def _old_and_new_messages(parts: Parts, ctx: AccessContext) -> tuple[str, str]:
    """Alice's conversation of 100 days ago and Bob's of yesterday (90-day default)."""
    alice = parts.vault.bind_conversation("old-chat", ALICE, ctx=ctx)
    bob = parts.vault.bind_conversation("new-chat", BOB, ctx=ctx)
    now = parts.clock()
    parts.transcripts.append(
        "old-chat",
        [("user", "hi [PERSON_1]"), ("assistant", "ok")],
        now - timedelta(days=100),
        subject=alice,
    )
    parts.transcripts.append("new-chat", [("user", "hello")], now - timedelta(days=1), subject=bob)
    return alice, bob


def test_dry_run_reports_but_changes_nothing(parts: Parts, ctx: AccessContext) -> None:
    _old_and_new_messages(parts, ctx)
    parts.clock.advance(days=400)  # every field is past its (365-day) default too
    before = (_count(parts, MESSAGES), _count(parts, FIELDS), AuditLog(parts.data).head())

    outcome = parts.runner(policy_with()).run(dry_run=True)

    assert outcome.dry_run
    assert outcome.count("conversation_messages").deleted == 3
    assert outcome.count("subject_fields", "contact").deleted == 4  # 2 subjects x email, phone
    assert outcome.count("subjects").deleted == 2
    after = (_count(parts, MESSAGES), _count(parts, FIELDS), AuditLog(parts.data).head())
    assert after == before
    assert parts.vault.get_subject(ALICE, ctx=ctx).fields["email"]


def test_messages_past_retention_are_deleted_in_audited_batches(
    parts: Parts, ctx: AccessContext
) -> None:
    for day in range(7):
        parts.transcripts.append(
            f"c{day}",
            [("user", "x"), ("assistant", "y")],
            parts.clock() - timedelta(days=100 - day),
        )
    parts.transcripts.append("recent", [("user", "keep me")], parts.clock())

    outcome = parts.runner(policy_with(), batch_size=4).run()

    assert outcome.count("conversation_messages").deleted == 14
    assert [m.text for m in parts.transcripts.messages("recent")] == ["keep me"]
    assert _count(parts, MESSAGES) == 1
    entries = list(AuditLog(parts.data).entries())
    batches = [e for e in entries if e.action == "retention.delete"]
    assert [e.details["deleted"] for e in batches] == [4, 4, 4, 2]
    summary = [e for e in entries if e.action == "retention.run"]
    assert summary[-1].details["conversation_messages.deleted"] == 14
    assert AuditLog(parts.data).verify().ok


def test_policy_rule_sets_the_message_retention(parts: Parts, ctx: AccessContext) -> None:
    _old_and_new_messages(parts, ctx)
    policy = policy_with("retention:\n  - record: conversation_messages\n    days: 730\n")
    assert parts.runner(policy).run().count("conversation_messages").deleted == 0
    assert _count(parts, MESSAGES) == 3


def test_subject_hold_keeps_its_data_and_is_reported(
    parts: Parts, ctx: AccessContext, officer: AccessContext
) -> None:
    alice, _bob = _old_and_new_messages(parts, ctx)
    parts.vault.save_token_map("old-chat", {"[PERSON_1]": "Marieke"}, ctx=ctx)
    hold = set_hold(
        parts.data, tenant="default", reason="court order 17", ctx=officer, subject_id=alice
    )
    parts.clock.advance(days=400)

    outcome = parts.runner(policy_with()).run()

    assert [h.id for h in outcome.holds] == [hold.id]
    assert outcome.holds[0].reason == "court order 17" and outcome.holds[0].set_by == "dpo-1"
    assert outcome.count("conversation_messages").held == 2
    assert outcome.count("conversation_messages").deleted == 1  # Bob's
    assert outcome.count("token_maps").held == 1
    assert outcome.count("subjects").deleted == 1  # Bob erased, Alice held
    assert parts.vault.get_subject(ALICE, ctx=ctx).fields["name"] == "Marieke van Oosterhout"
    assert parts.vault.load_token_map("old-chat", ctx=ctx) == {"[PERSON_1]": "Marieke"}
    assert len(parts.transcripts.messages("old-chat")) == 2
    with pytest.raises(SubjectNotFound):
        parts.vault.get_subject(BOB, ctx=ctx)

    release_hold(parts.data, hold.id, tenant="default", ctx=officer)
    after = parts.runner(policy_with()).run()
    assert after.holds == () and after.count("subjects").deleted == 1
    assert parts.transcripts.messages("old-chat") == []


def test_conversation_hold_keeps_only_that_conversation(
    parts: Parts, ctx: AccessContext, officer: AccessContext
) -> None:
    for cid in ("held-chat", "free-chat"):
        parts.transcripts.append(cid, [("user", "x")], parts.clock() - timedelta(days=200))
    set_hold(
        parts.data, tenant="default", reason="complaint 9", ctx=officer, conversation_id="held-chat"
    )
    outcome = parts.runner(policy_with()).run()
    assert outcome.count("conversation_messages").deleted == 1
    assert outcome.count("conversation_messages").held == 1
    assert len(parts.transcripts.messages("held-chat")) == 1


def test_subject_fields_expire_per_category_and_empty_subjects_are_shredded(
    parts: Parts, ctx: AccessContext
) -> None:
    alice = parts.vault.subject_id(ALICE, ctx=ctx)
    policy = policy_with(
        "retention:\n"
        "  - record: subject_fields\n    days: 365\n"
        "  - record: subject_fields\n    category: financial\n    days: 2555\n"
    )
    parts.clock.advance(days=366)
    outcome = parts.runner(policy).run()
    assert outcome.count("subject_fields", "financial").deleted == 0
    assert outcome.count("subject_fields", "contact").deleted == 4
    assert outcome.count("subjects").deleted == 0
    view = parts.vault.get_subject(ALICE, ctx=ctx)
    assert set(view.fields) == {"iban"}

    parts.clock.advance(days=2555)
    assert parts.runner(policy).run().count("subjects").deleted == 2
    with pytest.raises(SubjectNotFound):
        parts.vault.get_subject(ALICE, ctx=ctx)
    assert parts.keys.get("default", KeyKind.SUBJECT, alice) is None


def test_audit_records_are_kept_without_an_explicit_rule(parts: Parts) -> None:
    parts.clock.advance(days=4000)
    outcome = parts.runner(policy_with()).run()
    assert outcome.count("audit_records").deleted == 0
    assert next(AuditLog(parts.data).entries()).seq == 1


def test_audit_pruning_keeps_the_chain_verifiable(parts: Parts, ctx: AccessContext) -> None:
    log = AuditLog(parts.data)
    old = log.head()[0]
    assert old > 0
    parts.clock.advance(days=31)
    policy = policy_with("retention:\n  - record: audit_records\n    days: 30\n")

    assert parts.runner(policy).run(dry_run=True).count("audit_records").deleted == old
    assert next(log.entries()).seq == 1

    outcome = parts.runner(policy).run()

    assert outcome.count("audit_records").deleted == old
    entries = list(log.entries())
    assert entries[0].seq == old + 1 and entries[0].action == "audit.pruned"
    assert entries[0].details["pruned_through_seq"] == old
    result = log.verify()
    assert result.ok, result.reason
    # Later records (and a second pruning) keep it verifiable.
    parts.vault.get_subject(ALICE, ctx=ctx)
    parts.clock.advance(days=31)
    parts.runner(policy).run()
    assert log.verify().ok
    # Deleting a record past the anchor is still found.
    first = next(log.entries()).seq
    with parts.data.begin() as conn:
        conn.execute(delete(LOG).where(LOG.c.seq == first + 1))
    assert not log.verify().ok


def test_audit_pruning_stops_before_a_held_subjects_records(
    parts: Parts, ctx: AccessContext, officer: AccessContext
) -> None:
    bob = parts.vault.subject_id(BOB, ctx=ctx)
    first_about_bob = min(e.seq for e in AuditLog(parts.data).entries() if e.subject == bob)
    set_hold(parts.data, tenant="default", reason="audit inquiry", ctx=officer, subject_id=bob)
    parts.clock.advance(days=31)
    policy = policy_with("retention:\n  - record: audit_records\n    days: 30\n")
    outcome = parts.runner(policy).run()
    assert outcome.count("audit_records").deleted == first_about_bob - 1
    assert any(
        e.subject == bob and e.seq == first_about_bob for e in AuditLog(parts.data).entries()
    )
    assert AuditLog(parts.data).verify().ok


def test_closed_conversation_records_go_after_their_messages(
    parts: Parts, ctx: AccessContext
) -> None:
    parts.transcripts.append("done", [("user", "x")], parts.clock())
    parts.turn("done")
    parts.closer(policy_with()).close("done", ctx=ctx)
    parts.clock.advance(days=91)
    outcome = parts.runner(policy_with()).run()
    assert outcome.count("conversation_messages").deleted == 1
    assert outcome.count("conversations").deleted == 1
    assert parts.states.get("done") is None
