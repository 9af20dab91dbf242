"""The upstream client's parts: its settings, SSE parsing and the retry policy (the
client itself is exercised in test_gateway_upstream.py)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import httpx
import pytest

from discreet.gateway.errors import UpstreamTimeout
from discreet.gateway.settings import UpstreamConfigError, UpstreamSettings
from discreet.gateway.sse import SSEDecoder, StreamFormatError, parse_chunk
from discreet.gateway.upstream import _RetryPolicy, retry_after_seconds
from discreet.settings import Settings, SettingsInvalid

MESSAGES = [{"role": "user", "content": "Where is [ORDER_ID_1]?"}]


def test_settings_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("URL", "BASE_URL"):
        monkeypatch.setenv(f"DISCREET_UPSTREAM_{name}", "  ")  # blank: unset
    assert UpstreamSettings.from_settings(Settings()) is None
    monkeypatch.setenv("DISCREET_UPSTREAM_BASE_URL", "https://llm.example.com/v1/")
    monkeypatch.setenv("DISCREET_UPSTREAM_MODEL", "gpt-x")
    monkeypatch.setenv("DISCREET_UPSTREAM_API_KEY", "sk-secret-value")
    monkeypatch.setenv("DISCREET_UPSTREAM_READ_TIMEOUT", "12.5")
    monkeypatch.setenv("DISCREET_UPSTREAM_MAX_ATTEMPTS", "4")
    read = Settings()
    assert "sk-secret-value" not in repr(read)
    settings = UpstreamSettings.from_settings(read)
    assert settings is not None
    assert settings.completions_url == "https://llm.example.com/v1/chat/completions"
    assert (settings.read_timeout, settings.max_attempts) == (12.5, 4)
    assert "sk-secret-value" not in repr(settings)


def test_invalid_settings_name_fields_not_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISCREET_UPSTREAM_MODEL", raising=False)
    monkeypatch.setenv("DISCREET_UPSTREAM_BASE_URL", "ftp://user:hunter2@example.com")
    monkeypatch.setenv("DISCREET_UPSTREAM_API_KEY", "sk-secret-value")
    monkeypatch.setenv("DISCREET_UPSTREAM_MAX_ATTEMPTS", "lots")
    with pytest.raises(SettingsInvalid) as read:  # not a number: refused when read
        Settings()
    monkeypatch.setenv("DISCREET_UPSTREAM_MAX_ATTEMPTS", "99")
    with pytest.raises(UpstreamConfigError) as checked:  # the upstream's own checks
        UpstreamSettings.from_settings(Settings())
    first, second = str(read.value), str(checked.value)
    assert "DISCREET_UPSTREAM_MAX_ATTEMPTS" in first
    assert "BASE_URL" in second and "MODEL" in second and "MAX_ATTEMPTS" in second
    for message in (first, second):
        assert "hunter2" not in message and "sk-secret-value" not in message
        assert "lots" not in message and "99" not in message


def test_retry_after_forms() -> None:
    now = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(httpx.Headers({"Retry-After": "3"})) == 3.0
    assert retry_after_seconds(httpx.Headers({"retry-after-ms": "250"})) == 0.25
    date_header = httpx.Headers({"Retry-After": "Sun, 22 Nov 2026 12:00:07 GMT"})
    assert retry_after_seconds(date_header, now=now) == 7.0
    assert retry_after_seconds(httpx.Headers({"Retry-After": "soon"})) is None
    assert retry_after_seconds(httpx.Headers()) is None


def test_sse_decoder_follows_the_event_stream_rules() -> None:
    decoder = SSEDecoder()
    lines = [": keep-alive", "event: message", 'data: {"a":', "data: 1}", "", "data:[DONE]", ""]
    events = [event for line in lines if (event := decoder.feed_line(line)) is not None]
    assert events == ['{"a":\n1}', "[DONE]"]
    decoder.feed_line("data: tail")
    assert decoder.flush() == "tail"
    assert decoder.flush() is None


def test_parse_chunk_reads_deltas_and_rejects_garbage() -> None:
    assert parse_chunk("[DONE]").done
    chunk = parse_chunk('{"choices":[{"delta":{"content":"Hi"},"finish_reason":null}]}')
    assert (chunk.content, chunk.finish_reason) == ("Hi", None)
    assert parse_chunk('{"choices":[{"delta":{},"finish_reason":"stop"}]}').finish_reason == "stop"
    assert parse_chunk('{"choices":[],"usage":{"total_tokens":3}}').content == ""
    for bad in [
        "{not json",
        "[]",
        '{"error":{"message":"x"}}',
        '{"choices":[{"delta":{"content":1}}]}',
    ]:
        with pytest.raises(StreamFormatError):
            parse_chunk(bad)


def test_retry_policy_retries_connect_timeouts_but_not_read_timeouts() -> None:
    settings = UpstreamSettings(base_url="http://127.0.0.1:9/v1", model="m", max_attempts=2)
    policy = _RetryPolicy(settings, random.Random(0))
    policy.start_attempt()
    assert policy.after_transport_error(httpx.ConnectTimeout("slow connect")) > 0
    policy.start_attempt()
    with pytest.raises(UpstreamTimeout, match="connecting"):
        policy.after_transport_error(httpx.ConnectTimeout("slow connect"))

    fresh = _RetryPolicy(settings, random.Random(0))
    fresh.start_attempt()
    with pytest.raises(UpstreamTimeout, match="ReadTimeout"):
        fresh.after_transport_error(httpx.ReadTimeout("slow model"))
