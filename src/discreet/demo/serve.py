"""Running the gateway over the demo's data directory."""

from __future__ import annotations

import uvicorn

from discreet.api import build_app
from discreet.demo.prepare import DemoEnvironment


def serve_demo(env: DemoEnvironment, *, host: str, port: int) -> None:
    """Serve until interrupted. The upstream is the embedded assistant unless the
    environment names an upstream model (``DISCREET_UPSTREAM_URL``)."""
    app = build_app(env.policy(), env.settings, migrate=False)
    # No access log: request lines carry conversation ids chosen by clients.
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="info")
