"""Consent history, current state, validation, audit, and export filtering."""

from __future__ import annotations

import pytest
from tests.consent.fakes import FakeClock

from discreet.audit import AccessContext
from discreet.consent import ConsentService, ConsentState, LimitKind, subjects_with_grant
from discreet.vault import SubjectNotFound

ALICE, BOB = "CUST-48213", "CUST-77120"


def test_grant_withdraw_and_history(
    consent: ConsentService, clerk: AccessContext, clock: FakeClock
) -> None:
    first = consent.record(
        ALICE,
        "model_training",
        ConsentState.GRANTED,
        notice_version="2027-01",
        channel="web_form",
        ctx=clerk,
    )
    clock.advance(days=3)
    consent.record(
        ALICE,
        "model_training",
        ConsentState.WITHDRAWN,
        notice_version="2027-01",
        channel="phone",
        ctx=clerk,
    )
    clock.advance(days=1)
    consent.record(
        ALICE,
        "analytics",
        ConsentState.GRANTED,
        notice_version="2027-02",
        channel="app",
        ctx=clerk,
    )

    overview = consent.show(ALICE, ctx=clerk)
    assert [(r.purpose, r.state) for r in overview.history] == [
        ("model_training", ConsentState.GRANTED),
        ("model_training", ConsentState.WITHDRAWN),
        ("analytics", ConsentState.GRANTED),
    ]
    assert overview.current["model_training"].state is ConsentState.WITHDRAWN
    assert overview.current["model_training"].channel == "phone"
    assert overview.current["analytics"].notice_version == "2027-02"
    assert all(r.recorded_by == "clerk-3" for r in overview.history)
    assert first.recorded_at.isoformat() == "2027-01-31T09:30:00+00:00"
    assert overview.history[1].recorded_at.isoformat() == "2027-02-03T09:30:00+00:00"
    registry = consent.registry
    assert not registry.has_grant(overview.subject_id, "model_training")
    assert registry.has_grant(overview.subject_id, "analytics")
    # Granting again after a withdrawal is one more record: the history keeps all.
    consent.record(
        ALICE,
        "model_training",
        ConsentState.GRANTED,
        notice_version="2027-02",
        channel="app",
        ctx=clerk,
    )
    assert registry.has_grant(overview.subject_id, "model_training")
    assert len(registry.history(overview.subject_id, "model_training")) == 3


def test_consent_changes_are_audited_by_pseudonym_only(
    consent: ConsentService, clerk: AccessContext
) -> None:
    consent.record(
        ALICE, "analytics", ConsentState.GRANTED, notice_version="v1", channel="web", ctx=clerk
    )
    consent.record(
        ALICE, "analytics", ConsentState.WITHDRAWN, notice_version="v1", channel="web", ctx=clerk
    )
    subject_id = consent.vault.subject_id(ALICE, ctx=clerk)
    entries = [e for e in consent.vault.audit_log.entries() if e.action.startswith("consent.")]
    assert [e.action for e in entries] == ["consent.grant", "consent.withdraw"]
    assert {e.subject for e in entries} == {subject_id}
    assert all(ALICE not in str(e.as_dict()) for e in consent.vault.audit_log.entries())
    assert consent.vault.audit_log.verify().ok


def test_unknown_purpose_channel_and_subject_are_refused(
    consent: ConsentService, clerk: AccessContext
) -> None:
    with pytest.raises(ValueError, match="unknown purpose 'marketing'"):
        consent.record(
            ALICE,
            "marketing",
            ConsentState.GRANTED,
            notice_version="v1",
            channel="web",
            ctx=clerk,
        )
    with pytest.raises(ValueError, match="channel must be"):
        consent.record(
            ALICE,
            "analytics",
            ConsentState.GRANTED,
            notice_version="v1",
            channel="said so on the phone",
            ctx=clerk,
        )
    with pytest.raises(SubjectNotFound):
        consent.record(
            "CUST-00000",
            "analytics",
            ConsentState.GRANTED,
            notice_version="v1",
            channel="web",
            ctx=clerk,
        )
    assert consent.registry.subjects_with_grant("analytics") == frozenset()


def test_exports_leave_out_subjects_without_a_current_grant(
    consent: ConsentService, clerk: AccessContext, sample_subjects: dict[str, dict[str, str]]
) -> None:
    consent.vault.put_subject("CUST-99001", {"email": "c3@example.org"}, ctx=clerk)
    alice = consent.vault.subject_id(ALICE, ctx=clerk)
    bob = consent.vault.subject_id(BOB, ctx=clerk)
    carol = consent.vault.subject_id("CUST-99001", ctx=clerk)
    for ref in (ALICE, BOB):
        consent.record(
            ref,
            "model_training",
            ConsentState.GRANTED,
            notice_version="v1",
            channel="web",
            ctx=clerk,
        )
    consent.record(
        BOB,
        "model_training",
        ConsentState.WITHDRAWN,
        notice_version="v1",
        channel="web",
        ctx=clerk,
    )
    consent.record(  # a grant for another purpose does not count
        "CUST-99001",
        "analytics",
        ConsentState.GRANTED,
        notice_version="v1",
        channel="web",
        ctx=clerk,
    )
    registry = consent.registry
    assert registry.subjects_with_grant("model_training") == {alice}
    assert registry.subjects_with_grant("analytics") == {carol}

    conversations = [("c1", alice), ("c2", bob), ("c3", carol), ("c4", None), ("c5", alice)]
    kept = list(registry.filter_for_export(conversations, "model_training", lambda c: c[1]))
    assert kept == [("c1", alice), ("c5", alice)]
    assert subjects_with_grant(registry.db, "model_training") == {alice}

    # The export filter also leaves out restricted and objecting subjects.
    gate = consent.gate
    assert list(gate.filter_for_export(conversations, "analytics", lambda c: c[1])) == [
        ("c3", carol)
    ]
    consent.limits.set(
        carol, LimitKind.OBJECTION, purpose="analytics", reason="objection", ctx=clerk
    )
    assert gate.subjects_for_export("analytics") == frozenset()
    consent.limits.set(alice, LimitKind.OBJECTION, purpose="billing", reason="objection", ctx=clerk)
    assert gate.subjects_for_export("model_training") == {alice}  # another purpose
    consent.limits.set(alice, LimitKind.RESTRICTION, reason="accuracy contested", ctx=clerk)
    assert list(gate.filter_for_export(conversations, "model_training", lambda c: c[1])) == []
    consent.limits.lift(alice, LimitKind.RESTRICTION, ctx=clerk)
    assert gate.subjects_for_export("model_training") == {alice}
