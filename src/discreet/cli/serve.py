"""`discreet serve`: the gateway (and, on its own port, the privacy office console)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from discreet.cli._common import ConfigOpt, load_policy_or_exit

if TYPE_CHECKING:
    from discreet.policy import Policy
    from discreet.settings import Settings

app = typer.Typer()

_ConsolePortOpt = Annotated[
    int | None,
    typer.Option(
        "--console-port",
        min=1,
        max=65535,
        help="Also serve the privacy office console (web pages for privacy officers, "
        "auditors, support leads, admins) on this port; off unless given. Accounts: "
        "`discreet users create alice --role privacy_officer`.",
    ),
]
_ConsoleHostOpt = Annotated[
    str,
    typer.Option(
        "--console-host",
        help="Interface for the console: loopback by default, so the admin plane can be "
        "firewalled apart from the chat API.",
    ),
]


def start_console(policy: Policy, host: str, port: int, settings: Settings | None = None) -> None:
    """Start the console in a background thread of this process (see discreet.console)."""
    from discreet.api.console_serving import start_console as start

    running = start(policy, settings, host=host, port=port)
    typer.echo(f"discreet console on {running.url}", err=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.", min=0, max=65535)] = 8000,
    config_path: ConfigOpt = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Server processes. One process is bound by one CPU core; with N > 1 each "
            "process holds its own detection model (~270 MB) and retention runs in the "
            "supervising process.",
        ),
    ] = 1,
    json_logs: Annotated[
        bool,
        typer.Option(
            "--json-logs",
            help="Log one JSON object per line, personal data masked by the detector.",
        ),
    ] = False,
    console_port: _ConsolePortOpt = None,
    console_host: _ConsoleHostOpt = "127.0.0.1",
    tls_cert: Annotated[
        Path | None,
        typer.Option("--tls-cert", help="PEM certificate chain: serve HTTPS (with --tls-key)."),
    ] = None,
    tls_key: Annotated[
        Path | None, typer.Option("--tls-key", help="PEM private key of --tls-cert.")
    ] = None,
    allow_plain_http: Annotated[
        bool,
        typer.Option(
            "--allow-plain-http",
            help="Serve plain HTTP on a non-loopback --host (only behind a TLS-terminating "
            "proxy); without it such a bind is refused.",
        ),
    ] = False,
) -> None:
    """Run the OpenAI-compatible privacy gateway (applies database migrations first).

    The upstream model comes from DISCREET_UPSTREAM_URL / _API_KEY / _MODEL, else from the
    policy's `upstream:`; with neither, the embedded FAQ assistant answers. Beyond loopback
    the gateway needs TLS: `discreet serve --host 0.0.0.0 --tls-cert cert.pem --tls-key
    key.pem`.
    """
    from discreet.api import build_app
    from discreet.api.listen import check_listen, tls_from_options
    from discreet.api.server import run_server, run_workers
    from discreet.gateway.config import resolve_upstream
    from discreet.retention.scheduler import retention_thread
    from discreet.settings import Settings
    from discreet.wiring import build_services, read_config

    tls = tls_from_options(tls_cert, tls_key)
    check_listen(host, port, tls=tls, allow_plain_http=allow_plain_http)
    # Read once, here: the settings and the policy this process validated, which the
    # console and every worker process get too.
    settings = Settings()
    config = read_config(settings, load_policy_or_exit(config_path, settings))
    policy = config.policy
    backend = "upstream model" if resolve_upstream(policy, settings) else "embedded assistant"
    # build_app: the gateway, consent checked per turn, and the operator routes.
    server = build_app(policy, settings, migrate=True) if workers == 1 else None
    # With workers, this process migrates the stores once, before they start, and keeps
    # the services (without a gateway: the workers answer) for the retention it runs.
    services = build_services(config, migrate=True, with_gateway=False) if workers > 1 else None
    processes = f", {workers} processes" if workers > 1 else ""
    scheme = "https" if tls else "http"
    typer.echo(f"discreet gateway on {scheme}://{host}:{port}/v1 ({backend}{processes})", err=True)
    if console_port is not None:  # the console: its own listener, in this process
        start_console(policy, console_host, console_port, settings)
    if server is not None:
        run_server(server, host=host, port=port, json_logs=json_logs, tls=tls, settings=settings)
        return
    assert services is not None  # workers > 1
    try:
        # This process supervises the workers and runs retention once for all of them.
        with retention_thread(services.retention.runner.run):
            run_workers(config, workers, host=host, port=port, json_logs=json_logs, tls=tls)
    finally:
        services.close()
