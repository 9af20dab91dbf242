"""Refusals fail closed: a clear status and OpenAI error JSON, and nothing raw upstream."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.api.conftest import MARIEKE, Api
from tests.support.upstream import Script, unused_port

from discreet.gateway.settings import UpstreamSettings
from discreet.gateway.upstream import AsyncUpstreamClient
from discreet.store import Database

NAME = "Marieke van Oosterhout"
EMAIL = "marieke.oosterhout@voorbeeld.nl"
QUESTION = f"I am {NAME}, my mail is {EMAIL}. Where is my order?"


def error(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert set(body) >= {"message", "type", "code"}
    assert NAME not in response.text and EMAIL not in response.text
    return dict(body)


def test_unknown_or_missing_api_key_gets_401(api: Api) -> None:
    fake = "dsk_0123456789abcdef_" + "x" * 43
    assert error(api.chat("Hi", key=fake), 401)["code"] == "invalid_api_key"
    assert error(api.chat("Hi", key=None), 401)["type"] == "authentication_error"
    # A valid key with one character changed, right after the key was accepted: never
    # answered from the verified-key memory.
    good = api.keys["support"]
    assert api.chat("Hi").status_code == 200
    assert error(api.chat("Hi", key=good[:-1] + ("A" if good[-1] != "A" else "B")), 401)
    assert len(api.upstream.requests) == 1


def test_a_revoked_key_gets_401(api: Api) -> None:
    key_id = api.keys["support"].split("_")[1]
    assert api.gateway.api_keys.revoke(key_id)
    error(api.chat("Hi"), 401)


def test_a_purpose_the_assistant_may_not_serve_gets_403(api: Api) -> None:
    body = error(api.chat(QUESTION, purpose="billing"), 403)
    assert body["code"] == "purpose_not_allowed"
    assert api.upstream.requests == []
    refused = api.audit("gateway.turn")[-1]
    assert refused.outcome == "denied" and refused.details["status"] == 403


def test_malformed_bodies_get_400_without_echoing_input(api: Api) -> None:
    headers = {"Authorization": f"Bearer {api.keys['support']}", "X-Discreet-Subject": MARIEKE}
    not_json = api.client.post("/v1/chat/completions", content=b"{nope", headers=headers)
    no_messages = api.client.post(
        "/v1/chat/completions", json={"model": "m", "messages": []}, headers=headers
    )
    bad_role = api.client.post(
        "/v1/chat/completions",
        json={"model": "m", "messages": [{"role": "wizard", "content": EMAIL}]},
        headers=headers,
    )
    image = api.chat([{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}])
    for response in (not_json, no_messages, bad_role, image):
        assert error(response, 400)["code"] == "invalid_request"
    assert "messages.0.role" in bad_role.json()["error"]["message"]
    assert api.upstream.requests == []


def test_a_huge_body_gets_413(api: Api) -> None:
    response = api.chat("x" * 1_100_000)
    assert error(response, 413)["code"] == "request_too_large"
    assert api.upstream.requests == []


def test_an_unknown_subject_gets_404(api: Api) -> None:
    assert error(api.chat("Hi", subject="CUST-NOBODY"), 404)["code"] == "subject_not_found"


def test_upstream_errors_get_503_and_only_pseudonymised_text_was_sent(api: Api) -> None:
    api.upstream.set_default(Script.error(503))
    body = error(api.chat(QUESTION), 503)
    assert body["code"] == "upstream_unavailable"
    api.upstream.assert_never_received(NAME, EMAIL)
    assert api.audit("gateway.turn")[-1].outcome == "error"


def test_an_unreachable_upstream_gets_503(api: Api) -> None:
    api.gateway.backend = AsyncUpstreamClient(
        UpstreamSettings(base_url=f"http://127.0.0.1:{unused_port()}/v1", model="m", max_attempts=1)
    )
    assert error(api.chat(QUESTION), 503)["code"] == "upstream_unavailable"
    assert error(api.chat(QUESTION, stream=True), 503)["code"] == "upstream_unavailable"


def test_an_upstream_timeout_gets_504(api: Api) -> None:
    api.upstream.set_default(Script(text="late", delay=3.0))  # read timeout is 1 s
    assert error(api.chat(QUESTION), 504)["code"] == "upstream_timeout"
    assert error(api.chat(QUESTION, stream=True), 504)["code"] == "upstream_timeout"


def test_an_upstream_cut_off_mid_stream_gets_503_not_half_an_answer(api: Api) -> None:
    api.upstream.set_default(
        Script(chunks=["Dear ", "[PERSON_1]", " your", " order"], disconnect="mid_stream")
    )
    assert error(api.chat(QUESTION, stream=True), 503)["code"] == "upstream_unavailable"


def test_vault_down_gets_503_and_nothing_goes_upstream(api: Api, store_env, tmp_path: Path) -> None:
    blocker = tmp_path / "gone.db"
    blocker.mkdir()
    url = (
        f"sqlite:///{blocker}"
        if store_env.is_sqlite
        else f"postgresql+psycopg://postgres@127.0.0.1:{unused_port()}/test"
    )
    broken = Database(url, name="data store")
    # The database goes away under a running gateway.
    api.gateway.vault._scope.data = broken  # type: ignore[attr-defined]
    api.gateway.vault.audit_log.db = broken
    api.gateway.states._db = broken  # type: ignore[attr-defined]
    assert error(api.chat(QUESTION), 503)["code"] == "vault_unavailable"
    api.gateway.api_keys._db = broken  # type: ignore[attr-defined]
    assert error(api.chat(QUESTION), 503)["code"] == "vault_unavailable"
    assert api.upstream.requests == []


def test_detection_failure_gets_503_and_nothing_goes_upstream(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from discreet.detect import DetectionError

    def broken(*args: object, **kwargs: object) -> None:
        raise DetectionError("recognizer 'x' failed: RuntimeError")

    monkeypatch.setattr(api.gateway.detector, "detect_batch", broken)
    assert error(api.chat(QUESTION), 503)["code"] == "detection_unavailable"
    assert api.upstream.requests == []


def test_audit_log_failure_withholds_the_answer(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from discreet.store.errors import StoreUnavailable

    api.upstream.set_default(Script(text="Here is your answer, [PERSON_1]."))

    def broken(*args: object, **kwargs: object) -> None:
        raise StoreUnavailable("data store unavailable")

    monkeypatch.setattr(api.gateway.states, "record_turn", broken)
    response = api.chat(QUESTION)
    assert error(response, 503)["code"] == "audit_unavailable"
    assert "Here is your answer" not in response.text


def test_a_conversation_id_that_is_personal_data_is_refused(api: Api) -> None:
    response = api.chat("Hi", conversation="marieke.oosterhout@voorbeeld.nl")
    assert error(response, 400)["code"] == "invalid_conversation_id"
    assert api.upstream.requests == []
