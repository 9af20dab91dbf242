"""A real loopback HTTP server that plays an OpenAI-compatible upstream model in tests.

It listens on 127.0.0.1 (a free port picked by the OS), speaks ``POST /v1/chat/completions``
with and without ``"stream": true`` (server-sent events, chunked transfer encoding), and
records every request it receives, so a test can assert that no raw PII ever reached it.
Each test scripts it: a fixed reply, an echo of the last user message, a reply in given
chunks, a delay, an HTTP error (with ``Retry-After``) for the first N requests, a
malformed body, or an abrupt disconnect before the response or mid-stream.

Use the `recording_upstream` fixture (import it in a conftest.py)::

    def test_x(recording_upstream):
        recording_upstream.set_default(Script(text="Hi [PERSON_1]"))
        recording_upstream.enqueue(Script.error(503))  # the first request fails
        ... point a client at recording_upstream.base_url ...
        recording_upstream.assert_never_received("Jan Jansen")
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal

import pytest

COMPLETIONS_PATH = "/v1/chat/completions"


@dataclass(frozen=True)
class Script:
    """How the server answers one request. The default answers "OK" with HTTP 200."""

    text: str = "OK"
    echo: bool = False  # answer with the last user message's text instead of `text`
    chunks: Sequence[str] | None = None  # streamed pieces (joined when not streaming)
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    raw_body: bytes | None = None  # sent verbatim instead of a well-formed body
    content_type: str | None = None  # for raw_body; default: what the request asked for
    delay: float = 0.0  # seconds to wait before the response headers
    chunk_delay: float = 0.0  # seconds to wait between streamed events
    disconnect: Literal["before_response", "mid_stream"] | None = None

    @classmethod
    def error(cls, status: int = 500, retry_after: float | str | None = None) -> Script:
        """An HTTP error response, optionally with a ``Retry-After`` header."""
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        return cls(status=status, headers=headers)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str
    headers: Mapping[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def _last_user_text(body: Any) -> str:
    messages = body.get("messages", []) if isinstance(body, dict) else []
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):
                return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def _completion(text: str, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-loopback",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def _chunk(model: str, delta: dict[str, str], finish: str | None = None) -> bytes:
    event = {
        "id": "chatcmpl-loopback",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(event)}\n\n".encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked encoding, like real servers
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean (and free of request lines)

    def do_GET(self) -> None:
        if self.path == "/v1/models":
            self._send_json(200, {"object": "list", "data": [{"id": "loopback-model"}]})
        else:
            self._send_json(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        upstream = self.server.upstream
        upstream._record(
            RecordedRequest(
                method="POST",
                path=self.path,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
        )
        if self.path != upstream.prefix + COMPLETIONS_PATH:
            self._send_json(404, {"error": {"message": "not found"}})
            return
        script = upstream._next_script(body)
        if script.delay and upstream._stopping.wait(script.delay):
            return  # server shutting down
        if script.disconnect == "before_response":
            self._abort()
            return
        try:
            payload: Any = json.loads(body)
        except ValueError:
            payload = {}
        streaming = isinstance(payload, dict) and payload.get("stream") is True
        model = str(payload.get("model", "")) if isinstance(payload, dict) else ""
        if script.status != 200:
            error = {"error": {"message": "scripted failure", "type": "server_error"}}
            self._send_json(script.status, error, script.headers)
        elif script.raw_body is not None:
            ctype = script.content_type or (
                "text/event-stream" if streaming else "application/json"
            )
            self._send_bytes(200, script.raw_body, ctype, script.headers)
        else:
            text = _last_user_text(payload) if script.echo else script.text
            chunks = list(script.chunks) if script.chunks is not None else [text]
            if streaming:
                self._stream(chunks, model, script)
            else:
                self._send_json(200, _completion("".join(chunks), model), script.headers)

    # -- writing -------------------------------------------------------------------------

    def _send_bytes(
        self, status: int, data: bytes, ctype: str, headers: Mapping[str, str] = {}
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_json(self, status: int, payload: Any, headers: Mapping[str, str] = {}) -> None:
        self._send_bytes(status, json.dumps(payload).encode(), "application/json", headers)

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _stream(self, chunks: list[str], model: str, script: Script) -> None:
        try:
            self._stream_events(chunks, model, script)
        except OSError:  # the reader closed the connection: what a test may wait for
            self.server.upstream._record_hang_up()

    def _stream_events(self, chunks: list[str], model: str, script: Script) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in script.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self._write_chunk(_chunk(model, {"role": "assistant", "content": ""}))
        # A mid-stream disconnect happens after half of the pieces (at least one).
        cut_after = max(1, len(chunks) // 2) if script.disconnect == "mid_stream" else None
        for number, piece in enumerate(chunks, start=1):
            if script.chunk_delay and self.server.upstream._stopping.wait(script.chunk_delay):
                return
            self._write_chunk(_chunk(model, {"content": piece}))
            if cut_after is not None and number >= cut_after:
                self._abort()
                return
        self._write_chunk(_chunk(model, {}, finish="stop"))
        self._write_chunk(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _abort(self) -> None:
        """Drop the connection without a proper end, as a crashing server would."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    upstream: RecordingUpstream

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hang up on purpose in timeout tests; a broken pipe here is expected.
        pass


class RecordingUpstream:
    """The loopback server: start it, script it, point a client at `base_url`, inspect."""

    def __init__(self, default: Script | None = None) -> None:
        self._default = default or Script()
        self.prefix = ""
        """A path before ``/v1`` (a proxy's, say); ``base_url`` includes it."""
        self._queue: deque[Script] = deque()
        self._requests: list[RecordedRequest] = []
        self._hang_ups = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.upstream = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> RecordingUpstream:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wake handlers sleeping in a scripted delay
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RecordingUpstream:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """The base URL an OpenAI-style client takes (ends in ``/v1``)."""
        return f"http://127.0.0.1:{self.port}{self.prefix}/v1"

    # -- scripting -----------------------------------------------------------------------

    def set_default(self, script: Script) -> None:
        """How to answer every request that no queued script is left for."""
        with self._lock:
            self._default = script

    def enqueue(self, *scripts: Script) -> None:
        """One-shot answers for the next requests, in order, before the default applies."""
        with self._lock:
            self._queue.extend(scripts)

    def fail_first(self, count: int, status: int = 500, retry_after: float | None = None) -> None:
        """The next `count` requests get HTTP `status` (with ``Retry-After`` if given)."""
        self.enqueue(*[Script.error(status, retry_after)] * count)

    def _next_script(self, body: bytes = b"") -> Script:
        """The script for a request with `body` (subclasses may answer by content)."""
        with self._lock:
            return self._queue.popleft() if self._queue else self._default

    # -- recording -----------------------------------------------------------------------

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _record_hang_up(self) -> None:
        with self._lock:
            self._hang_ups += 1

    @property
    def hang_ups(self) -> int:
        """Streams whose reader closed the connection before their end (a write failed)."""
        with self._lock:
            return self._hang_ups

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._requests)

    def bodies(self) -> list[Any]:
        """The JSON bodies of all chat-completion requests received."""
        return [r.json() for r in self.requests if r.path == self.prefix + COMPLETIONS_PATH]

    def received_text(self) -> str:
        """Everything the server received (headers and bodies), as one string."""
        parts: list[str] = []
        for request in self.requests:
            parts.extend(f"{k}: {v}" for k, v in request.headers.items())
            parts.append(request.text)
            # JSON escapes non-ASCII; decode too, so "Zoë" is found in '"Zo\u00eb"'.
            with contextlib.suppress(ValueError):
                parts.append(json.dumps(request.json(), ensure_ascii=False))
        return "\n".join(parts)

    def assert_never_received(self, *values: str) -> None:
        """Fail if any of `values` reached the server. The message names the value's position
        in the argument list, not the value, so test output stays free of (test) PII."""
        received = self.received_text()
        leaked = [number for number, value in enumerate(values) if value in received]
        assert not leaked, f"upstream received raw value(s) at argument position(s) {leaked}"


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default


_HANDED_OUT: set[int] = set()


def unused_port() -> int:
    """A loopback port nothing listens on (bound, then released), for servers a test starts
    and for refused connections.

    Chosen below the kernel's ephemeral range on purpose: a port from `bind(0)` lies inside
    it, and between the check and the server's own bind any outgoing connection of the suite
    (PostgreSQL, httpx, the other xdist worker) may take it as its source port, so a spawned
    `discreet serve` fails with "Address already in use". Ports below the range are only
    ever taken by a bind, and the random start keeps two workers apart."""
    low, _ = _ephemeral_range()
    first, last = 20000, max(20001, low - 1)
    rng = random.SystemRandom()
    for _attempt in range(200):
        port = rng.randint(first, last)
        if port in _HANDED_OUT:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    raise RuntimeError(f"no free loopback port between {first} and {last}")


@pytest.fixture
def recording_upstream() -> Iterator[RecordingUpstream]:
    """A started `RecordingUpstream`, stopped after the test."""
    with RecordingUpstream() as upstream:
        yield upstream
