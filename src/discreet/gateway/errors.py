"""Typed failures of the upstream model, safe to log and to show to API clients.

Messages and attributes describe what went wrong (timeout, HTTP status, which field was
missing, how many attempts were made) and never include request or response content:
both carry customer conversations, and the API key must not leak either. The original
httpx/JSON exceptions are not chained for the same reason (their ``request`` attribute and
``doc`` carry bodies); the message names the exception type instead.

Each class carries its HTTP status and code (the error tree, ``discreet.errors``):
`UpstreamTimeout` -> 504, `UpstreamUnavailable` -> 503, `UpstreamBadResponse` -> 502
(fail closed either way).
"""

from __future__ import annotations

from discreet.errors import UpstreamFailure


class UpstreamError(UpstreamFailure):
    """Base class: the upstream model could not produce an answer."""

    def __init__(self, message: str, *, status: int | None = None, attempts: int = 1) -> None:
        super().__init__(message)
        self.status = status  # the last HTTP status seen, when there was one
        self.attempts = attempts  # how many requests were sent (retries included)


class UpstreamTimeout(UpstreamError):
    """Connecting to, or waiting for, the upstream took longer than configured."""

    code = "upstream_timeout"
    http_status = 504


class UpstreamUnavailable(UpstreamError):
    """Unreachable, overloaded (5xx/429 after all retries) or cut off mid-stream."""

    code = "upstream_unavailable"
    http_status = 503


class UpstreamBadResponse(UpstreamError):
    """The upstream answered, but not with a usable chat completion."""

    code = "upstream_bad_response"


class UpstreamRejected(UpstreamBadResponse):
    """The upstream refused the request with a 4xx status (bad key, unknown model, ...)."""
