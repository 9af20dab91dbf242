"""Access/export, rectification, restriction and objection, carried out end to end."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from tests.rights.conftest import ALICE, BOB, add_conversations, verified

from discreet.audit import AccessContext, ActorKind, AuditEvent, LegalBasis, Outcome
from discreet.consent import RESTRICTED, ConsentState
from discreet.rights import ErasureMismatch, RequestKind, RequestState, RightsService
from discreet.vault import IdentifierKind


def _unzip(archive: bytes) -> tuple[dict[str, Any], str]:
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        assert sorted(zf.namelist()) == ["index.html", "subject.json"]
        return json.loads(zf.read("subject.json")), zf.read("index.html").decode()


def test_access_export_holds_everything_about_the_subject(
    rights: RightsService, officer: AccessContext, sample_subjects: dict[str, dict[str, str]]
) -> None:
    vault = rights.vault
    vault.update_fields(ALICE, {"city": 'Zwolle <Noord> & "Oost"'}, ctx=officer)
    conversations = add_conversations(vault, ALICE, officer, 2)
    add_conversations(vault, BOB, officer, 1)
    rights.consent.record(
        ALICE,
        "analytics",
        ConsentState.GRANTED,
        notice_version="v1",
        channel="web",
        ctx=officer,
    )
    alice = vault.subject_id(ALICE, ctx=officer)
    assistant = AccessContext(
        "support-bot", "customer_support", LegalBasis.CONTRACT, ActorKind.ASSISTANT
    )
    vault.get_subject(ALICE, ctx=assistant)  # data access: audited, not a decision
    vault.audit_log.append(
        AuditEvent(
            ctx=assistant,
            tenant=vault.tenant,
            action="gateway.turn",
            outcome=Outcome.DENIED,
            subject=alice,
            details={"guard": "blocked", "handoff": "answer_blocked"},
        )
    )
    request = verified(rights, ALICE, RequestKind.ACCESS, officer)

    done = rights.execute(request.id, ALICE, ctx=officer)
    assert done.archive is not None
    data, page = _unzip(done.archive)

    assert data["subject_id"] == alice
    profile = data["profile"]
    assert profile["email"]["value"] == sample_subjects[ALICE]["email"]
    assert profile["city"]["value"] == 'Zwolle <Noord> & "Oost"'
    assert [c["id"] for c in data["conversations"]] == conversations
    first = data["conversations"][0]
    assert first["personal_data_in_conversation"]["[EMAIL_1]"] == "mvo0@voorbeeld.nl"
    assert [c["purpose"] for c in data["consents"]] == ["analytics"]
    audit = data["audit_records"]
    assert audit
    assert {r["subject"] for r in audit} == {alice}  # nobody else's records
    assert any(r["action"] == "consent.grant" for r in audit)
    assert any(r["action"] == "subject.read" and r["actor"] == "support-bot" for r in audit)
    decisions = data["automated_decisions"]
    assert [(d["decision"], d["outcome"]) for d in decisions] == [("gateway.turn", "denied")]
    assert decisions[0]["details"]["guard"] == "blocked"
    assert [r["id"] for r in data["requests"]] == [request.id]
    # The readable page shows the values, escaped.
    assert "Zwolle &lt;Noord&gt; &amp; &quot;Oost&quot;" in page
    assert "<Noord>" not in page
    assert sample_subjects[ALICE]["iban"] in page
    assert sample_subjects[BOB]["email"] not in page
    # The completion record: counts, never values.
    record = rights.book.get(request.id)
    assert record.state is RequestState.COMPLETED
    assert record.result is not None
    assert record.result["counts"]["conversations"] == 2
    assert record.result["counts"]["fields"] == len(sample_subjects[ALICE])
    assert sample_subjects[ALICE]["email"] not in json.dumps(record.result)


def test_rectification_updates_fields_and_blind_index(
    rights: RightsService, officer: AccessContext
) -> None:
    vault = rights.vault
    alice = vault.subject_id(ALICE, ctx=officer)
    request = verified(rights, ALICE, RequestKind.RECTIFICATION, officer)
    rights.execute(
        request.id,
        ALICE,
        ctx=officer,
        changes={"email": "m.oosterhout@nieuw.example", "city": None},
    )
    view = vault.get_subject(ALICE, ctx=officer)
    assert view.fields["email"] == "m.oosterhout@nieuw.example"
    assert "city" not in view.fields
    find = vault.find_subjects_by_identifier
    assert find(IdentifierKind.EMAIL, "M.Oosterhout@nieuw.example", ctx=officer) == {alice}
    assert find(IdentifierKind.EMAIL, "marieke.oosterhout@voorbeeld.nl", ctx=officer) == set()
    result = rights.book.get(request.id).result
    assert result is not None
    assert (result["fields_changed"], result["fields_deleted"]) == (["email"], ["city"])


def test_restriction_blocks_processing_until_lifted(
    rights: RightsService, officer: AccessContext, policy: object
) -> None:
    alice = rights.vault.subject_id(ALICE, ctx=officer)
    gate = rights.consent.gate
    request = verified(rights, ALICE, RequestKind.RESTRICTION, officer)
    rights.execute(request.id, ALICE, ctx=officer)
    decision = gate.check_purpose(alice, "customer_support", requires_consent=False)
    assert (decision.allowed, decision.reason) == (False, RESTRICTED)
    bob = rights.vault.subject_id(BOB, ctx=officer)
    assert gate.check_purpose(bob, "customer_support", requires_consent=False).allowed
    assert rights.lift(request.id, ctx=officer) == 1
    assert gate.check_purpose(alice, "customer_support", requires_consent=False).allowed


def test_objection_stops_its_purpose(rights: RightsService, officer: AccessContext) -> None:
    alice = rights.vault.subject_id(ALICE, ctx=officer)
    request = verified(rights, ALICE, RequestKind.OBJECTION, officer, scope="billing")
    done = rights.execute(request.id, ALICE, ctx=officer)
    assert done.request.result is not None and done.request.result["objected_to"] == "billing"
    gate = rights.consent.gate
    assert not gate.check_purpose(alice, "billing", requires_consent=False).allowed
    assert gate.check_purpose(alice, "customer_support", requires_consent=False).allowed


def test_a_reference_of_another_customer_is_refused(
    rights: RightsService, officer: AccessContext
) -> None:
    request = verified(rights, ALICE, RequestKind.ERASURE, officer)
    with pytest.raises(ErasureMismatch):
        rights.execute(request.id, BOB, ctx=officer)
    assert rights.vault.get_subject(BOB, ctx=officer).fields
    request = verified(rights, ALICE, RequestKind.ACCESS, officer)
    with pytest.raises(ErasureMismatch):
        rights.execute(request.id, BOB, ctx=officer)
