"""`discreet selftest`: canary customers through a gateway, and set-up checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from discreet.cli._common import load_policy_or_exit

NO_ARGS_IS_HELP = False  # `discreet selftest` alone runs the self-test

app = typer.Typer(
    short_help="Canary customers through a gateway, and set-up checks (exit 0/1).",
    help="Check an installation end to end: canary customers (synthetic data that looks "
    "real) through a gateway with a recording upstream the self-test starts itself (no raw "
    "value upstream, the customer's own values back, another customer's values blocked), "
    "the audit chain, key file permissions, the key store kept apart, TLS off loopback. "
    "Exit status 0 when every check passes, 1 otherwise: fit for cron and CI.",
)


@app.callback(invoke_without_command=True)
def selftest(
    gateway: Annotated[
        str | None,
        typer.Option(
            "--gateway",
            help="A running gateway to test (started with DISCREET_UPSTREAM_URL="
            "http://127.0.0.1:PORT/v1, see --upstream-port). Default: one built in this "
            "process over scratch stores with the configured policy.",
        ),
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key",
            help="An assistant key of that gateway (default: $DISCREET_SELFTEST_KEY).",
            show_default=False,
        ),
    ] = None,
    subject: Annotated[
        str | None, typer.Option("--subject", help="A canary customer's reference there.")
    ] = None,
    foreign_email: Annotated[
        str | None,
        typer.Option("--foreign-email", help="Another canary customer's e-mail there."),
    ] = None,
    upstream_port: Annotated[
        int,
        typer.Option("--upstream-port", min=0, max=65535, help="Port of the recording upstream."),
    ] = 8787,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="Policy file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable report.")] = False,
) -> None:
    """Run the self-test and print a readable report."""
    from discreet.api.server import build_app
    from discreet.ops.selftest import run_selftest
    from discreet.settings import Settings

    settings = Settings()
    stored = settings.selftest_key
    report = run_selftest(
        load_policy_or_exit(config, settings),
        build_app=build_app,
        gateway_url=gateway,
        api_key=api_key or (stored.get_secret_value() if stored else None),
        own_ref=subject,
        foreign_email=foreign_email,
        upstream_port=upstream_port if gateway else 0,
    )
    typer.echo(json.dumps(report.as_dict(), indent=2) if as_json else report.render())
    if not report.ok:
        raise typer.Exit(1)
