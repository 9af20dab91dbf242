"""Access/export, rectification, restriction and objection, carried out end to end."""

from __future__ import annotations

import html
import io
import json
import zipfile
from typing import Any

import pytest
from tests.conftest import StoreEnv
from tests.rights.conftest import (
    ALICE,
    ANSWER_TEXT,
    BOB,
    T0,
    USER_TEXT,
    add_conversations,
    verified,
)

from discreet.audit import AccessContext, ActorKind, AuditEvent, LegalBasis, Outcome
from discreet.consent import RESTRICTED, ConsentState
from discreet.conversations.states import ConversationStates, TurnUpdate
from discreet.conversations.transcripts import TranscriptStore
from discreet.policy import Policy
from discreet.retention import ConversationCloser
from discreet.rights import ErasureMismatch, RequestKind, RequestState, RightsService
from discreet.rights.erasure import ErasureJobRecords
from discreet.rights.export import NOTE_CLOSED, NOTE_EXPIRED
from discreet.vault import IdentifierKind
from discreet.vault.keystore import KeyStore


def _unzip(archive: bytes) -> tuple[dict[str, Any], str]:
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        assert sorted(zf.namelist()) == ["index.html", "portability.json", "subject.json"]
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
    assert "Zwolle &lt;Noord&gt; &amp; &#34;Oost&#34;" in page  # escaped by the template
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


def test_access_export_shows_conversations_readable_and_forgotten_ones_pseudonymised(
    rights: RightsService,
    officer: AccessContext,
    store_env: StoreEnv,
    policy: Policy,
) -> None:
    vault = rights.vault
    open_id, closed_id = add_conversations(vault, ALICE, officer, 2)
    [bobs] = add_conversations(vault, BOB, officer, 1)
    marked_up = "<b>Marieke</b> & co"  # a value that must be escaped on the page
    vault.save_token_map(
        open_id, {"[PERSON_1]": marked_up, "[EMAIL_1]": "mvo0@voorbeeld.nl"}, ctx=officer
    )
    alice = vault.subject_id(ALICE, ctx=officer)
    states = ConversationStates(rights.db, vault.audit_log, vault.tenant)
    for conversation_id in (open_id, closed_id):
        states.record_turn(
            TurnUpdate(conversation_id, "support", alice), [], erasures=ErasureJobRecords(rights.db)
        )
    keys = KeyStore(store_env.keys_db(), store_env.master_key)
    closer = ConversationCloser(rights.db, keys, policy, tenant=vault.tenant)
    assert closer.close(closed_id, ctx=officer).token_map_destroyed
    # Messages attributed to Alice in a conversation the vault never bound: no map is
    # read for it (one conversation, one subject), so it stays pseudonymised.
    transcripts = TranscriptStore(rights.db, vault.tenant)
    transcripts.append("chat-unbound", [("user", "it is [PERSON_1]")], T0, subject=alice)

    request = verified(rights, ALICE, RequestKind.ACCESS, officer)
    done = rights.execute(request.id, ALICE, ctx=officer)
    assert done.archive is not None
    data, page = _unzip(done.archive)

    by_id = {c["id"]: c for c in data["conversations"]}
    assert list(by_id) == [open_id, closed_id, "chat-unbound"] and bobs not in by_id
    readable = by_id[open_id]
    assert readable["personal_values_restored"] and readable["note"] is None
    assert [(m["seq"], m["role"], m["text"]) for m in readable["messages"]] == [
        (1, "user", f"I am {marked_up}, mail me at mvo0@voorbeeld.nl <please>"),
        (2, "assistant", f"Thanks {marked_up}, done."),
    ]
    forgotten = by_id[closed_id]
    assert not forgotten["personal_values_restored"]
    assert forgotten["note"] == NOTE_CLOSED and forgotten["closed_at"] is not None
    assert forgotten["personal_data_in_conversation"] == {}
    assert [m["text"] for m in forgotten["messages"]] == [USER_TEXT, ANSWER_TEXT]
    assert "mvo1@voorbeeld.nl" not in json.dumps(data)  # its value is gone for good
    unbound = by_id["chat-unbound"]
    assert unbound["note"] == NOTE_EXPIRED and not unbound["personal_values_restored"]
    assert [m["text"] for m in unbound["messages"]] == ["it is [PERSON_1]"]
    # The page: every text escaped, the note shown.
    assert f"I am {html.escape(marked_up)}, mail me at mvo0@voorbeeld.nl &lt;please&gt;" in page
    assert "<b>Marieke" not in page and "<please>" not in page
    assert html.escape(NOTE_CLOSED) in page
    assert rights.book.get(request.id).result["counts"]["messages"] == 5  # type: ignore[index]
    # Rehydrated only for the archive: the store keeps the pseudonymised transcript.
    assert [m.text for m in transcripts.messages(open_id)] == [USER_TEXT, ANSWER_TEXT]
    assert f"I am {marked_up}".encode() not in store_env.raw_dump()
