"""The one interface the gateway talks to, whatever produces the answer.

Both the HTTP client for an OpenAI-compatible upstream (`AsyncUpstreamClient`) and the
embedded FAQ assistant (`EmbeddedAssistant`) implement `ChatBackend`, so the gateway's turn
code neither knows nor cares which one is configured. Messages are OpenAI chat messages
(``{"role": ..., "content": ...}``) that have already been minimised and pseudonymised.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from discreet.gateway.settings import UpstreamSettings

# An OpenAI-style chat message. Content is a string or a list of content parts.
ChatMessage = Mapping[str, Any]


@runtime_checkable
class ChatBackend(Protocol):
    """Something that answers a chat turn, whole or as a stream of text deltas."""

    async def complete(
        self, messages: Sequence[ChatMessage], *, params: Mapping[str, Any] | None = None
    ) -> str:
        """The whole answer text. `params` are extra request fields (temperature, ...)."""
        ...

    def stream(
        self, messages: Sequence[ChatMessage], *, params: Mapping[str, Any] | None = None
    ) -> AsyncIterator[str]:
        """The answer as text deltas, in order; deltas may split words and tokens."""
        ...

    async def aclose(self) -> None:
        """Release connections or other resources; safe to call twice."""
        ...


def create_backend(settings: UpstreamSettings | None) -> ChatBackend:
    """The backend the settings ask for: the upstream client, or the embedded assistant.

    None (no ``DISCREET_UPSTREAM_BASE_URL``) means the built-in FAQ assistant, so a fresh
    install answers offline with no model download.
    """
    # Imported here: both implementations import this module for `ChatMessage`.
    if settings is None:
        from discreet.gateway.assistant import EmbeddedAssistant

        return EmbeddedAssistant()
    from discreet.gateway.upstream import AsyncUpstreamClient

    return AsyncUpstreamClient(settings)
