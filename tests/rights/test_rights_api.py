"""The consent and rights HTTP endpoints, end to end over ASGI."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Header, HTTPException
from tests.consent.fakes import FakeClock
from tests.rights.conftest import ALICE, BOB, add_conversations

from discreet.api.contract import install_error_format
from discreet.api.routes_consent import consent_router
from discreet.api.routes_rights import rights_router
from discreet.audit import AccessContext
from discreet.consent import RESTRICTED
from discreet.policy import Policy
from discreet.rights import RightsService
from discreet.vault import IdentifierKind, SubjectNotFound, Vault
from discreet.vault.keystore import KeyKind
from discreet.wiring import vault_holders


def _app(rights: RightsService) -> FastAPI:
    def operator(x_operator: str | None = Header(default=None)) -> str:
        if not x_operator:
            raise HTTPException(401, "who are you?")
        return x_operator

    app = FastAPI()
    install_error_format(app)  # the app's one error map, as create_app installs it
    app.include_router(consent_router(lambda: rights.consent, operator))
    app.include_router(rights_router(lambda: rights, operator))
    return app


Call = tuple[str, str, dict[str, Any] | None]


def _run(rights: RightsService, *calls: Call, operator: str = "dpo-1") -> list[httpx.Response]:
    async def go() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=_app(rights))
        headers = {"X-Operator": operator} if operator else {}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://discreet.test", headers=headers
        ) as client:
            return [await client.request(m, url, json=body) for m, url, body in calls]

    return asyncio.run(go())


def _one(rights: RightsService, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    (response,) = _run(rights, (method, url, body))
    assert response.status_code < 300, response.text
    return (
        response.json()
        if response.headers["content-type"].startswith("application/json")
        else response
    )


def _verified(rights: RightsService, kind: str, ref: str = ALICE, **extra: str) -> str:
    created = _one(
        rights, "POST", "/v1/rights/requests", {"subject_ref": ref, "kind": kind, **extra}
    )
    assert created["state"] == "received"
    _one(rights, "POST", f"/v1/rights/requests/{created['id']}/verify")
    return str(created["id"])


def test_consent_endpoints_record_and_show_history(rights: RightsService) -> None:
    url = f"/v1/subjects/{ALICE}/consents"
    grant = {
        "purpose": "model_training",
        "state": "granted",
        "notice_version": "v2",
        "channel": "web",
    }
    posted, withdrawn, shown, unknown, bad, anonymous = _run(
        rights,
        ("POST", url, grant),
        ("POST", url, {**grant, "state": "withdrawn", "channel": "app"}),
        ("GET", url, None),
        ("GET", "/v1/subjects/CUST-00000/consents", None),
        ("POST", url, {**grant, "purpose": "marketing"}),
    ) + _run(rights, ("GET", url, None), operator="")
    assert posted.status_code == withdrawn.status_code == 201
    assert posted.json()["recorded_by"] == "dpo-1"
    body = shown.json()
    assert [r["state"] for r in body["history"]] == ["granted", "withdrawn"]
    assert body["current"]["model_training"]["channel"] == "app"
    assert unknown.status_code == 404
    assert "CUST-00000" not in unknown.text
    assert bad.status_code == 400 and "unknown purpose" in bad.text
    assert bad.json()["error"]["param"] == "purpose"
    assert anonymous.status_code == 401
    alice = rights.vault.subject_id(ALICE, ctx=_ctx())
    assert len(rights.consent.registry.history(alice)) == 2  # the refused one left no record
    assert not rights.consent.registry.has_grant(alice, "model_training")


def _ctx() -> AccessContext:
    return AccessContext(actor="test", purpose="test", legal_basis="legal_obligation")  # type: ignore[arg-type]


def test_access_request_returns_the_archive(
    rights: RightsService, sample_subjects: dict[str, dict[str, str]]
) -> None:
    add_conversations(rights.vault, ALICE, _ctx(), 1)
    request_id = _verified(rights, "access", channel="web")
    (response,) = _run(
        rights, ("POST", f"/v1/rights/requests/{request_id}/execute", {"subject_ref": ALICE})
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        data = json.loads(zf.read("subject.json"))
        assert "index.html" in zf.namelist()
    assert data["profile"]["email"]["value"] == sample_subjects[ALICE]["email"]
    assert len(data["conversations"]) == 1
    shown = _one(rights, "GET", f"/v1/rights/requests/{request_id}")
    assert shown["state"] == "completed"
    assert shown["result"]["counts"]["conversations"] == 1


def test_rectification_erasure_and_holds_over_http(rights: RightsService) -> None:
    rectify = _verified(rights, "rectification")
    _one(
        rights,
        "POST",
        f"/v1/rights/requests/{rectify}/execute",
        {"subject_ref": ALICE, "changes": {"email": "new@voorbeeld.nl"}},
    )
    found = rights.vault.find_subjects_by_identifier(
        IdentifierKind.EMAIL, "new@voorbeeld.nl", ctx=_ctx()
    )
    assert found == {rights.vault.subject_id(ALICE, ctx=_ctx())}

    hold = _one(rights, "POST", "/v1/legal-holds", {"subject_ref": BOB, "reason": "audit"})
    erase = _verified(rights, "erasure", ref=BOB)
    url = f"/v1/rights/requests/{erase}/execute"
    (blocked,) = _run(rights, ("POST", url, {"subject_ref": BOB}))
    assert blocked.status_code == 409
    detail = blocked.json()["error"]
    assert detail["code"] == "legal_hold"
    assert [h["id"] for h in detail["holds"]] == [hold["id"]]
    # Not left "in_progress": blocked by the hold, visible as such in the list.
    assert detail["request"]["state"] == "blocked_by_hold"
    listed = _one(rights, "GET", "/v1/rights/requests?state=blocked_by_hold")
    assert [r["id"] for r in listed] == [erase]
    bob_fields = len(rights.vault.get_subject(BOB, ctx=_ctx()).fields)
    assert bob_fields

    assert _one(rights, "GET", "/v1/legal-holds")[0]["id"] == hold["id"]
    _one(rights, "DELETE", f"/v1/legal-holds/{hold['id']}")
    done = _one(rights, "POST", url, {"subject_ref": BOB})
    assert done["state"] == "completed"
    assert done["result"]["steps"]["subject_records"]["erased"] == bob_fields
    # Crypto-shredded: Bob's data key is gone from the key store.
    bob = done["subject_id"]
    assert rights.vault.key_store.get(rights.vault.tenant, KeyKind.SUBJECT, bob) is None
    with pytest.raises(SubjectNotFound):
        rights.vault.get_subject(BOB, ctx=_ctx())


def test_restriction_objection_deadlines_over_http(rights: RightsService, clock: FakeClock) -> None:
    restrict = _verified(rights, "restriction")
    _one(rights, "POST", f"/v1/rights/requests/{restrict}/execute", {"subject_ref": ALICE})
    alice = rights.vault.subject_id(ALICE, ctx=_ctx())
    gate = rights.consent.gate
    assert gate.check_purpose(alice, "customer_support", requires_consent=False).reason == (
        RESTRICTED
    )
    assert _one(rights, "POST", f"/v1/rights/requests/{restrict}/lift") == {"lifted": 1}
    assert gate.check_purpose(alice, "customer_support", requires_consent=False).allowed

    objection = _verified(rights, "objection", scope="analytics")
    _one(rights, "POST", f"/v1/rights/requests/{objection}/execute", {"subject_ref": ALICE})
    assert not gate.check_purpose(alice, "analytics", requires_consent=True).allowed

    late = _one(rights, "POST", "/v1/rights/requests", {"subject_ref": BOB, "kind": "access"})
    (too_long,) = _run(
        rights,
        ("POST", f"/v1/rights/requests/{late['id']}/extend", {"months": 3, "reason": "x"}),
    )
    assert too_long.status_code == 400
    assert too_long.json()["error"]["param"] == "months"
    extended = _one(
        rights,
        "POST",
        f"/v1/rights/requests/{late['id']}/extend",
        {"months": 2, "reason": "complex"},
    )
    assert extended["due_at"].startswith("2027-04-30")
    assert _one(rights, "GET", "/v1/rights/overdue") == []
    clock.advance(days=95)
    assert [r["id"] for r in _one(rights, "GET", "/v1/rights/overdue")] == [late["id"]]
    (wrong,) = _run(rights, ("POST", f"/v1/rights/requests/{restrict}/reject", {"reason": "x"}))
    assert wrong.status_code == 409


def test_the_policys_jurisdiction_sets_the_words_and_deadlines_over_http(
    filled_vault: Vault, clock: FakeClock, policy: Policy
) -> None:
    ccpa = RightsService(
        filled_vault,
        holders=vault_holders(filled_vault, clock=clock),
        clock=clock,
        policy=policy.model_copy(update={"jurisdictions": ("ccpa",)}),
    )
    opt_out, unknown = _run(
        ccpa,
        ("POST", "/v1/rights/requests", {"subject_ref": ALICE, "kind": "opt_out"}),
        ("POST", "/v1/rights/requests", {"subject_ref": ALICE, "kind": "forget-me"}),
    )
    assert opt_out.status_code == 201, opt_out.text
    created = opt_out.json()
    assert (created["kind"], created["scope"]) == ("objection", "sale_sharing")
    received = datetime.fromisoformat(created["received_at"])
    assert datetime.fromisoformat(created["due_at"]) == received + timedelta(days=45)
    assert unknown.status_code == 400
    assert unknown.json()["error"]["param"] == "kind"
