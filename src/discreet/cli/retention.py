"""`discreet retention`: delete what the policy no longer allows to keep, report what
expires when, close conversations."""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from discreet.cli._common import ActorOpt, ConfigOpt, TenantOpt, load_policy_or_exit, operator_ctx

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from rich.table import Table

    from discreet.retention import Retention
    from discreet.retention.forecast import Forecast
    from discreet.retention.runner import RetentionOutcome

app = typer.Typer(
    help="Retention: delete what the policy no longer allows to keep (legal holds are "
    "kept), report what expires when, close conversations."
)
_JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


@contextmanager
def _retention(config: Path | None, tenant: str | None) -> Iterator[Retention]:
    """Retention over the configured stores and policy (failing closed before any
    deletion if a store or the key is unavailable), closed after."""
    from discreet.wiring import open_retention

    retention = open_retention(load_policy_or_exit(config), tenant=tenant)
    try:
        yield retention
    finally:
        retention.close()


def _show(result: RetentionOutcome | Forecast, table: Table, as_json: bool) -> None:
    """A run's outcome or a forecast: JSON, or its table and the legal holds that kept
    data (what an operator must know is still there)."""
    from rich.console import Console

    from discreet.retention.render import holds_table

    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2))
        return
    console = Console(highlight=False)
    console.print(table)
    if result.holds:
        console.print(holds_table(result.holds))


@app.command("run")
def retention_run(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what is due; change nothing.")
    ] = False,
    config: ConfigOpt = None,
    tenant: TenantOpt = None,
    actor: ActorOpt = None,
    as_json: _JsonOpt = False,
) -> None:
    """Delete what is past retention (crypto-shredding keys), close idle conversations,
    prune the audit log if the policy says so; one audit record per batch."""
    from discreet.retention.render import outcome_table

    with _retention(config, tenant) as retention:
        ctx = operator_ctx(actor, "retention", "legal_obligation")
        outcome = retention.runner.run(dry_run=dry_run, ctx=ctx)
    _show(outcome, outcome_table(outcome), as_json)


@app.command("report")
def retention_report(
    days: Annotated[int, typer.Option("--days", min=1, max=3650, help="Horizon.")] = 30,
    config: ConfigOpt = None,
    tenant: TenantOpt = None,
    as_json: _JsonOpt = False,
) -> None:
    """What will expire when: counts per kind, category and day (changes nothing)."""
    from discreet.retention import forecast
    from discreet.retention.render import forecast_table

    with _retention(config, tenant) as retention:
        result = forecast(
            retention.data,
            retention.policy,
            holders=retention.holders,
            tenant=retention.tenant,
            horizon_days=days,
        )
    _show(result, forecast_table(result), as_json)


@app.command("close")
def retention_close(
    conversation_id: Annotated[str, typer.Argument(help="The conversation's id.")],
    config: ConfigOpt = None,
    tenant: TenantOpt = None,
    actor: ActorOpt = None,
) -> None:
    """Close a conversation now and forget its token map (unless held or kept by policy)."""
    with _retention(config, tenant) as retention:
        ctx = operator_ctx(actor, "conversation_close", "legitimate_interests")
        outcome = retention.closer.close(conversation_id, ctx=ctx)  # not found: exit 3
    if outcome.token_map_destroyed:
        state = "token map destroyed"
    elif outcome.held:
        state = "token map kept: legal hold"
    elif outcome.token_map_kept_until is not None:
        state = f"token map kept until {outcome.token_map_kept_until.date().isoformat()} (policy)"
    else:
        state = "no token map"
    typer.echo(f"closed {conversation_id}: {state}")
