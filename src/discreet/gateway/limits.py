"""Hard limits on what the upstream may cost a turn: answer bytes and wall time.

A malicious or broken upstream can answer with 60 MB, drip 20 MB in tiny chunks for
minutes, or never answer at all. Read timeouts do not help against a drip (every chunk
arrives in time), so a turn has an overall deadline, and the answer a byte cap, both for
plain and streamed answers:

* `read_capped`: a response body read in chunks, refused (`UpstreamBadResponse`, 502)
  as soon as it passes `max_bytes`, never buffered whole;
* `collect_capped`: a stream of text deltas collected the same way;
* `TurnLimits.deadline`: seconds for the model's part of a turn; past it the turn fails
  with `UpstreamTimeout` (504) and the connection is dropped.

Upstream faults are the upstream's (502/504), never the client's 413.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from discreet.gateway.errors import UpstreamBadResponse
from discreet.settings import DEFAULT_MAX_ANSWER_BYTES, DEFAULT_TURN_DEADLINE_S, Settings


@dataclass(frozen=True, slots=True)
class TurnLimits:
    """The byte cap on an upstream answer and the deadline of the model's part
    (``DISCREET_MAX_ANSWER_BYTES``, ``DISCREET_TURN_DEADLINE_S``)."""

    max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES
    deadline: float = DEFAULT_TURN_DEADLINE_S

    @classmethod
    def from_settings(cls, settings: Settings) -> TurnLimits:
        """The limits the settings hold (validated there, each named by its variable)."""
        return cls(settings.max_answer_bytes, settings.turn_deadline_s)


def too_large(max_bytes: int, attempts: int = 1) -> UpstreamBadResponse:
    return UpstreamBadResponse(
        f"upstream answer exceeds {max_bytes} bytes; refused", attempts=attempts
    )


async def read_capped(response: httpx.Response, max_bytes: int, attempts: int = 1) -> bytes:
    """The body of a streamed `response`, at most `max_bytes` (else `UpstreamBadResponse`)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large(max_bytes, attempts)
    parts: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise too_large(max_bytes, attempts)
        parts.append(chunk)
    return b"".join(parts)


async def collect_capped(deltas: AsyncIterator[str], max_bytes: int) -> list[str]:
    """All deltas of a stream, refused once their UTF-8 size passes `max_bytes`."""
    pieces: list[str] = []
    size = 0
    async for delta in deltas:
        size += len(delta.encode("utf-8", "surrogatepass"))
        if size > max_bytes:
            raise too_large(max_bytes)
        pieces.append(delta)
    return pieces


MAX_HISTORY_BYTES = 16_000
"""The earlier-conversations context sent upstream, at most (newest lines kept): echoed
answers stored in transcripts would otherwise snowball into every later request."""


def cap_history(lines: list[str], max_bytes: int = MAX_HISTORY_BYTES) -> list[str]:
    """The newest of `lines` (oldest first) whose UTF-8 size fits in `max_bytes`."""
    kept: list[str] = []
    size = 0
    for line in reversed(lines):
        size += len(line.encode("utf-8", "surrogatepass")) + 1
        if size > max_bytes:
            break
        kept.append(line)
    kept.reverse()
    return kept


__all__ = [
    "DEFAULT_MAX_ANSWER_BYTES",
    "DEFAULT_TURN_DEADLINE_S",
    "MAX_HISTORY_BYTES",
    "TurnLimits",
    "cap_history",
    "collect_capped",
    "read_capped",
    "too_large",
]
