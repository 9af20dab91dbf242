"""Rich tables of a retention run and a forecast, for the CLI (counts and ids only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from rich.table import Table

from discreet.retention.forecast import LATER, Forecast
from discreet.retention.runner import RetentionOutcome
from discreet.rights.holds import LegalHold


def outcome_table(outcome: RetentionOutcome) -> Table:
    verb = "would delete" if outcome.dry_run else "deleted"
    title = f"Retention {'dry run' if outcome.dry_run else 'run'} of tenant {outcome.tenant}"
    table = Table(title=title)
    table.add_column("kind")
    table.add_column("category")
    table.add_column("retention", justify="right")
    table.add_column(verb, justify="right")
    table.add_column("held", justify="right")
    for line in outcome.counts:
        table.add_row(
            line.kind,
            line.category or "-",
            f"{line.days} d" if line.days is not None else "-",
            str(line.deleted),
            str(line.held),
        )
    if not outcome.counts:
        table.add_row("(nothing due)", "", "", "0", "0")
    return table


def forecast_table(result: Forecast) -> Table:
    last = result.last_run_at.strftime("%Y-%m-%d %H:%M UTC") if result.last_run_at else "never"
    table = Table(
        title=f"What expires when (tenant {result.tenant}, next {result.horizon_days} days)",
        caption=f"last retention run: {last}",
    )
    table.add_column("kind")
    table.add_column("category")
    table.add_column("retention", justify="right")
    table.add_column("expires")
    table.add_column("records", justify="right")
    table.add_column("held", justify="right")
    # Past the horizon, a date a reader can act on rather than "later".
    beyond = f"after {(result.at + timedelta(days=result.horizon_days)).date().isoformat()}"
    for line in result.lines:
        table.add_row(
            line.kind,
            line.category or "-",
            f"{line.days} d" if line.days is not None else "-",
            beyond if line.when == LATER else line.when,
            str(line.count),
            str(line.held),
        )
    if not result.lines:
        table.add_row("(nothing stored)", "", "", "", "0", "0")
    return table


def holds_table(holds: Sequence[LegalHold]) -> Table:
    table = Table(title="Legal holds in force (their data is kept)")
    for name in ("id", "covers", "reason", "set by", "since"):
        table.add_column(name)
    for hold in holds:
        table.add_row(
            str(hold.id), hold.target, hold.reason, hold.set_by, hold.set_at.date().isoformat()
        )
    return table
