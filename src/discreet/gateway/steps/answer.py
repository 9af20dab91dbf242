"""The `answer` step: the model's (still pseudonymised) answer, within the turn's limits.

The upstream's answer is capped in bytes and the whole call in time (gateway/limits.py):
502 / 504, never a hang. A short answer (handoff, not allowed) needs no model.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Any, TypeVar

import anyio

from discreet.gateway.errors import UpstreamTimeout
from discreet.gateway.limits import collect_capped, too_large
from discreet.gateway.steps.facts import Answer, Prepared
from discreet.gateway.steps.services import TurnServices

T = TypeVar("T")

# Request fields passed to the upstream: numbers only. Free-text fields (`stop`, `user`,
# `tools`, ...) could carry personal data around the pseudonymiser, so they are dropped.
FORWARDED_PARAMS = frozenset(
    {
        "temperature",
        "top_p",
        "max_tokens",
        "max_completion_tokens",
        "presence_penalty",
        "frequency_penalty",
        "seed",
    }
)


def forwarded_params(prepared: Prepared) -> dict[str, Any]:
    return {k: v for k, v in prepared.request.params.items() if k in FORWARDED_PARAMS}


async def in_thread(func: Callable[[], T], limiter: anyio.CapacityLimiter) -> T:
    return await anyio.to_thread.run_sync(func, limiter=limiter)


async def answer(
    services: TurnServices, prepared: Prepared, limiter: anyio.CapacityLimiter
) -> Answer:
    """The (pseudonymised) answer in pieces, and a handoff reason if the model asks."""
    if prepared.short is not None:
        return Answer((prepared.short.text,), prepared.short.handoff_reason)
    assert prepared.outbound is not None
    messages = list(prepared.outbound.messages)
    embedded = services.embedded_assistant
    if embedded is not None:
        reply = await in_thread(partial(embedded.answer, messages), limiter)
        from discreet.gateway.assistant import split_chunks

        return Answer(tuple(split_chunks(reply.text)), "assistant" if reply.handoff else None)
    limits = services.limits
    params = forwarded_params(prepared)
    try:
        with anyio.fail_after(limits.deadline):
            if prepared.request.stream:
                pieces = await collect_capped(
                    services.backend.stream(messages, params=params), limits.max_answer_bytes
                )
                return Answer(tuple(pieces))
            text = await services.backend.complete(messages, params=params)
    except TimeoutError:
        raise UpstreamTimeout("the upstream did not finish within the turn's deadline") from None
    if len(text.encode("utf-8", "surrogatepass")) > limits.max_answer_bytes:
        raise too_large(limits.max_answer_bytes)
    return Answer((text,))


def upstream_stream(services: TurnServices, prepared: Prepared) -> AsyncIterator[str]:
    """The upstream's streamed deltas for `prepared` (not yet capped or timed)."""
    assert prepared.outbound is not None
    messages = list(prepared.outbound.messages)
    return services.backend.stream(messages, params=forwarded_params(prepared))


__all__ = ["FORWARDED_PARAMS", "answer", "in_thread", "upstream_stream"]
