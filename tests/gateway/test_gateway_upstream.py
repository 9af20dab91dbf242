"""The async upstream client against a real loopback OpenAI-compatible server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from tests.support.upstream import RecordingUpstream, Script, unused_port

from discreet.gateway.backend import ChatBackend, create_backend
from discreet.gateway.errors import (
    UpstreamBadResponse,
    UpstreamError,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from discreet.gateway.settings import UpstreamSettings
from discreet.gateway.upstream import AsyncUpstreamClient

pytestmark = pytest.mark.anyio

API_KEY = "sk-test-do-not-leak-0123456789"
# Stands in for conversation content: it must never show up in an error message.
MARKER = "MARKER-Zq7x [PERSON_1]"
MESSAGES = [
    {"role": "system", "content": "Customer: name [PERSON_1]"},
    {"role": "user", "content": f"Where is my order? {MARKER}"},
]


def settings_for(base_url: str, **overrides: object) -> UpstreamSettings:
    values: dict[str, object] = {
        "base_url": base_url,
        "model": "loopback-model",
        "api_key": API_KEY,
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "max_attempts": 3,
        "backoff_initial": 0.01,
        "backoff_max": 0.05,
        "retry_after_cap": 5.0,
    }
    values.update(overrides)
    return UpstreamSettings.model_validate(values)


class Sleeps:
    """Records requested backoff waits instead of sleeping them."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def client(
    recording_upstream: RecordingUpstream, sleeps: Sleeps
) -> AsyncIterator[AsyncUpstreamClient]:
    async with AsyncUpstreamClient(
        settings_for(recording_upstream.base_url), sleep=sleeps
    ) as upstream_client:
        yield upstream_client


def assert_clean(error: UpstreamError) -> None:
    """Error text names the failure, never the conversation or the key."""
    assert MARKER not in str(error)
    assert "Where is my order" not in str(error)
    assert API_KEY not in str(error) and API_KEY not in repr(error)
    assert error.__cause__ is None


async def collect(stream: AsyncIterator[str]) -> list[str]:
    return [delta async for delta in stream]


async def test_complete_returns_the_answer_and_sends_an_openai_request(
    recording_upstream: RecordingUpstream, client: AsyncUpstreamClient
) -> None:
    recording_upstream.set_default(Script(text="Hello [PERSON_1], it ships today."))
    answer = await client.complete(MESSAGES, params={"temperature": 0.2, "model": "other"})
    assert answer == "Hello [PERSON_1], it ships today."
    (request,) = recording_upstream.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    body = request.json()
    # The configured model wins over a client's choice: an admin decides where data goes.
    assert body == {
        "temperature": 0.2,
        "model": "loopback-model",
        "messages": MESSAGES,
        "stream": False,
    }


async def test_stream_yields_the_servers_deltas_in_order(
    recording_upstream: RecordingUpstream, client: AsyncUpstreamClient
) -> None:
    pieces = ["Hel", "lo [PER", "SON_1], your order ", "[ORDER_ID_1]", " ships."]
    recording_upstream.set_default(Script(chunks=pieces))
    assert await collect(client.stream(MESSAGES)) == pieces
    assert recording_upstream.bodies()[0]["stream"] is True
    assert recording_upstream.requests[0].headers["accept"] == "text/event-stream"


async def test_echo_reply_shows_exactly_what_reached_the_upstream(
    recording_upstream: RecordingUpstream, client: AsyncUpstreamClient
) -> None:
    recording_upstream.set_default(Script(echo=True))
    assert await client.complete(MESSAGES) == MESSAGES[-1]["content"]
    assert "".join(await collect(client.stream(MESSAGES))) == MESSAGES[-1]["content"]


async def test_slow_upstream_raises_timeout_without_retrying(
    recording_upstream: RecordingUpstream, sleeps: Sleeps
) -> None:
    recording_upstream.set_default(Script(delay=3.0))
    settings = settings_for(recording_upstream.base_url, read_timeout=0.2)
    async with AsyncUpstreamClient(settings, sleep=sleeps) as slow_client:
        with pytest.raises(UpstreamTimeout) as info:
            await slow_client.complete(MESSAGES)
    assert_clean(info.value)
    assert len(recording_upstream.requests) == 1
    assert sleeps.calls == []


async def test_stream_that_stalls_raises_timeout(recording_upstream: RecordingUpstream) -> None:
    recording_upstream.set_default(Script(chunks=["a", "b", "c"], chunk_delay=3.0))
    settings = settings_for(recording_upstream.base_url, read_timeout=0.2)
    async with AsyncUpstreamClient(settings) as slow_client:
        with pytest.raises(UpstreamTimeout) as info:
            await collect(slow_client.stream(MESSAGES))
    assert_clean(info.value)


async def test_server_error_then_success_is_retried(
    recording_upstream: RecordingUpstream, client: AsyncUpstreamClient, sleeps: Sleeps
) -> None:
    recording_upstream.fail_first(1, status=500)
    recording_upstream.set_default(Script(text="recovered"))
    assert await client.complete(MESSAGES) == "recovered"
    assert len(recording_upstream.requests) == 2
    assert len(sleeps.calls) == 1 and 0 < sleeps.calls[0] <= 0.05
    # The retry sends the very same (pseudonymised) body.
    assert recording_upstream.bodies()[0] == recording_upstream.bodies()[1]


async def test_stream_is_retried_when_the_error_comes_before_it_starts(
    recording_upstream: RecordingUpstream, client: AsyncUpstreamClient
) -> None:
    recording_upstream.fail_first(2, status=503)
    recording_upstream.set_default(Script(chunks=["ok"]))
    assert await collect(client.stream(MESSAGES)) == ["ok"]
    assert len(recording_upstream.requests) == 3


@pytest.mark.parametrize(("header", "expected_wait"), [("1", 1.0), ("120", 5.0)])
async def test_429_waits_for_retry_after_up_to_the_cap(
    recording_upstream: RecordingUpstream,
    client: AsyncUpstreamClient,
    sleeps: Sleeps,
    header: str,
    expected_wait: float,
) -> None:
    recording_upstream.enqueue(Script.error(429, retry_after=header))
    recording_upstream.set_default(Script(text="after the wait"))
    assert await client.complete(MESSAGES) == "after the wait"
    assert sleeps.calls == [expected_wait]


async def test_persistent_server_error_gives_unavailable_after_max_attempts(
    recording_upstream: RecordingUpstream, client: AsyncUpstreamClient, sleeps: Sleeps
) -> None:
    recording_upstream.set_default(Script.error(500))
    with pytest.raises(UpstreamUnavailable) as info:
        await client.complete(MESSAGES)
    assert (info.value.status, info.value.attempts) == (500, 3)
    assert len(recording_upstream.requests) == 3
    assert len(sleeps.calls) == 2  # no pointless wait after the last attempt
    assert_clean(info.value)


async def test_connection_refused_gives_unavailable(sleeps: Sleeps) -> None:
    settings = settings_for(f"http://127.0.0.1:{unused_port()}/v1", max_attempts=2)
    async with AsyncUpstreamClient(settings, sleep=sleeps) as refused_client:
        with pytest.raises(UpstreamUnavailable) as info:
            await refused_client.complete(MESSAGES)
        with pytest.raises(UpstreamUnavailable):
            await collect(refused_client.stream(MESSAGES))
    assert info.value.attempts == 2
    assert "ConnectError" in str(info.value)
    assert_clean(info.value)


async def test_malformed_json_gives_bad_response_without_echoing_the_body(
    recording_upstream: RecordingUpstream, client: AsyncUpstreamClient
) -> None:
    recording_upstream.set_default(Script(raw_body=b'{"choices": [ {"message": "Jan Jan'))
    with pytest.raises(UpstreamBadResponse) as info:
        await client.complete(MESSAGES)
    assert "not valid JSON" in str(info.value)
    assert "Jan" not in str(info.value)
    assert_clean(info.value)
    assert len(recording_upstream.requests) == 1  # a bad body is not retried


@pytest.mark.parametrize(
    "body",
    [b'{"choices": []}', b'{"choices": [{"message": {"content": null}}]}', b"[1, 2]"],
    ids=["no-choices", "null-content", "not-an-object"],
)
async def test_json_without_answer_text_gives_bad_response(
    recording_upstream: RecordingUpstream, client: AsyncUpstreamClient, body: bytes
) -> None:
    recording_upstream.set_default(Script(raw_body=body))
    with pytest.raises(UpstreamBadResponse):
        await client.complete(MESSAGES)


async def test_malformed_stream_event_gives_bad_response(
    recording_upstream: RecordingUpstream, client: AsyncUpstreamClient
) -> None:
    recording_upstream.set_default(Script(raw_body=b"data: {not json Jan Jansen}\n\n"))
    with pytest.raises(UpstreamBadResponse) as info:
        await collect(client.stream(MESSAGES))
    assert "Jansen" not in str(info.value)


async def test_client_error_is_rejected_without_retry(
    recording_upstream: RecordingUpstream, client: AsyncUpstreamClient, sleeps: Sleeps
) -> None:
    recording_upstream.set_default(Script.error(401))
    with pytest.raises(UpstreamRejected) as info:
        await client.complete(MESSAGES)
    assert info.value.status == 401
    assert isinstance(info.value, UpstreamBadResponse)
    assert len(recording_upstream.requests) == 1 and sleeps.calls == []
    assert_clean(info.value)


async def test_disconnect_before_the_response_is_retried(
    recording_upstream: RecordingUpstream, client: AsyncUpstreamClient
) -> None:
    recording_upstream.enqueue(Script(disconnect="before_response"))
    recording_upstream.set_default(Script(text="second time lucky"))
    assert await client.complete(MESSAGES) == "second time lucky"
    assert len(recording_upstream.requests) == 2


async def test_stream_cut_off_midway_is_not_retried(
    recording_upstream: RecordingUpstream, client: AsyncUpstreamClient
) -> None:
    recording_upstream.set_default(
        Script(chunks=["one ", "two ", "three ", "four"], disconnect="mid_stream")
    )
    received: list[str] = []
    with pytest.raises(UpstreamUnavailable) as info:
        async for delta in client.stream(MESSAGES):
            received.append(delta)
    assert received == ["one ", "two "]
    assert len(recording_upstream.requests) == 1
    assert_clean(info.value)


async def test_stream_that_ends_without_done_or_finish_is_an_error(
    recording_upstream: RecordingUpstream, client: AsyncUpstreamClient
) -> None:
    partial = b'data: {"choices": [{"delta": {"content": "Hel"}, "finish_reason": null}]}\n\n'
    recording_upstream.set_default(Script(raw_body=partial))
    with pytest.raises(UpstreamUnavailable, match="ended before"):
        await collect(client.stream(MESSAGES))


async def test_server_that_ignores_stream_flag_still_streams_its_answer(
    recording_upstream: RecordingUpstream, client: AsyncUpstreamClient
) -> None:
    body = b'{"choices": [{"message": {"role": "assistant", "content": "whole"}}]}'
    recording_upstream.set_default(Script(raw_body=body, content_type="application/json"))
    assert await collect(client.stream(MESSAGES)) == ["whole"]


async def test_pseudonymised_turn_leaves_no_raw_value_at_the_upstream(
    recording_upstream: RecordingUpstream, client: AsyncUpstreamClient
) -> None:
    await client.complete(MESSAGES)
    recording_upstream.assert_never_received("Jan Jansen", "jan@example.com")
    with pytest.raises(AssertionError, match=r"position\(s\) \[1\]") as info:
        recording_upstream.assert_never_received("Jan Jansen", "[PERSON_1]")
    assert "[PERSON_1]" not in str(info.value)


async def test_client_is_a_chat_backend_created_from_settings(
    recording_upstream: RecordingUpstream,
) -> None:
    backend = create_backend(settings_for(recording_upstream.base_url))
    try:
        assert isinstance(backend, AsyncUpstreamClient)
        assert isinstance(backend, ChatBackend)
        assert API_KEY not in repr(backend)
        assert await backend.complete(MESSAGES) == "OK"
    finally:
        await backend.aclose()
