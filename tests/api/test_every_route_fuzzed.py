"""Every route of the full app (chat, governance, retention, operators' conversations,
probes) fuzzed from its own OpenAPI document with schemathesis: whatever a client sends,
the answer is never a 5xx, and every 4xx is OpenAI's error object.

The app is the one `discreet serve` builds (`wiring.build_services`, real SQLite stores, a
real loopback upstream), so the fuzzer reaches the real stores. The number of examples is
bounded (a fixed seed, no example database) so the run is short and the same every time;
the inputs that once gave 5xx (integer overflow, lone surrogates, blank ids) are also sent
on purpose below, so they do not depend on the fuzzer's luck.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from tests.api.conftest import POLICY
from tests.support.upstream import RecordingUpstream

from discreet.api import create_app
from discreet.audit import AccessContext
from discreet.gateway.settings import UpstreamSettings
from discreet.gateway.upstream import AsyncUpstreamClient
from discreet.policy import parse_policy
from discreet.wiring import Config, build_services

EXAMPLES_PER_OPERATION = 12
SUBJECT = "CUST-48213"


@dataclass
class FullApp:
    client: TestClient
    assistant_key: str
    operator_key: str
    sqlite: bool


@pytest.fixture
def full_app(
    store_env: Any,
    recording_upstream: RecordingUpstream,
    sample_subjects: dict[str, dict[str, str]],
    ctx: AccessContext,
) -> Iterator[FullApp]:
    policy = parse_policy(POLICY, "<test policy>")
    backend = AsyncUpstreamClient(
        UpstreamSettings(
            base_url=recording_upstream.base_url, model="loopback", max_attempts=1, read_timeout=2
        )
    )
    services = build_services(
        Config(store_env.settings(), policy),
        backend=backend,
        master_key=store_env.master_key,
    )
    assert services.gateway is not None
    for ref, values in sample_subjects.items():
        services.vault.put_subject(ref, values, ctx=ctx)
    app = create_app(services.gateway, rights=services.rights, retention=services.retention)
    assistant, _ = services.gateway.api_keys.create("support")
    operator, _ = services.gateway.api_keys.create_operator("dpo-fuzz")
    with TestClient(app, raise_server_exceptions=False) as client:
        yield FullApp(client, assistant, operator, store_env.is_sqlite)
    services.close()


def _send(app: FullApp, case: Any, key: str) -> Any:
    """The case as a request through the app's test client (the same ASGI app, one event
    loop: the one the app's lifespan started)."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    headers = {str(k): str(v) for k, v in (kwargs.get("headers") or {}).items()}
    headers["Authorization"] = f"Bearer {key}"
    body: dict[str, Any] = {}
    if kwargs.get("json") is not None:
        body["content"] = json.dumps(kwargs["json"]).encode()
        headers["Content-Type"] = "application/json"
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        body["content"] = data if isinstance(data, bytes) else str(data).encode()
    return app.client.request(
        kwargs["method"], kwargs["url"], params=kwargs.get("params"), headers=headers, **body
    )


def _assistant_route(path: str) -> bool:
    return path in ("/v1/chat/completions", "/v1/models", "/v1/conversations/{conversation_id}")


def _fuzz(app: FullApp, operation: Any, key: str, failures: list[str]) -> None:
    """Valid and invalid inputs for one operation; 5xx answers collected in `failures`."""
    strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE) | (
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
    )

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.generate],
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        response = _send(app, case, key)
        if response.status_code >= 500:
            # The 503 of a probe that finds a dependency down is an answer, not a fault.
            if operation.path != "/readyz":
                failures.append(f"{operation.label}: {response.status_code} {response.text[:300]}")
        elif response.status_code >= 400:
            error = response.json()["error"]
            assert error["message"] and error["code"], (operation.label, response.text)

    run()


def test_no_route_answers_5xx_whatever_it_is_sent(full_app: FullApp) -> None:
    if not full_app.sqlite:
        pytest.skip("fuzzed on SQLite only (bounded time); the cases below run on both stores")
    schema = schemathesis.openapi.from_dict(full_app.client.get("/openapi.json").json())
    operations = [result.ok() for result in schema.get_all_operations()]
    paths = {operation.path for operation in operations}
    # Every route is fuzzed: the governance and retention routes are in the document too.
    assert {"/v1/legal-holds/{hold_id}", "/v1/retention/run", "/v1/chat/completions"} <= paths
    failures: list[str] = []
    for operation in operations:
        key = full_app.assistant_key if _assistant_route(operation.path) else full_app.operator_key
        _fuzz(full_app, operation, key, failures)
    assert failures == []


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        # Integer overflow: the store's 64-bit ids.
        ("DELETE", "/v1/legal-holds/99999999999999999999999", None),
        ("DELETE", "/v1/legal-holds/-1", None),
        ("GET", "/v1/retention/report?horizon_days=99999999999999999999", None),
        ("POST", "/v1/rights/requests/dsr_x/extend", {"months": 10**30, "reason": "x"}),
        # Blank legal-hold targets.
        ("POST", "/v1/legal-holds", {"conversation_id": "", "reason": "audit"}),
        ("POST", "/v1/legal-holds", {"conversation_id": "   ", "reason": "audit"}),
        ("POST", "/v1/legal-holds", {"subject_ref": "", "reason": "audit"}),
        # A lone surrogate in a path and in a body.
        ("GET", "/v1/subjects/%ED%A0%80/consents", None),
        ("POST", "/v1/rights/requests", {"subject_ref": "\ud800", "kind": "access"}),
    ],
)
def test_inputs_that_once_gave_5xx_get_a_400_naming_the_field(
    full_app: FullApp, method: str, path: str, body: dict[str, Any] | None
) -> None:
    headers = {"Authorization": f"Bearer {full_app.operator_key}"}
    content = None
    if body is not None:
        # ensure_ascii keeps a lone surrogate as its \ud800 escape, as a client sends it.
        content = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    response = full_app.client.request(method, path, content=content, headers=headers)
    assert 400 <= response.status_code < 500, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert "99999999999999999999" not in error["message"]


def test_every_governance_route_declares_a_typed_answer(full_app: FullApp) -> None:
    # A client generated from the OpenAPI document gets a model for each answer, not
    # an untyped object (the chat and model routes follow OpenAI's own shapes).
    doc = full_app.client.get("/openapi.json").json()
    untyped = []
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if not status.startswith("2") or "content" not in response:
                    continue  # 204: no body
                schema = response["content"].get("application/json", {}).get("schema", {})
                if "$ref" not in schema and schema.get("type") != "array":
                    untyped.append(f"{method.upper()} {path} {status}")
    assert untyped == []
    report = doc["paths"]["/v1/retention/report"]["get"]["responses"]["200"]["content"]
    ref = report["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"lines", "holds", "horizon_days"} <= set(
        doc["components"]["schemas"][ref]["properties"]
    )
