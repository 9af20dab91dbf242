"""HTTP clients for any OpenAI-compatible ``/v1/chat/completions`` endpoint.

`AsyncUpstreamClient` (for the async gateway) and `UpstreamClient` (for scripts and batch
jobs) send already-pseudonymised messages and return the answer whole (`complete`) or as
text deltas parsed from server-sent events (`stream`).

Failure handling, shared by both:

* Connect and read timeouts come from the settings; a timeout raises `UpstreamTimeout`.
* Connection errors, HTTP 5xx and 429 are retried up to ``max_attempts`` requests in all,
  waiting with exponential backoff (jittered, so many gateway processes do not retry in
  step), or for the server's ``Retry-After`` when it sends one, capped at
  ``retry_after_cap``. Read timeouts are not retried: the model may still be working on
  the request, and retrying would double the customer's wait and the cost.
* Once a stream has delivered its response headers it is never retried: deltas may
  already have reached the customer, and a second answer would not continue the first.
* Other 4xx raise `UpstreamRejected`; unusable bodies raise `UpstreamBadResponse`.
* No error message carries request or response content (see `errors.py`).
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import random
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from discreet.gateway.backend import ChatMessage
from discreet.gateway.errors import (
    UpstreamBadResponse,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from discreet.gateway.limits import read_capped
from discreet.gateway.settings import UpstreamSettings
from discreet.gateway.sse import SSEDecoder, StreamFormatError, parse_chunk
from discreet.gateway.upstream_tls import tls_options
from discreet.gateway.usage import record as record_usage

# Request fields the gateway owns: a client may not pick another model (an admin decides
# where customer data goes) or switch streaming behind the gateway's back.
RESERVED_PARAMS = frozenset({"model", "messages", "stream"})
_USER_AGENT = "discreet-gateway"


def build_body(
    settings: UpstreamSettings,
    messages: Sequence[ChatMessage],
    params: Mapping[str, Any] | None,
    *,
    stream: bool,
) -> dict[str, Any]:
    """The JSON request body; extra `params` (temperature, ...) minus `RESERVED_PARAMS`."""
    body = {k: v for k, v in (params or {}).items() if k not in RESERVED_PARAMS}
    body.update(model=settings.model, messages=[dict(m) for m in messages], stream=stream)
    return body


def _headers(settings: UpstreamSettings, *, stream: bool) -> dict[str, str]:
    headers = {
        "Accept": "text/event-stream" if stream else "application/json",
        "User-Agent": _USER_AGENT,
    }
    if settings.api_key is not None:
        headers["Authorization"] = f"Bearer {settings.api_key.get_secret_value()}"
    return headers


def _timeout(settings: UpstreamSettings) -> httpx.Timeout:
    return httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.read_timeout,
        write=settings.read_timeout,
        pool=settings.connect_timeout,
    )


def parse_completion(content: bytes, attempts: int = 1) -> str:
    """``choices[0].message.content`` of a chat-completion body, or `UpstreamBadResponse`."""
    try:
        payload: Any = json.loads(content)
    except ValueError:
        raise UpstreamBadResponse(
            "upstream response is not valid JSON", attempts=attempts
        ) from None
    choices = payload.get("choices") if isinstance(payload, dict) else None
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise UpstreamBadResponse("upstream response lacks 'choices[0]'", attempts=attempts)
    message = choices[0].get("message")
    text = message.get("content") if isinstance(message, dict) else None
    if not isinstance(text, str):
        raise UpstreamBadResponse(
            "upstream response lacks 'choices[0].message.content' text", attempts=attempts
        )
    record_usage(payload.get("usage"))  # passed on in the API's answer (gateway/usage.py)
    return text


def retry_after_seconds(headers: httpx.Headers, now: datetime | None = None) -> float | None:
    """The server's requested wait: ``retry-after-ms``, or ``Retry-After`` (seconds or date)."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class _RetryPolicy:
    """Counts attempts and decides, after each failure, to wait (returns seconds) or raise."""

    def __init__(self, settings: UpstreamSettings, rng: random.Random) -> None:
        self._settings = settings
        self._rng = rng
        self.attempts = 0

    def start_attempt(self) -> None:
        self.attempts += 1

    def _backoff(self) -> float:
        base: float = self._settings.backoff_initial * 2.0 ** (self.attempts - 1)
        return min(self._settings.backoff_max, base) * (0.5 + self._rng.random() / 2)

    @property
    def _exhausted(self) -> bool:
        return self.attempts >= self._settings.max_attempts

    def after_transport_error(self, exc: httpx.TransportError) -> float:
        n = self.attempts
        if isinstance(exc, httpx.ConnectTimeout):
            if self._exhausted:
                raise UpstreamTimeout(
                    f"connecting to upstream timed out ({n} attempts)", attempts=n
                )
            return self._backoff()
        if isinstance(exc, httpx.TimeoutException):
            raise UpstreamTimeout(
                f"upstream did not answer in time ({type(exc).__name__})", attempts=n
            )
        retryable = isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError)
        if not retryable or self._exhausted:
            raise UpstreamUnavailable(
                f"upstream unreachable: {type(exc).__name__} ({n} attempts)", attempts=n
            )
        return self._backoff()

    def after_status(self, status: int, headers: httpx.Headers) -> float:
        n = self.attempts
        if status == 429 or status >= 500:
            if self._exhausted:
                raise UpstreamUnavailable(
                    f"upstream returned HTTP {status} ({n} attempts)", status=status, attempts=n
                )
            requested = retry_after_seconds(headers)
            if requested is not None:
                return min(requested, self._settings.retry_after_cap)
            return self._backoff()
        raise UpstreamRejected(
            f"upstream rejected the request with HTTP {status}", status=status, attempts=n
        )


def _is_event_stream(response: httpx.Response) -> bool:
    return "text/event-stream" in response.headers.get("content-type", "")


class _StreamState:
    """Turns lines into deltas and remembers whether the stream ended properly."""

    def __init__(self, attempts: int) -> None:
        self._decoder = SSEDecoder()
        self._attempts = attempts
        self.done = False  # [DONE] seen: stop reading
        self._finish_seen = False  # a finish_reason seen: some servers end with no [DONE]

    def feed(self, line: str | None) -> str | None:
        """Feed a line (None at end of body); returns a non-empty delta or None."""
        data = self._decoder.feed_line(line) if line is not None else self._decoder.flush()
        if data is None or self.done:
            return None
        try:
            chunk = parse_chunk(data)
        except StreamFormatError as exc:
            raise UpstreamBadResponse(str(exc), attempts=self._attempts) from None
        self.done = chunk.done
        if chunk.usage is not None:
            record_usage(chunk.usage)
        self._finish_seen = self._finish_seen or chunk.finish_reason is not None
        return chunk.content or None

    def check_complete(self) -> None:
        """Raise when the body ended without [DONE] or a finish_reason (a cut-off answer)."""
        if not (self.done or self._finish_seen):
            raise UpstreamUnavailable(
                "upstream stream ended before the answer was complete", attempts=self._attempts
            )


def _stream_error(exc: httpx.TransportError | ssl.SSLError, attempts: int) -> Exception:
    if isinstance(exc, httpx.TimeoutException):
        return UpstreamTimeout("upstream stream stalled past the read timeout", attempts=attempts)
    return UpstreamUnavailable(
        f"upstream stream was cut off: {type(exc).__name__}", attempts=attempts
    )


class AsyncUpstreamClient:
    """Async client for one OpenAI-compatible upstream; implements `ChatBackend`.

    `http` lets a caller share a connection pool or inject a transport; `sleep` and `rng`
    exist so tests can observe backoff without waiting for it.
    """

    def __init__(
        self,
        settings: UpstreamSettings,
        *,
        http: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=_timeout(settings), **tls_options(settings))
        self._sleep = sleep
        self._rng = rng or random.Random()

    def __repr__(self) -> str:
        return f"AsyncUpstreamClient(model={self.settings.model!r})"

    async def __aenter__(self) -> AsyncUpstreamClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def _send(self, body: dict[str, Any], *, stream: bool) -> tuple[httpx.Response, int]:
        """A 2xx response (unread when `stream`), after retries; the caller closes it."""
        policy = _RetryPolicy(self.settings, self._rng)
        headers = _headers(self.settings, stream=stream)
        while True:
            policy.start_attempt()
            request = self._http.build_request(
                "POST", self.settings.completions_url, json=body, headers=headers
            )
            try:
                response = await self._http.send(request, stream=stream)
            except httpx.TransportError as exc:
                delay = policy.after_transport_error(exc)
            except ssl.SSLError as exc:
                # A TLS 1.3 alert (e.g. "certificate required") arrives after the handshake,
                # on the first read, and httpcore passes it on unwrapped. Not retryable.
                raise UpstreamUnavailable(
                    f"TLS with the upstream failed: {exc.reason or type(exc).__name__}",
                    attempts=policy.attempts,
                ) from None
            else:
                if response.is_success:
                    return response, policy.attempts
                await response.aclose()
                delay = policy.after_status(response.status_code, response.headers)
            await self._sleep(delay)

    async def complete(
        self, messages: Sequence[ChatMessage], *, params: Mapping[str, Any] | None = None
    ) -> str:
        """The whole answer text."""
        body = build_body(self.settings, messages, params, stream=False)
        # Read in chunks under the byte cap (gateway/limits.py), never buffered whole.
        response, attempts = await self._send(body, stream=True)
        try:
            content = await read_capped(response, self.settings.max_answer_bytes, attempts)
        except (httpx.TransportError, ssl.SSLError) as exc:
            raise _stream_error(exc, attempts) from None
        finally:
            await response.aclose()
        return parse_completion(content, attempts)

    async def stream(
        self, messages: Sequence[ChatMessage], *, params: Mapping[str, Any] | None = None
    ) -> AsyncIterator[str]:
        """The answer as text deltas; retries happen only before the response starts."""
        body = build_body(self.settings, messages, params, stream=True)
        response, attempts = await self._send(body, stream=True)
        try:
            if not _is_event_stream(response):
                # The server ignored stream=true and sent one JSON body: pass it on whole.
                content = await read_capped(response, self.settings.max_answer_bytes, attempts)
                yield parse_completion(content, attempts)
                return
            state = _StreamState(attempts)
            try:
                async for line in response.aiter_lines():
                    delta = state.feed(line)
                    if delta:
                        yield delta
                    if state.done:
                        break
                else:
                    delta = state.feed(None)
                    if delta:
                        yield delta
            except (httpx.TransportError, ssl.SSLError) as exc:
                raise _stream_error(exc, attempts) from None
            state.check_complete()
        finally:
            await response.aclose()
