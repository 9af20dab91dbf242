"""Running the gateway over the demo's data directory."""

from __future__ import annotations

from discreet.api import build_app
from discreet.api.server import run_server
from discreet.demo.prepare import DemoEnvironment


def serve_demo(env: DemoEnvironment, *, host: str, port: int) -> None:
    """Serve until interrupted. The upstream is the embedded assistant unless the
    environment names an upstream model (``DISCREET_UPSTREAM_URL``)."""
    run_server(build_app(env.policy(), env.settings, migrate=False), host=host, port=port)
