"""The privacy gateway's building blocks: what answers a turn, and how it is reached.

* `backend`   -- `ChatBackend`, the one interface the gateway calls; `create_backend`.
* `context`   -- `CustomerContext`: the minimised, pseudonymised customer facts and the
  ``Customer: ...`` system-message line they are rendered to.
* `assistant` -- `EmbeddedAssistant`: offline FAQ answers (BM25) when no upstream is set.
* `knowledge` -- loading and indexing the FAQ knowledge bases in ``discreet/data``.
* `upstream`  -- `AsyncUpstreamClient` for OpenAI-compatible servers.
* `settings`, `errors`, `sse` -- their configuration, typed failures and stream parsing.

The heavier modules (`assistant`, `upstream`) are not imported here, so importing the
package for its types stays cheap.
"""

from discreet.gateway.backend import ChatBackend, ChatMessage, create_backend
from discreet.gateway.context import (
    ContextFormatError,
    CustomerContext,
    OrderStatus,
    OrderSummary,
    extract_context,
    parse_context,
    render_system_message,
)
from discreet.gateway.errors import (
    UpstreamBadResponse,
    UpstreamError,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from discreet.gateway.settings import UpstreamConfigError, UpstreamSettings

__all__ = [
    "ChatBackend",
    "ChatMessage",
    "ContextFormatError",
    "CustomerContext",
    "OrderStatus",
    "OrderSummary",
    "UpstreamBadResponse",
    "UpstreamConfigError",
    "UpstreamError",
    "UpstreamRejected",
    "UpstreamSettings",
    "UpstreamTimeout",
    "UpstreamUnavailable",
    "create_backend",
    "extract_context",
    "parse_context",
    "render_system_message",
]
