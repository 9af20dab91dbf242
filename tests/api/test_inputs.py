"""Every route gets the same body checks (api/inputs.py): one size limit, lone surrogates
refused with 400, never a 500 whose traceback would carry the request's values."""

from __future__ import annotations

from tests.api.conftest import Api

SURROGATE = (
    b'{"purpose": "analytics", "state": "granted", "notice_version": "v1", "channel": "\\ud800"}'
)


def test_lone_surrogates_get_400_on_every_route(api: Api) -> None:
    key = {"Authorization": f"Bearer {api.keys['support']}", "Content-Type": "application/json"}
    chat = api.client.post(
        "/v1/chat/completions",
        content=b'{"model": "m", "messages": [{"role": "user", "content": "Hi \\udc00 there"}]}',
        headers=key,
    )
    consent = api.client.post("/v1/subjects/CUST-48213/consents", content=SURROGATE, headers=key)
    paired = api.client.post(
        "/v1/chat/completions",
        content=b'{"model": "m", "messages": [{"role": "user", "content": "Hi \\ud83d\\ude00"}]}',
        headers=key,
    )

    for response in (chat, consent):
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == "invalid_text"
    assert paired.status_code == 200  # a valid pair (an emoji) is fine
    assert api.upstream.requests and "\\ud800" not in api.upstream.received_text()


def test_one_body_limit_on_every_route(api: Api) -> None:
    big = b'{"purpose": "' + b"x" * 2_000_000 + b'"}'
    response = api.client.post(
        "/v1/subjects/CUST-48213/consents",
        content=big,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
