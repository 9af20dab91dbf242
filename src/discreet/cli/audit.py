"""`discreet audit`: the tamper-evident audit log (verify, anchor, export)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from discreet.cli._common import cli_config, open_services, settings_for
from discreet.errors import InvalidInput

if TYPE_CHECKING:
    from collections.abc import Sequence

    from discreet.audit.log import VerifyResult
    from discreet.wiring import Config

app = typer.Typer(help="The tamper-evident audit log: verify, export.")


@app.command("verify")
def audit_verify(
    anchor: Annotated[
        Path | None,
        typer.Option(
            "--anchor",
            help="An anchor file written by `discreet audit anchor FILE` (kept outside the "
            "database): every head it recorded must still be in the chain, unchanged, "
            "so a truncated tail is caught. Needs the master key.",
        ),
    ] = None,
) -> None:
    """Check the hash chain and, with the master key, the keyed MAC chain (catches
    recomputed hashes, renumbering, forged pruning anchors) and the anchor file; name
    the first bad record. Exit code 1 if tampered."""
    from discreet.audit.keyed import read_anchors

    anchors = read_anchors(anchor) if anchor is not None else []
    result = _verify(cli_config(), anchors)
    if result.ok:
        keyed = (
            f"; {result.keyed_records} MACs checked"
            + (f", {len(anchors)} anchors" if anchors else "")
            if result.keyed_records is not None
            else ""
        )
        typer.echo(f"audit log intact: {result.records} records verified{keyed}")
        if result.keyed_records is None:
            typer.echo("MACs not checked: no master key configured", err=True)
        return
    typer.echo(
        f"audit log TAMPERED: first bad record is seq {result.first_bad_seq}: {result.reason}",
        err=True,
    )
    raise typer.Exit(1)


def _verify(config: Config, anchors: Sequence[tuple[int, str]]) -> VerifyResult:
    """The chain checked over the wiring's stores, whose vault registers the chain key
    (audit/keyed.py) for the MACs; with no master key configured, hashes only (unless
    anchors were given: they need the MACs)."""
    from discreet.vault import MasterKeyMissing, open_audit_log

    try:
        with open_services(config) as services:
            return services.audit.verify(anchors=anchors)
    except MasterKeyMissing:
        if anchors:
            raise
    return open_audit_log(config.settings).verify(anchors=anchors)


@app.command("anchor")
def audit_anchor(
    file: Annotated[
        Path,
        typer.Argument(
            help="The anchor file to append the chain head to (created 0600). Keep it "
            "outside the database and ship it elsewhere, e.g. from cron every few minutes."
        ),
    ],
) -> None:
    """Append the audit chain's current head (seq and MAC) to an anchor file, for
    `discreet audit verify --anchor FILE`."""
    from discreet.audit.keyed import write_anchor

    with open_services(cli_config()) as services:
        head = write_anchor(services.data, file)
    if head is None:
        typer.echo("the audit chain holds no keyed records yet; nothing anchored")
        return
    typer.echo(f"anchored the audit chain at seq {head[0]} in {file}")


@app.command("export")
def audit_export(
    since: Annotated[
        str | None,
        typer.Option("--since", help="ISO date or time (UTC if no offset), e.g. 2026-01-31."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
    out: Annotated[Path | None, typer.Option("--out", help="File (default: stdout).")] = None,
) -> None:
    """Export audit records for auditors."""
    import sys
    from datetime import UTC, datetime

    from discreet.audit.export import ExportFormat, export_entries
    from discreet.vault import open_audit_log

    try:
        export_format = ExportFormat(fmt)
    except ValueError:
        raise typer.BadParameter("--format must be jsonl or csv") from None
    start = None
    if since:
        try:
            start = datetime.fromisoformat(since)
        except ValueError:  # the standard library's parser: say which option
            raise InvalidInput(f"--since: not an ISO date or time: {since!r}") from None
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
    log = open_audit_log(settings_for(None))  # reading needs no master key, nor a policy
    if out is None:
        export_entries(log.entries(since=start), sys.stdout, export_format)
        return
    with out.open("w", encoding="utf-8", newline="") as handle:
        count = export_entries(log.entries(since=start), handle, export_format)
    typer.echo(f"exported {count} records to {out}")
