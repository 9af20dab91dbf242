"""Token usage as the upstream reports it, carried from the upstream client to the API's
answer without passing through the turn.

The API opens a `metered` scope around a turn; the upstream client `record`s each
``usage`` object it reads (a completion's, or a stream's usage chunk, which OpenAI-
compatible servers send when asked with ``stream_options.include_usage``). The meter is a
mutable object in a context variable, so the turn's tasks and worker threads, which run in
copies of the request's context, add to the same meter. Only non-negative integers are
taken: the upstream is not trusted to send sane numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

_FIELDS = ("prompt_tokens", "completion_tokens", "total_tokens")


@dataclass(slots=True)
class UsageMeter:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    reported: bool = False
    """True once the upstream sent a usage object (streams often do not)."""

    def add(self, usage: object) -> None:
        if not isinstance(usage, dict):
            return
        counts = {name: usage.get(name) for name in _FIELDS}
        valid = {
            name: value
            for name, value in counts.items()
            if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**53
        }
        if not valid:
            return
        self.prompt_tokens += valid.get("prompt_tokens", 0)
        self.completion_tokens += valid.get("completion_tokens", 0)
        self.total_tokens += valid.get(
            "total_tokens", valid.get("prompt_tokens", 0) + valid.get("completion_tokens", 0)
        )
        self.reported = True

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in _FIELDS}


_CURRENT: ContextVar[UsageMeter | None] = ContextVar("discreet_upstream_usage", default=None)


@contextmanager
def metered(meter: UsageMeter | None = None) -> Iterator[UsageMeter]:
    """A meter (fresh, or `meter` again) for the upstream calls made inside the block. A
    stream opens it twice with one meter: around the turn's start in the request's task
    and around the reading of its pieces in the response's task."""
    meter = UsageMeter() if meter is None else meter
    token = _CURRENT.set(meter)
    try:
        yield meter
    finally:
        _CURRENT.reset(token)


def record(usage: object) -> None:
    """Add an upstream ``usage`` object to the current meter (none open: ignored)."""
    meter = _CURRENT.get()
    if meter is not None:
        meter.add(usage)
