"""`discreet analytics`: differentially private figures and the privacy-budget ledger."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from discreet.cli._common import TenantOpt, cli_context, settings_for

app = typer.Typer(
    help="Differentially private customer-service figures (OpenDP): contact reasons, "
    "volume, handoff/guard-block/resolution rates per assistant and language, each "
    "release charged to a privacy budget per tenant and dataset.",
    no_args_is_help=True,
)

_Dataset = Annotated[
    str,
    typer.Option("--dataset", help="The budget's name: releases about the same data share one."),
]


@app.command("run")
def run(
    since: Annotated[
        datetime, typer.Option("--since", formats=["%Y-%m-%d"], help="First day (UTC).")
    ],
    until: Annotated[
        datetime, typer.Option("--until", formats=["%Y-%m-%d"], help="Last day (UTC, included).")
    ],
    dataset: _Dataset = "conversations",
    query: Annotated[
        str,
        typer.Option("--query", help="Comma-separated: contact_reasons, volume, outcomes."),
    ] = "contact_reasons,volume,outcomes",
    epsilon: Annotated[
        float, typer.Option("--epsilon", min=0.001, help="Epsilon spent by EACH query.")
    ] = 0.3,
    delta: Annotated[
        float,
        typer.Option(
            "--delta",
            min=0.0,
            max=0.5,
            help="Delta spent by the volume query: above 0, volume gets Gaussian noise "
            "(each customer once per day or week; better with a large --max-contributions). "
            "Needs a budget with a total delta.",
        ),
    ] = 0.0,
    by: Annotated[
        str, typer.Option("--by", help="Group by: assistant,language (or one, or 'none').")
    ] = "assistant,language",
    grain: Annotated[str, typer.Option("--grain", help="Volume per day or week.")] = "week",
    max_contributions: Annotated[
        int, typer.Option("--max-contributions", min=1, help="Conversations per customer, at most.")
    ] = 5,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the JSON report here.")
    ] = None,
    html_out: Annotated[
        Path | None, typer.Option("--html", help="Write the HTML report here.")
    ] = None,
    tenant: TenantOpt = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Who asks (audit).")] = None,
) -> None:
    """Release DP aggregates over the period; refused when the dataset's budget cannot
    cover every query (set one with `discreet analytics budget --set 5.0`).

    Example: discreet analytics run --since 2026-11-01 --until 2026-11-30 --html r.html
    """
    from discreet.analytics import QuerySpec, run_queries
    from discreet.analytics.report import render_html
    from discreet.errors import InvalidInput
    from discreet.export.training import day_bounds
    from discreet.ops.stores import data_store
    from discreet.policy import load_policy

    if grain not in ("day", "week"):
        raise InvalidInput("--grain must be day or week")
    groups = () if by == "none" else tuple(g.strip() for g in by.split(",") if g.strip())
    if any(g not in ("assistant", "language") for g in groups):
        raise InvalidInput("--by takes assistant, language, both (comma-separated) or none")
    names = [q.strip() for q in query.split(",") if q.strip()]
    if delta > 0 and "volume" not in names:
        raise InvalidInput("--delta applies to the volume query, and --query has none")
    specs = [
        QuerySpec(
            n,  # type: ignore[arg-type]
            epsilon,
            groups,
            grain,
            max_contributions,
            delta=delta if n == "volume" else 0.0,
        )
        for n in names
    ]
    ctx = cli_context("analytics", actor)
    start, end = day_bounds(since.date(), until.date())
    settings = settings_for(tenant)
    with data_store(settings) as db:  # releases are audited, in the keyed chain
        report = run_queries(
            db,
            load_policy(settings.config),
            specs,
            tenant=settings.tenant,
            dataset=dataset,
            since=start,
            until=end,
            ctx=ctx,
        )
    text = json.dumps(report, indent=2, sort_keys=True)
    if json_out is not None:
        json_out.write_text(text + "\n", encoding="utf-8")
    if html_out is not None:
        html_out.write_text(render_html(report), encoding="utf-8")
    if json_out is None:
        typer.echo(text)
    left = report["budget"]
    typer.echo(
        f"released {len(specs)} quer{'y' if len(specs) == 1 else 'ies'}; budget left: epsilon "
        f"{left['left_epsilon']:.4g} of {left['epsilon']:.4g}, delta "
        f"{left['left_delta']:.3g} of {left['delta']:.3g}",
        err=True,
    )


@app.command("budget")
def budget(
    dataset: Annotated[
        str | None, typer.Option("--dataset", help="One dataset (default: all of the tenant).")
    ] = None,
    set_epsilon: Annotated[
        float | None, typer.Option("--set", help="Set the dataset's total epsilon.")
    ] = None,
    delta: Annotated[float, typer.Option("--delta", help="Total delta, with --set.")] = 0.0,
    tenant: TenantOpt = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Who sets it (audit).")] = None,
) -> None:
    """Show the privacy budgets (epsilon and delta: total, spent, left), or set one with
    --set (and --delta)."""
    from discreet.analytics import BudgetLedger
    from discreet.errors import InvalidInput
    from discreet.ops.stores import data_store

    if set_epsilon is not None and dataset is None:
        raise InvalidInput("--set needs --dataset")
    settings = settings_for(tenant)
    with data_store(settings) as db:
        ledger = BudgetLedger(db, tenant=settings.tenant)
        if set_epsilon is not None:
            assert dataset is not None
            ctx = cli_context("analytics", actor)
            ledger.set_budget(dataset, epsilon=set_epsilon, delta=delta, ctx=ctx)
        shown = [ledger.status(dataset)] if dataset is not None else ledger.budgets()
    typer.echo(json.dumps([b.as_dict() for b in shown], indent=2, sort_keys=True))
