"""Why a turn was refused, as the API shows it: HTTP status, a stable code, a message.

Messages name what failed (the vault, detection, the upstream, a header) and never carry
request content or customer values. Fail closed: every refusal means nothing of the turn
left for the upstream after the failing step, and no answer reached the client.

`TurnRefused` is a `DiscreetError` whose status is chosen where it is raised (a turn's
refusals span every branch of the tree), so the API's one error handler maps it like any
other error of the tree.
"""

from __future__ import annotations

from discreet.errors import DiscreetError


class TurnRefused(DiscreetError):
    """A turn that cannot be served; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message, code=code)
        self.http_status = status  # type: ignore[misc]

    @property
    def status(self) -> int:
        return self.http_status

    @classmethod
    def of(cls, exc: BaseException) -> TurnRefused:
        """`exc` as a refusal: the tree's status and code; anything else is a 500 that
        names only the exception's type (its text may quote the data it choked on)."""
        if isinstance(exc, TurnRefused):
            return exc
        if isinstance(exc, DiscreetError):
            return cls(exc.http_status, exc.code, exc.message)
        return cls(500, "internal_error", f"internal error: {type(exc).__name__}")

    def __repr__(self) -> str:
        return f"TurnRefused({self.status}, {self.code!r})"
