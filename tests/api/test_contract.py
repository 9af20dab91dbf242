"""The API contract a client is written against: one error object on every route, an OpenAPI
document that describes the real chat request and headers, docs pages without a CDN, the
health probes, and the conversation state including its closing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import MARIEKE, Api
from tests.support.upstream import unused_port

from discreet.api import create_app
from discreet.audit import AccessContext
from discreet.gateway.settings import UpstreamSettings
from discreet.gateway.turn import Gateway
from discreet.gateway.upstream import AsyncUpstreamClient
from discreet.retention.closing import ConversationCloser
from discreet.vault.keystore import KeyStore


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _is_openai_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert {"message", "type", "param", "code"} <= set(error)
    if code is not None:
        assert error["code"] == code
    return dict(error)


def test_governance_and_framework_errors_use_the_openai_error_object(api: Api) -> None:
    operator, _ = api.gateway.api_keys.create_operator("dpo-anna")
    unknown = api.client.get("/v1/subjects/CUST-00000/consents", headers=_bearer(operator))
    invalid = api.client.post(
        f"/v1/subjects/{MARIEKE}/consents",
        json={"purpose": "customer_support", "state": "maybe"},
        headers=_bearer(operator),
    )
    no_route = api.client.get("/v1/no-such-route", headers=_bearer(operator))
    wrong_method = api.client.delete("/v1/models", headers=_bearer(operator))

    # OpenAI's types: its 404s (model_not_found) are invalid_request_error too.
    assert _is_openai_error(unknown, 404, "subject_not_found")["type"] == "invalid_request_error"
    # Invalid input is 400 on every route, as OpenAI answers it, naming the field.
    error = _is_openai_error(invalid, 400, "invalid_request")
    assert "state" in error["message"] and "maybe" not in error["message"]
    assert error["param"] == "state"
    _is_openai_error(no_route, 404)
    _is_openai_error(wrong_method, 405)


def test_the_openapi_document_describes_the_chat_request_headers_and_security(api: Api) -> None:
    doc = api.client.get("/openapi.json").json()
    chat = doc["paths"]["/v1/chat/completions"]["post"]
    schema_ref = chat["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request = doc["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert {"model", "messages"} <= set(request["required"])
    assert "stream" in request["properties"]
    headers = {p["name"] for p in chat["parameters"] if p["in"] == "header"}
    assert headers == {"X-Discreet-Subject", "X-Discreet-Conversation", "X-Discreet-Purpose"}
    assert set(chat["responses"]["200"]["headers"]) == {
        "X-Discreet-Conversation",
        "X-Discreet-Handoff",
    }
    assert doc["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    for path, operations in doc["paths"].items():
        for operation in operations.values():
            if path in ("/healthz", "/readyz"):
                assert "security" not in operation
                continue
            assert operation["security"] == [{"apiKey": []}], path
            error = operation["responses"]["401"]["content"]["application/json"]["schema"]
            assert error["$ref"].endswith("/ErrorResponse"), path
            assert "422" not in operation["responses"] or path.startswith("/v1/")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_their_assets_from_the_server_not_a_cdn(api: Api, page: str) -> None:
    html = api.client.get(page)
    assert html.status_code == 200
    assert not re.search(r"""(src|href)=["']?https?://""", html.text), "external asset"
    assets = re.findall(r"""(?:src|href)=["']?(/docs-assets/[^"'\s>]+)""", html.text)
    assert any(a.endswith(".js") for a in assets)
    for asset in assets:
        served = api.client.get(asset)
        assert served.status_code == 200 and len(served.content) > 1000, asset


def test_health_and_readiness_need_no_key_and_name_what_they_checked(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    ready = api.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert set(checks) == {"stores", "policy", "upstream"}
    assert all(check["ok"] for check in checks.values())
    assert api.gateway.vault.master_key_id in checks["stores"]["detail"]


def test_readiness_fails_when_the_upstream_cannot_be_reached(api: Api) -> None:
    dead = AsyncUpstreamClient(
        UpstreamSettings(base_url=f"http://127.0.0.1:{unused_port()}/v1", model="m")
    )
    gateway = Gateway(
        policy=api.gateway.policy,
        vault=api.vault,
        detector=api.gateway.detector,
        backend=dead,
        erasures=api.gateway.erasures,
    )
    with TestClient(create_app(gateway)) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "not_ready"
    assert body["checks"]["upstream"] == {"ok": False, "detail": "failed: ConnectionRefusedError"}
    assert body["checks"]["stores"]["ok"]


def test_the_conversation_state_shows_that_it_was_closed(
    api: Api, store_env: Any, ctx: AccessContext
) -> None:
    assert api.chat("Where is my order?", conversation="c-close").status_code == 200
    before = api.client.get("/v1/conversations/c-close", headers=_bearer(api.keys["support"]))
    assert before.json()["closed"] is False and before.json()["closed_at"] is None
    keys = KeyStore(store_env.keys_db(), store_env.master_key)
    closer = ConversationCloser(
        store_env.data_db(), keys, api.gateway.policy, tenant=api.vault.tenant
    )
    closer.close("c-close", ctx=ctx)

    after = api.client.get("/v1/conversations/c-close", headers=_bearer(api.keys["support"]))
    state = after.json()
    assert state["closed"] is True and state["closed_at"] is not None
    assert state["turns"] == 1 and state["object"] == "discreet.conversation"
