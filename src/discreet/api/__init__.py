"""The HTTP API: an OpenAI-compatible chat endpoint in front of the privacy gateway.

`create_app(gateway)` builds the FastAPI application; routers only translate HTTP to
`discreet.gateway.turn` calls and back (no business rules here).
"""

from discreet.api.app import DEFAULT_MAX_BODY_BYTES, create_app

__all__ = ["DEFAULT_MAX_BODY_BYTES", "create_app"]
