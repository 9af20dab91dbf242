"""What the pages show and do, over HTTP: the access archive, the request life cycle with
reasons, audit search and export, the conversation with the guard's decisions, API keys
and accounts."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from tests.console.conftest import BART, MARIEKE, PASSWORD, Console, csrf_of

from discreet.audit.log import AuditEntry
from discreet.console.roles import Role


def _officer(console: Console) -> tuple[object, str]:
    client = console.client()
    return client, console.sign_in(client, console.user(Role.PRIVACY_OFFICER))


def test_access_request_gives_the_archive_and_a_completion_record(console: Console) -> None:
    client, csrf = _officer(console)
    made = client.post("/requests", data={"csrf": csrf, "subject_ref": MARIEKE, "kind": "access"})
    request_id = made.headers["location"].rsplit("/", 1)[1]
    client.post(f"/requests/{request_id}/verify", data={"csrf": csrf})
    answer = client.post(
        f"/requests/{request_id}/execute", data={"csrf": csrf, "subject_ref": MARIEKE}
    )
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(answer.content)).namelist()
    assert names and any(n.endswith(".json") for n in names)
    page = client.get(f"/requests/{request_id}").text
    assert "Completion record" in page and "archive_bytes" in page and "completed" in page
    # Again later: made anew from the customer's reference, never stored.
    again = client.post(
        f"/requests/{request_id}/archive", data={"csrf": csrf, "subject_ref": MARIEKE}
    )
    assert again.status_code == 200 and zipfile.ZipFile(io.BytesIO(again.content)).namelist()
    wrong = client.post(f"/requests/{request_id}/archive", data={"csrf": csrf, "subject_ref": BART})
    assert wrong.status_code == 409 and "another subject" in wrong.text


def test_extend_and_reject_keep_their_reasons(console: Console) -> None:
    client, csrf = _officer(console)
    made = client.post("/requests", data={"csrf": csrf, "subject_ref": BART, "kind": "erasure"})
    request_id = made.headers["location"].rsplit("/", 1)[1]
    before = console.services.rights.book.get(request_id).due_at
    client.post(
        f"/requests/{request_id}/extend",
        data={"csrf": csrf, "months": "2", "reason": "complex: three systems to search"},
    )
    item = console.services.rights.book.get(request_id)
    assert item.due_at > before and item.extension_reason == "complex: three systems to search"
    client.post(
        f"/requests/{request_id}/reject", data={"csrf": csrf, "reason": "identity unproven"}
    )
    page = client.get(f"/requests/{request_id}").text
    assert "identity unproven" in page and "rejected" in page
    assert "request-actions" not in page  # closed: no more actions
    listed = client.get("/requests?state=rejected&kind=erasure").text
    assert request_id in listed
    assert request_id not in client.get("/requests?state=received").text


def test_audit_search_and_export(console: Console) -> None:
    client = console.client()
    console.sign_in(client, console.user(Role.AUDITOR))
    page = client.get("/audit", params={"action": "gateway.turn"}).text
    assert page.count("<td>gateway.turn</td>") == 2
    exported = client.get("/audit/export", params={"format": "csv", "action": "gateway."})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 2 and {r["action"] for r in rows} == {"gateway.turn"}
    lines = client.get("/audit/export", params={"format": "jsonl"}).text.splitlines()
    entries = [json.loads(line) for line in lines]
    assert len(entries) >= 4
    for raw in entries:  # an auditor can recompute every hash from the export
        entry = AuditEntry(
            **{**raw, "categories": tuple(raw["categories"]), "fields": tuple(raw["fields"])}
        )
        assert entry.computed_hash() == raw["hash"]
    assert "Marieke" not in "".join(lines) and MARIEKE not in "".join(lines)
    assert client.get("/audit/export?format=xml").status_code == 400
    logged = [e for e in console.services.audit.entries() if e.action == "console.audit.export"]
    assert len(logged) == 2 and logged[0].details["records"] == 2


def test_conversation_shows_the_guard_block(console: Console) -> None:
    client = console.client()
    console.sign_in(client, console.user(Role.SUPPORT_LEAD))
    listing = client.get("/conversations").text
    assert "conv-blocked" in listing and "conv-echo" in listing
    page = client.get("/conversation", params={"id": "conv-blocked"}).text
    assert "answer_blocked" in page
    assert "GB33BUKB20201555555555" not in page  # the leaked value is not shown
    # A token that is not in the conversation cannot be revealed.
    csrf = csrf_of(page)
    answer = client.post(
        "/conversation/reveal",
        data={
            "csrf": csrf,
            "conversation_id": "conv-echo",
            "token": "[IBAN_9]",
            "reason": "fraud_check",
            "note": "n",
        },
    )
    assert answer.status_code == 400


def test_api_keys_create_revoke_and_last_use(console: Console) -> None:
    client = console.client()
    csrf = console.sign_in(client, console.user(Role.ADMIN))
    page = client.get("/apikeys").text
    support_id = next(
        k.key_id for k in console.services.api_keys.list() if k.assistant == "support"
    )
    row = page.split(support_id)[1].split("</tr>")[0]
    assert "—" not in row.split("<td>")[6]  # used by the fixture's turns: a time
    made = client.post("/apikeys", data={"csrf": csrf, "role": "operator", "name": "dpo-team"})
    assert made.status_code == 201 and "shown only once" in made.text
    key = made.text.split('id="new-key-value">')[1].split("<")[0]
    info = console.services.api_keys.verify(key)
    assert info is not None and info.is_operator
    assert client.post("/apikeys", data={"csrf": csrf, "name": "nobody"}).status_code == 400
    client.post("/apikeys/revoke", data={"csrf": csrf, "key_id": info.key_id})
    assert console.services.api_keys.verify(key) is None
    again = client.post("/apikeys/revoke", data={"csrf": csrf, "key_id": info.key_id})
    assert again.status_code == 404


def test_admin_manages_accounts(console: Console) -> None:
    admin = console.client()
    csrf = console.sign_in(admin, console.user(Role.ADMIN))
    made = admin.post(
        "/users", data={"csrf": csrf, "username": "bea", "role": "auditor", "password": PASSWORD}
    )
    assert made.status_code == 201 and "bea" in made.text
    bea = console.client()
    console.sign_in(bea, "bea")
    assert bea.get("/audit").status_code == 200
    admin.post("/users/reset-mfa", data={"csrf": csrf, "username": "bea"})
    assert bea.get("/audit").status_code == 303  # her sessions ended
    assert not console.services.accounts.get("bea").enrolled
    admin.post("/users/disable", data={"csrf": csrf, "username": "bea"})
    assert console.services.accounts.get("bea").disabled_at is not None
    own = admin.post("/users/disable", data={"csrf": csrf, "username": "admin"})
    assert own.status_code == 400 and console.services.accounts.get("admin").active
    short = admin.post(
        "/users", data={"csrf": csrf, "username": "cas", "role": "auditor", "password": "short"}
    )
    assert short.status_code == 400 and "12" in short.text


def test_sign_out_everywhere_ends_every_session(console: Console) -> None:
    name = console.user(Role.AUDITOR)
    laptop, phone = console.client(), console.client()
    csrf = console.sign_in(laptop, name)
    console.sign_in(phone, name)
    assert phone.get("/audit").status_code == 200
    assert laptop.post("/logout/everywhere", data={"csrf": csrf}).status_code == 303
    assert phone.get("/audit").status_code == 303 and laptop.get("/").status_code == 303


def test_conversations_without_turn_records_are_listed_too(console: Console) -> None:
    """Transcripts imported or seeded (as the demo does) have no gateway turn records."""
    from datetime import UTC, datetime, timedelta

    from discreet.conversations.transcripts import TranscriptStore

    vault = console.services.vault
    ctx = _seed_ctx()
    subject = vault.bind_conversation("past-1", BART, ctx=ctx)
    TranscriptStore(vault.audit_log.db, vault.tenant).append(
        "past-1",
        [("user", "Where is my parcel, [PERSON_1]?"), ("assistant", "On its way.")],
        datetime.now(UTC) - timedelta(days=60),
        subject=subject,
    )
    summaries = console.services.transcripts.summaries(subject=subject)
    assert [(s.conversation_id, s.messages) for s in summaries] == [("past-1", 2)]
    lead = console.client()
    console.sign_in(lead, console.user(Role.SUPPORT_LEAD))
    assert "past-1" in lead.get("/conversations").text
    page = lead.get("/conversation", params={"id": "past-1"}).text
    assert "On its way." in page and "[PERSON_1]" in page
    officer, csrf = _officer(console)
    subject_page = officer.post("/subject", data={"csrf": csrf, "subject_ref": BART}).text
    assert "past-1" in subject_page


def _seed_ctx():  # type: ignore[no-untyped-def]
    from discreet.audit import AccessContext, LegalBasis

    return AccessContext(actor="seed", purpose="seed", legal_basis=LegalBasis.CONTRACT)


def test_rectification_and_legal_holds(console: Console) -> None:
    client, csrf = _officer(console)
    made = client.post(
        "/requests", data={"csrf": csrf, "subject_ref": BART, "kind": "rectification"}
    )
    request_id = made.headers["location"].rsplit("/", 1)[1]
    client.post(f"/requests/{request_id}/verify", data={"csrf": csrf})
    assert "execute-changes" in client.get(f"/requests/{request_id}").text
    bad = client.post(
        f"/requests/{request_id}/execute",
        data={"csrf": csrf, "subject_ref": BART, "changes": "no equals sign"},
    )
    assert bad.status_code == 400 and "line 1" in bad.text
    done = client.post(
        f"/requests/{request_id}/execute",
        data={"csrf": csrf, "subject_ref": BART, "changes": "city = Great Snoring\nphone ="},
    )
    assert done.status_code == 303
    fields = console.services.vault.get_subject(BART, ctx=_seed_ctx()).fields
    assert fields["city"] == "Great Snoring" and "phone" not in fields
    record = console.services.rights.book.get(request_id).result
    assert record is not None and record["fields_changed"] == ["city"]
    assert record["fields_deleted"] == ["phone"]
    # A legal hold placed and released from the subject's page.
    held = client.post(
        "/subject/hold", data={"csrf": csrf, "subject_ref": BART, "reason": "litigation 12"}
    )
    assert "litigation 12" in held.text
    (hold,) = [h for h in console.services.rights.holds() if h.reason == "litigation 12"]
    wrong = client.post(
        "/subject/release", data={"csrf": csrf, "subject_ref": MARIEKE, "hold_id": hold.id}
    )
    assert wrong.status_code == 404  # not this subject's hold
    released = client.post(
        "/subject/release", data={"csrf": csrf, "subject_ref": BART, "hold_id": hold.id}
    )
    assert released.status_code == 200 and "legal hold released" in released.text
    assert not [h for h in console.services.rights.holds() if h.reason == "litigation 12"]
