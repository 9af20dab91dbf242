"""Serving the console next to the gateway, on its own listener.

``discreet serve --console-port N`` and ``discreet demo`` call :func:`start_console`: the
console runs in a background thread of the serving process, on its own port (loopback by
default), so the admin plane can be firewalled apart from the chat API. It opens its own
connections to the same stores, with the same policy, through the same services.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

from discreet.console.accounts import AccountStore
from discreet.console.app import create_console_app
from discreet.console.errors import AccountNotFound
from discreet.console.roles import Role
from discreet.console.services import ConsoleServices
from discreet.errors import Unavailable
from discreet.ops.stores import data_store
from discreet.policy import Policy
from discreet.settings import Settings
from discreet.wiring import open_console_services

STARTUP_TIMEOUT_S = 10.0
DEMO_USER = "demo-officer"


@dataclass(slots=True)
class RunningConsole:
    url: str
    services: ConsoleServices
    _server: object
    _thread: threading.Thread

    def stop(self) -> None:
        self._server.should_exit = True  # type: ignore[attr-defined]
        self._thread.join(timeout=STARTUP_TIMEOUT_S)
        self.services.close()


def start_console(
    policy: Policy, settings: Settings | None = None, *, host: str, port: int
) -> RunningConsole:
    """Serve the console on `host`:`port` in a daemon thread; returns once it listens.

    Raises the services' start-up errors (stores, master key) and `Unavailable` when the
    port cannot be bound. The thread ends with the process, or with `stop()`.
    """
    import uvicorn

    services = open_console_services(policy, settings)
    server = uvicorn.Server(
        # No access log: request lines would carry conversation ids and search terms.
        uvicorn.Config(
            create_console_app(services),
            host=host,
            port=port,
            access_log=False,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, name="discreet-console", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            services.close()
            raise Unavailable(f"the console could not listen on {host}:{port}")
        time.sleep(0.02)
    shown = f"[{host}]" if ":" in host else host
    return RunningConsole(f"http://{shown}:{port}/", services, server, thread)


def demo_login(settings: Settings) -> tuple[str, str]:
    """The demo's privacy-officer account with a fresh password (printed by ``discreet
    demo``); its second factor is enrolled again at the first sign-in of each demo run."""
    with data_store(settings) as db:  # as `discreet users` opens it
        accounts = AccountStore(db)
        password = "-".join(secrets.token_hex(3) for _ in range(4))
        try:
            accounts.set_password(DEMO_USER, password)
            accounts.reset_mfa(DEMO_USER)
        except AccountNotFound:
            accounts.create(DEMO_USER, Role.PRIVACY_OFFICER, password)
    return DEMO_USER, password
