"""The streaming steps: `answer` and `deliver` per chunk (gateway/release.py), then
`record` once the stream ends.

`released` pulls the upstream's deltas under the turn's byte cap and deadline and yields
each release as soon as it is guarded and checked. The caller (`Gateway.stream_turn`)
waits for the FIRST release before it answers the client, so a refusal before any text
is released (an upstream fault, a blocked answer, a short answer that fits in one
release) is still a clean HTTP status; after it, the stream has begun and a fault ends
it with an error event (api/app.py).

A release blocked by the guard ends the stream with the guard's blocked message; the
upstream is not read further, the conversation goes to a person ("answer_blocked") and
the incident is recorded with the turn, as for a whole answer. The transcript stores
the released segments in their pseudonymised form and the blocked message, never the
withheld text. The stream's last chunk tells the client (api/app.py): its headers went
out before the block.

A client that goes away mid-stream ends it early: the turn is recorded all the same, with
the segments released so far (what the customer may have received) and `cut_short`
(`CLIENT_DISCONNECTED`) in its audit record.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass, field

import anyio

from discreet.audit.log import AuditEvent
from discreet.gateway.delivery import check_delivery, leak_incident
from discreet.gateway.errors import UpstreamTimeout
from discreet.gateway.limits import too_large
from discreet.gateway.refusals import TurnRefused
from discreet.gateway.release import ChunkRelease
from discreet.gateway.steps.answer import in_thread, upstream_stream
from discreet.gateway.steps.deliver import guard_answer, guard_incident
from discreet.gateway.steps.facts import Delivery, Prepared
from discreet.gateway.steps.services import TurnServices
from discreet.guard import GuardResult

BLOCKED_SEPARATOR = "\n\n"
CLIENT_DISCONNECTED = "client_disconnected"
"""`Delivery.cut_short` of a stream whose client went away before its end."""


@dataclass(slots=True)
class StreamedTurn:
    """A streamed answer: its conversation, and its pieces as they are released.

    `handoff` (the reason, if the conversation is with a person) and `blocked` are what
    was known when the stream began, which the response headers show; a block after that
    sets both before the pieces end, for the stream's last chunk. `error` is set when the
    stream ended on a fault after it had begun (the client gets an error event, not a
    stop)."""

    conversation_id: str
    model: str
    handoff: str | None
    pieces: AsyncGenerator[str, None]
    blocked: bool = False
    error: TurnRefused | None = field(default=None)

    def __repr__(self) -> str:
        return f"StreamedTurn(conversation={self.conversation_id!r})"


def chunk_release(services: TurnServices, prepared: Prepared) -> ChunkRelease:
    """The release state of `prepared`'s streamed answer."""
    assert prepared.outbound is not None
    turn = prepared.outbound.turn
    vault = services.vault
    return ChunkRelease(
        guard=lambda segment: guard_answer(services, prepared, segment),
        check=lambda window: check_delivery(vault, prepared, window),
        rehydrator=turn.streaming_rehydrator(),
        peek=turn.rehydrator().restore,
    )


async def released(
    services: TurnServices,
    prepared: Prepared,
    release: ChunkRelease,
    limiter: anyio.CapacityLimiter,
) -> AsyncGenerator[str, None]:
    """The released texts of the upstream's streamed answer (never an empty one); ends
    at the answer's end or at a block. Raises `UpstreamTimeout` past the deadline and
    `UpstreamBadResponse` past the byte cap (nothing more is released then)."""
    limits = services.limits
    deadline = anyio.current_time() + limits.deadline
    deltas = upstream_stream(services, prepared)
    size = 0
    try:
        while True:
            try:
                with anyio.fail_after(max(0.0, deadline - anyio.current_time())):
                    delta = await anext(deltas, None)
            except TimeoutError:
                raise UpstreamTimeout(
                    "the upstream did not finish within the turn's deadline"
                ) from None
            if delta is None:
                break
            size += len(delta.encode("utf-8", "surrogatepass"))
            if size > limits.max_answer_bytes:
                raise too_large(limits.max_answer_bytes)
            if release.add(delta):
                if text := await in_thread(release.release, limiter):
                    yield text
                if release.blocked is not None:
                    return
        if text := await in_thread(release.finish, limiter):
            yield text
    finally:
        closer = getattr(deltas, "aclose", None)
        if closer is not None:
            with anyio.CancelScope(shield=True):
                await closer()


def streamed_delivery(
    services: TurnServices,
    prepared: Prepared,
    release: ChunkRelease,
    pieces: list[str],
    cut_short: str | None = None,
) -> Delivery:
    """The `Delivery` of a streamed answer whose released pieces were `pieces`; when the
    stream was blocked, the blocked message ends it (`BLOCKED_SEPARATOR` after text). The
    transcript holds only what `release` released, so a stream `cut_short` stores no
    text it held back."""
    assert prepared.outbound is not None
    blocked_message = services.guard.blocked_message
    guard: GuardResult = release.guard_summary(blocked_message)
    incident: AuditEvent | None = None
    handoff: str | None = None
    transcript_text = guard.text
    out = list(pieces)
    blocked = release.blocked
    if blocked is not None:
        handoff = "answer_blocked"
        if isinstance(blocked, GuardResult):
            incident = guard_incident(services, prepared, blocked)
        else:
            incident = leak_incident(services.vault.tenant, prepared, blocked)
        already = "".join(release.released_pseudonymised)
        separator = BLOCKED_SEPARATOR if already else ""
        out.append(separator + blocked_message)
        transcript_text = already + separator + blocked_message
    return Delivery(
        tuple(p for p in out if p),  # the disclosure went first, with the stream's start
        guard,
        incident,
        (*prepared.outbound.transcript, ("assistant", transcript_text)),
        len(release.unknown_tokens),
        release.lookups,
        handoff,
        cut_short,
    )


__all__ = [
    "BLOCKED_SEPARATOR",
    "CLIENT_DISCONNECTED",
    "StreamedTurn",
    "chunk_release",
    "released",
    "streamed_delivery",
]
