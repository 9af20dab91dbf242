"""Why a turn was refused, as the API shows it: HTTP status, a stable code, a message.

Messages name what failed (the vault, detection, the upstream, a header) and never carry
request content or customer values. Fail closed: every refusal means nothing of the turn
left for the upstream after the failing step, and no answer reached the client.
"""

from __future__ import annotations


class TurnRefused(Exception):
    """A turn that cannot be served; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    @property
    def error_type(self) -> str:
        """The OpenAI error ``type`` for this status."""
        if self.status == 401:
            return "authentication_error"
        if self.status == 403:
            return "permission_error"
        if self.status in (400, 404, 409, 413):
            return "invalid_request_error"
        return "server_error"

    def __repr__(self) -> str:
        return f"TurnRefused({self.status}, {self.code!r})"
