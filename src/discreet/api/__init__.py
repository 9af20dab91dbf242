"""The HTTP API: an OpenAI-compatible chat endpoint in front of the privacy gateway.

`create_app(gateway)` builds the FastAPI application; routers only translate HTTP to
`discreet.gateway.turn` and the governance services and back (no business rules here).
`build_app(policy, settings)` assembles the whole server (`discreet serve`, `discreet demo`).
"""

from discreet.api.app import DEFAULT_MAX_BODY_BYTES, create_app
from discreet.api.server import build_app

__all__ = ["DEFAULT_MAX_BODY_BYTES", "build_app", "create_app"]
