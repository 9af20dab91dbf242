"""Server-sent events as OpenAI-compatible servers stream chat completions.

Two layers: `SSEDecoder` turns lines into event payloads following the SSE rules (``data:``
lines joined by newlines, a blank line ends an event, ``:`` lines are comments, other
fields are ignored), and `parse_chunk` reads one chat-completion chunk from a payload.
Errors name what was wrong, never the payload (it holds the conversation).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from discreet.errors import UpstreamFailure

DONE = "[DONE]"


class StreamFormatError(UpstreamFailure, ValueError):
    """A streamed event is not a valid chat-completion chunk; says why, not what it held."""


class SSEDecoder:
    """Feed lines (without their line ending) one by one; complete events come out."""

    def __init__(self) -> None:
        self._data: list[str] = []

    def feed_line(self, line: str) -> str | None:
        """The event's data when `line` completes one, else None."""
        line = line.rstrip("\r\n")
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None  # comment / keep-alive
        field, _, value = line.partition(":")
        if field == "data":
            self._data.append(value[1:] if value.startswith(" ") else value)
        return None  # event:, id:, retry: carry nothing a completion needs

    def flush(self) -> str | None:
        """Data of a last event the server did not end with a blank line."""
        return self._dispatch()

    def _dispatch(self) -> str | None:
        if not self._data:
            return None
        data = "\n".join(self._data)
        self._data = []
        return data


@dataclass(frozen=True, slots=True)
class StreamChunk:
    """What one event contributes: text, the end marker, or a finish reason."""

    content: str = ""
    done: bool = False
    finish_reason: str | None = None
    usage: object | None = None
    """The stream's ``usage`` object, when the server sends one (unchecked here)."""


def parse_chunk(data: str) -> StreamChunk:
    """Interpret one event payload of a streamed chat completion."""
    if data.strip() == DONE:
        return StreamChunk(done=True)
    try:
        payload: Any = json.loads(data)
    except ValueError:
        raise StreamFormatError("stream event is not valid JSON") from None
    if not isinstance(payload, dict):
        raise StreamFormatError("stream event is not a JSON object")
    if "error" in payload:
        raise StreamFormatError("upstream sent an error event in the stream")
    choices = payload.get("choices")
    if not isinstance(choices, list):
        raise StreamFormatError("stream event lacks 'choices'")
    usage = payload.get("usage")
    if not choices:
        return StreamChunk(usage=usage)  # e.g. a trailing usage-only chunk
    choice = choices[0]
    if not isinstance(choice, dict):
        raise StreamFormatError("stream event 'choices[0]' is not an object")
    delta = choice.get("delta") or {}
    if not isinstance(delta, dict):
        raise StreamFormatError("stream event 'choices[0].delta' is not an object")
    content = delta.get("content")
    if content is not None and not isinstance(content, str):
        raise StreamFormatError("stream event 'choices[0].delta.content' is not a string")
    finish = choice.get("finish_reason")
    return StreamChunk(
        content=content or "",
        finish_reason=finish if isinstance(finish, str) else None,
        usage=usage,
    )
