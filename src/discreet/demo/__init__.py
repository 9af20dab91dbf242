"""`discreet demo`: a seeded synthetic tenant, an example policy, keys, and a server.

`prepare_demo` builds the data directory (idempotent), `render_instructions` says what to
try, `serve_demo` runs the gateway over it. Synthetic data only: nothing here reads or
needs the network.
"""

from discreet.demo.instructions import base_url, render_instructions
from discreet.demo.prepare import (
    DEFAULT_CUSTOMERS,
    DEFAULT_HOME,
    DemoEnvironment,
    Progress,
    prepare_demo,
)
from discreet.demo.serve import serve_demo

__all__ = [
    "DEFAULT_CUSTOMERS",
    "DEFAULT_HOME",
    "DemoEnvironment",
    "Progress",
    "base_url",
    "prepare_demo",
    "render_instructions",
    "serve_demo",
]
