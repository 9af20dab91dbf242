"""Operator keys: governance routes (consent, rights, legal holds) for operators only, the
chat endpoints for assistant keys only; both directions, plus the CLI and the migration."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from tests.api.conftest import MARIEKE, Api
from typer.testing import CliRunner

from discreet.audit import AccessContext, LegalBasis
from discreet.cli import app
from discreet.conversations.apikeys import ApiKeyStore, KeyRole
from discreet.conversations.models import GatewayApiKey
from discreet.store import DATA, Database, upgrade
from discreet.store.models import table_of

GRANT = {
    "purpose": "customer_support",
    "state": "granted",
    "notice_version": "v1",
    "channel": "web",
}


@pytest.fixture
def operator_key(api: Api) -> Iterator[str]:
    key, info = api.gateway.api_keys.create_operator("dpo-anna")
    assert info.role is KeyRole.OPERATOR
    yield key


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _error_code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def test_operator_key_is_refused_on_the_chat_endpoints(api: Api, operator_key: str) -> None:
    chat = api.chat("Where is my order?", key=operator_key)
    models = api.client.get("/v1/models", headers=_bearer(operator_key))
    state = api.client.get("/v1/conversations/c-1", headers=_bearer(operator_key))

    for response in (chat, models, state):
        assert response.status_code == 403, response.text
        assert _error_code(response) == "wrong_key_role"
    assert api.upstream.bodies() == []  # nothing went upstream
    assert operator_key not in chat.text


def test_assistant_key_is_refused_on_every_operator_route(api: Api) -> None:
    headers = _bearer(api.keys["support"])
    calls = [
        ("POST", f"/v1/subjects/{MARIEKE}/consents", GRANT),
        ("GET", f"/v1/subjects/{MARIEKE}/consents", None),
        ("POST", "/v1/rights/requests", {"subject_ref": MARIEKE, "kind": "erasure"}),
        ("GET", "/v1/rights/requests", None),
        ("POST", "/v1/legal-holds", {"subject_ref": MARIEKE, "reason": "dispute"}),
        ("GET", "/v1/legal-holds", None),
    ]
    for method, url, body in calls:
        response = api.client.request(method, url, json=body, headers=headers)
        assert response.status_code == 403, (url, response.text)
        assert _error_code(response) == "wrong_key_role"
        anonymous = api.client.request(method, url, json=body)
        assert anonymous.status_code == 401, (url, anonymous.text)
    assert api.client.get("/v1/rights/requests", headers=_bearer("dsk_nonsense")).status_code == 401
    assert api.audit("consent.record") == []
    assert api.gateway.vault.subject_id(MARIEKE, ctx=_ctx()) is not None  # not erased


def _ctx() -> AccessContext:
    return AccessContext(actor="test", purpose="check", legal_basis=LegalBasis.LEGAL_OBLIGATION)


def test_operator_key_records_consent_files_requests_and_holds_as_that_operator(
    api: Api, operator_key: str
) -> None:
    headers = _bearer(operator_key)

    granted = api.client.post(f"/v1/subjects/{MARIEKE}/consents", json=GRANT, headers=headers)
    shown = api.client.get(f"/v1/subjects/{MARIEKE}/consents", headers=headers)
    request = api.client.post(
        "/v1/rights/requests", json={"subject_ref": MARIEKE, "kind": "access"}, headers=headers
    )
    hold = api.client.post(
        "/v1/legal-holds", json={"subject_ref": MARIEKE, "reason": "dispute"}, headers=headers
    )
    holds = api.client.get("/v1/legal-holds", headers=headers)

    assert granted.status_code == 201, granted.text
    assert shown.json()["current"]["customer_support"]["state"] == "granted"
    assert request.status_code == 201 and request.json()["kind"] == "access"
    assert hold.status_code == 201, hold.text
    assert [h["id"] for h in holds.json()] == [hold.json()["id"]]
    actors = {entry.actor for entry in api.audit() if entry.action.startswith("consent")}
    assert "dpo-anna" in actors  # the audit names the operator, not the key


def test_revoked_operator_key_gets_401(api: Api) -> None:
    key, info = api.gateway.api_keys.create_operator("temp")
    assert api.gateway.api_keys.revoke(info.key_id)
    response = api.client.get("/v1/legal-holds", headers=_bearer(key))
    assert response.status_code == 401


def test_cli_creates_and_lists_operator_keys(store_env: Any) -> None:
    runner = CliRunner()
    env = store_env.environ()

    created = runner.invoke(app, ["apikey", "create", "--operator", "dpo-anna"], env=env)
    both = runner.invoke(
        app, ["apikey", "create", "--operator", "x", "--assistant", "support"], env=env
    )
    neither = runner.invoke(app, ["apikey", "create"], env=env)
    listed = runner.invoke(app, ["apikey", "list"], env=env)

    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[0]
    info = ApiKeyStore(store_env.data_db(), "default").verify(key)
    assert info is not None and info.is_operator and info.assistant == "dpo-anna"
    assert both.exit_code == 2 and neither.exit_code == 2
    assert "\toperator\tdpo-anna\tactive" in listed.stdout and key not in listed.stdout


def test_keys_made_before_the_role_column_stay_assistant_keys(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'old.db'}", name="data store")
    upgrade(db, DATA, "0005_retention")
    store = ApiKeyStore(db, "default")
    old_key = "dsk_00112233445566aa_" + "A" * 43
    legacy = table_of(GatewayApiKey)
    columns = {c.name for c in legacy.columns} - {"role"}  # what revision 0005 had
    row = {
        "id": "00112233445566aa",
        "tenant": "default",
        "assistant": "support",
        "key_hash": hashlib.sha256(old_key.encode()).hexdigest(),
        "label": None,
        "created_at": datetime.now(UTC),
        "revoked_at": None,
    }
    assert set(row) == columns
    with db.begin() as conn:
        conn.execute(_legacy_insert(row))

    upgrade(db, DATA)
    info = store.verify(old_key)
    db.dispose()

    assert info is not None and info.role is KeyRole.ASSISTANT and info.assistant == "support"


def _legacy_insert(row: dict[str, Any]) -> Any:
    """An INSERT naming only the columns revision 0005 had (no `role`)."""
    names = ", ".join(row)
    values = ", ".join(f":{name}" for name in row)
    return text(f"INSERT INTO gateway_api_keys ({names}) VALUES ({values})").bindparams(**row)
