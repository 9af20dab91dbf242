"""The chat route's contract with OpenAI clients: `usage` is the upstream's (plain and
streamed), and a model name the policy does not map to the key's assistant is a 404
``model_not_found``, before anything reaches the upstream."""

from __future__ import annotations

import json

from tests.api.conftest import Api, parse_sse
from tests.support.upstream import Script

USAGE = {"prompt_tokens": 31, "completion_tokens": 7, "total_tokens": 38}


def _completion(text: str, usage: object) -> bytes:
    return json.dumps(
        {
            "id": "up-1",
            "object": "chat.completion",
            "model": "loopback",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}}],
            "usage": usage,
        }
    ).encode()


def _events(*payloads: object) -> bytes:
    return b"".join(f"data: {json.dumps(p)}\n\n".encode() for p in payloads) + b"data: [DONE]\n\n"


def test_plain_answers_carry_the_upstreams_usage(api: Api) -> None:
    api.upstream.enqueue(Script(raw_body=_completion("Hello!", USAGE)))
    response = api.chat("Where is my order?")
    assert response.status_code == 200, response.text
    assert response.json()["usage"] == USAGE


def test_nonsense_usage_from_the_upstream_is_not_passed_on(api: Api) -> None:
    bogus = {"prompt_tokens": -5, "completion_tokens": "many", "total_tokens": 1e30}
    api.upstream.enqueue(Script(raw_body=_completion("Hello!", bogus)))
    response = api.chat("Where is my order?")
    assert response.status_code == 200, response.text
    assert response.json()["usage"] == {
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "total_tokens": 0,
    }


def test_a_streamed_answer_ends_with_the_upstreams_usage_chunk(api: Api) -> None:
    chunk = {"choices": [{"index": 0, "delta": {"content": "Hello!"}, "finish_reason": None}]}
    done = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    usage = {"choices": [], "usage": USAGE}
    api.upstream.enqueue(
        Script(raw_body=_events(chunk, done, usage), content_type="text/event-stream")
    )
    response = api.chat("Where is my order?", stream=True)
    assert response.status_code == 200, response.text
    events = parse_sse(response.text)
    assert "".join(e["choices"][0]["delta"].get("content", "") for e in events if e["choices"])
    assert events[-1]["choices"] == [] and events[-1]["usage"] == USAGE
    # Without a usage chunk from the upstream, none is made up.
    api.upstream.enqueue(Script(raw_body=_events(chunk, done), content_type="text/event-stream"))
    plain = parse_sse(api.chat("And now?", stream=True).text)
    assert all("usage" not in event for event in plain)


def test_an_unknown_model_is_404_model_not_found_and_nothing_goes_upstream(api: Api) -> None:
    response = api.chat("Where is my order?", extra={"model": "gpt-9-secret-name"})
    assert response.status_code == 404, response.text
    error = response.json()["error"]
    assert error["code"] == "model_not_found" and error["param"] == "model"
    assert error["type"] == "invalid_request_error"
    assert "gpt-9-secret-name" not in error["message"]  # the client's text is not echoed
    assert api.upstream.requests == []


def test_the_assistants_name_and_the_policys_aliases_are_the_models(api: Api) -> None:
    headers = {"Authorization": f"Bearer {api.keys['support']}"}
    listed = api.client.get("/v1/models", headers=headers).json()
    assert [m["id"] for m in listed["data"]] == ["support", "gpt-test", "m"]
    for model in ("support", "gpt-test"):
        assert api.chat("Hi", extra={"model": model}).status_code == 200
    # Another assistant's name is not this key's model.
    assert api.chat("Hi", extra={"model": "billing"}).status_code == 404
