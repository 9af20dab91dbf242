"""`discreet export`: anonymised training data and snapshots (see discreet.export)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from discreet.cli._common import TenantOpt, cli_context

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from discreet.export.config import ExportConfig
    from discreet.export.training import TrainingRequest

app = typer.Typer(
    help="Export conversations of customers who agreed, anonymised for training a model "
    "(Parquet + OpenAI fine-tuning JSONL + dataset card), on all cores or on a Ray cluster.",
    no_args_is_help=True,
)

_Since = Annotated[
    datetime, typer.Option("--since", formats=["%Y-%m-%d"], help="First day (UTC), YYYY-MM-DD.")
]
_Until = Annotated[
    datetime,
    typer.Option("--until", formats=["%Y-%m-%d"], help="Last day (UTC, included), YYYY-MM-DD."),
]
_Out = Annotated[
    Path,
    typer.Option(
        "--out",
        "-o",
        help="New, empty directory (or the one of an unfinished export: rerun "
        "with the same options and it finishes).",
    ),
]
_Assistant = Annotated[
    str | None, typer.Option("--assistant", help="Only this assistant's conversations.")
]


def _config(path: Path | None, overrides: dict[str, object]) -> ExportConfig:
    from pydantic import ValidationError

    from discreet.cli._common import read_yaml_mapping
    from discreet.errors import validation_problems
    from discreet.export.config import ExportConfig
    from discreet.export.errors import ExportInputError

    raw: dict[str, object] = {}
    if path is not None:
        raw = read_yaml_mapping(path, "--config", "ExportConfig", ExportInputError)
    raw.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return ExportConfig.model_validate(raw)
    except ValidationError as exc:
        raise ExportInputError(f"export configuration: {validation_problems(exc)}") from None


def _request(
    since: datetime,
    until: datetime,
    out: Path,
    assistant: str | None,
    tenant: str | None,
    config: ExportConfig,
    snapshot: Path | None = None,
) -> TrainingRequest:
    from discreet.export.training import TrainingRequest, day_bounds
    from discreet.settings import Settings

    settings = Settings()
    start, end = day_bounds(since.date(), until.date())
    return TrainingRequest(
        tenant=tenant or settings.tenant,
        since=start,
        until=end,
        out=out,
        assistant=assistant,
        config=config,
        snapshot=snapshot,
    )


def _progress(label: str) -> tuple[Progress, TaskID]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    progress = Progress(
        *Progress.get_default_columns()[:1],
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = progress.add_task(label, total=None)
    return progress, task


@app.command("training")
def training(
    since: _Since,
    until: _Until,
    out: _Out,
    assistant: _Assistant = None,
    tenant: TenantOpt = None,
    engine: Annotated[
        str, typer.Option("--engine", help="local (processes on this machine) or ray.")
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option("--address", help="Ray cluster (ray://HOST:PORT); default: a local one."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Processes / Ray workers (default: all cores)."),
    ] = None,
    timestamps: Annotated[
        str | None,
        typer.Option("--timestamps", help="drop, shift (per conversation), day or week (default)."),
    ] = None,
    k: Annotated[
        int | None, typer.Option("--k", min=1, help="k-anonymity's k (default 10).")
    ] = None,
    max_residual_rate: Annotated[
        float | None,
        typer.Option(
            "--max-residual-rate",
            min=0.0,
            max=1.0,
            help="Fail when more messages than this share still have findings (default 0.01).",
        ),
    ] = None,
    snapshot: Annotated[
        Path | None,
        typer.Option(
            "--snapshot",
            help="Read transcripts from a snapshot written by "
            "`discreet export snapshot --since 2026-10-01 --until 2026-12-31 --out snap`.",
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="YAML file with ExportConfig fields.")
    ] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Who exports (audit).")] = None,
) -> None:
    """Export the conversations of customers with a current model_training consent (and no
    restriction or objection), anonymised irreversibly, as Parquet and OpenAI fine-tuning
    JSONL with a dataset card.

    Example: discreet export training --since 2026-11-01 --until 2026-11-30 --out ./train-nov
    """
    from discreet.export.errors import ExportInputError
    from discreet.export.training import run_training
    from discreet.ops.stores import data_store

    if engine not in ("local", "ray"):
        raise ExportInputError("--engine must be local or ray")
    cfg = _config(
        config, {"timestamps": timestamps, "k": k, "max_residual_rate": max_residual_rate}
    )
    request = _request(since, until, out, assistant, tenant, cfg, snapshot)
    ctx = cli_context("model_training", actor, "consent")
    progress, task = _progress("anonymising partitions")
    with data_store() as db, progress:  # every export is audited, in the keyed chain
        result = run_training(
            db,
            request,
            ctx=ctx,
            engine="ray" if engine == "ray" else "local",
            workers=workers,
            address=address,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    card = result.card
    typer.echo(
        f"export {result.run_id}: {card['conversations']} conversations, {card['messages']} "
        f"messages in {out} (residual rate {card['residual_scan']['rate']}, "
        f"k={card['k_anonymity'].get('k')}, dropped {card['k_anonymity'].get('dropped')})"
        + (" [finished an interrupted run]" if result.resumed else "")
    )


@app.command("snapshot")
def snapshot(
    since: _Since,
    until: _Until,
    out: _Out,
    assistant: _Assistant = None,
    tenant: TenantOpt = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Who exports (audit).")] = None,
) -> None:
    """Write the consent-filtered, still pseudonymised transcripts as Parquet, as input for
    a cluster run (`export training --snapshot DIR --engine ray`). It is personal data:
    keep it like a database backup and delete it afterwards."""
    from discreet.export.snapshot import write_snapshot
    from discreet.ops.stores import data_store

    request = _request(since, until, out, assistant, tenant, _config(None, {}))
    ctx = cli_context("model_training", actor, "consent")
    with data_store() as db:  # every export is audited, in the keyed chain
        summary = write_snapshot(db, request, ctx=ctx)
    typer.echo(
        f"snapshot {summary['snapshot']}: {summary['selection']['selected']} conversations, "
        f"{summary['messages']} messages in {summary['partitions']} partition(s) in {out}"
    )
