"""`discreet alerts`: anomaly alerts from the audit log: check, list, acknowledge."""

from __future__ import annotations

from typing import Annotated

import typer

from discreet.cli._common import ConfigOpt, JsonOpt, default_actor, load_policy_or_exit
from discreet.ops.alerts import AlertStore, Delivery, as_json
from discreet.ops.stores import data_store
from discreet.settings import Settings

app = typer.Typer(
    short_help="Anomaly alerts from the audit log: check, list, acknowledge.",
    help="Anomaly alerts: a key or user reading far more customers than usual, bulk or "
    "off-hours exports, bursts of guard blocks or injection signals, repeated 401/403 from "
    "one address, a broken audit chain, an incident past its 72-hour deadline. Run "
    "`alerts check` from cron (every few minutes); new alerts go to the webhooks and mail "
    "configured in the policy's `alerts` section (secrets named by environment variable).",
)


@app.command("check")
def check(
    tz: Annotated[
        str, typer.Option("--tz", help="Time zone of working hours (off-hours signal).")
    ] = "UTC",
    no_verify: Annotated[
        bool, typer.Option("--no-verify", help="Skip verifying the audit chain this time.")
    ] = False,
    config: ConfigOpt = None,
) -> None:
    """Read the audit log since the last check, raise and deliver alerts.

    Exit status 1 when a new alert was raised (for cron and CI), 0 otherwise."""
    from discreet.ops.anomaly import AnomalyConfig, AnomalyDetector
    from discreet.ops.incidents import zone

    zone(tz)  # an unknown zone is refused before anything runs
    settings = Settings()
    delivery = Delivery(load_policy_or_exit(config, settings).alerts)  # a bad one: refused first
    with data_store(settings) as db:
        detector = AnomalyDetector(db, tenant=settings.tenant, config=AnomalyConfig(tz=tz))
        raised = detector.run(verify_chain=not no_verify)
        for alert in raised:
            assert alert.id is not None
            done, failed = delivery.send(alert)
            if done:
                detector.alerts.mark_delivered(alert.id, done)
            typer.echo(f"alert {alert.id}: {alert.summary()}")
            for failure in failed:
                typer.echo(f"  delivery failed: {failure}", err=True)
    typer.echo(f"{len(raised)} new alert(s)")
    if raised:
        raise typer.Exit(1)


@app.command("list")
def list_alerts(
    show_all: Annotated[bool, typer.Option("--all", help="Acknowledged alerts too.")] = False,
    as_json_out: JsonOpt = False,
) -> None:
    """List alerts, newest first (unacknowledged ones unless --all)."""
    from rich.console import Console
    from rich.table import Table

    settings = Settings()
    with data_store(settings) as db:
        alerts = AlertStore(db, tenant=settings.tenant).list(open_only=not show_all)
    if as_json_out:
        typer.echo(as_json(alerts))
        return
    if not alerts:
        typer.echo("no alerts")
        return
    table = Table("id", "raised", "severity", "signal", "actor", "reason", "ack")
    for a in alerts:
        table.add_row(
            str(a.id),
            a.raised_at.strftime("%Y-%m-%d %H:%M") if a.raised_at else "",
            a.severity,
            a.signal,
            a.actor,
            a.reason,
            a.acked_by or "",
        )
    Console(highlight=False).print(table)


@app.command("ack")
def ack(
    alert_id: Annotated[int, typer.Argument(help="The alert's id.")],
    actor: Annotated[
        str | None, typer.Option("--actor", help="Who acknowledges (default: login name).")
    ] = None,
) -> None:
    """Acknowledge an alert (it stays in the record, off the open list)."""
    settings = Settings()
    with data_store(settings) as db:
        alert = AlertStore(db, tenant=settings.tenant).ack(alert_id, actor=default_actor(actor))
    typer.echo(f"acknowledged alert {alert.id} ({alert.signal})")
