"""`discreet audit`: the tamper-evident audit log (verify, anchor, export)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from discreet.errors import InvalidInput

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
    from discreet.settings import Settings
    from discreet.vault import MasterKeyMissing, open_audit_log, open_vault

    anchors = read_anchors(anchor) if anchor is not None else []
    try:
        # Opening the vault registers the chain key (audit/keyed.py) for the MACs.
        log = open_vault(Settings()).audit_log
    except MasterKeyMissing:
        if anchors:
            raise
        log = open_audit_log(Settings())  # hashes only; say so below
    result = log.verify(anchors=anchors)
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
    from contextlib import closing

    from discreet.audit.keyed import write_anchor
    from discreet.settings import Settings
    from discreet.vault import open_vault

    with closing(open_vault(Settings())) as vault:
        head = write_anchor(vault.audit_log.db, file)
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
    from discreet.settings import Settings
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
    log = open_audit_log(Settings())
    if out is None:
        export_entries(log.entries(since=start), sys.stdout, export_format)
        return
    with out.open("w", encoding="utf-8", newline="") as handle:
        count = export_entries(log.entries(since=start), handle, export_format)
    typer.echo(f"exported {count} records to {out}")
