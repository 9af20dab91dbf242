"""`discreet subjects`: customer records in the encrypted vault. `import` and `erase`
change them; `list` and `show` are what the vault holds, for an operator: references and
field names by default, values masked ("j***@e***.nl") unless `--show-values`. Every
change, listing and read is an audit record with its purpose."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from discreet.cli._common import (
    ActorOpt,
    TenantOpt,
    cli_config,
    governance,
    open_services,
    operator_ctx,
)
from discreet.errors import InvalidInput

app = typer.Typer(help="Customer records in the encrypted vault.")

_PurposeOpt = Annotated[
    str, typer.Option("--purpose", help="Why you look (recorded in the audit log).")
]
_BasisOpt = Annotated[str, typer.Option("--legal-basis", help="The legal basis of that purpose.")]


@app.command("import")
def subjects_import(
    file: Annotated[Path, typer.Argument(help="CSV (header row) or JSONL file.", exists=True)],
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or jsonl (default: from the suffix).")
    ] = None,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Import the good rows, list the bad ones.")
    ] = False,
    category: Annotated[
        list[str] | None,
        typer.Option("--category", help="field=category, overriding the default table."),
    ] = None,
    purpose: Annotated[str, typer.Option("--purpose")] = "customer_service",
    legal_basis: Annotated[str, typer.Option("--legal-basis")] = "contract",
    actor: ActorOpt = None,
    tenant: TenantOpt = None,
) -> None:
    """Import subjects; all or nothing unless --skip-bad."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from discreet.vault import ImportRowError
    from discreet.vault.fields import check_name
    from discreet.vault.importer import FileFormat, count_data_lines, guess_format, read_subjects

    ctx = operator_ctx(actor, purpose, legal_basis)
    overrides: dict[str, str] = {}
    for item in category or []:
        field_name, sep, cat = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"--category expects field=category, got {item!r}")
        try:  # names, not values: they appear in audit records
            overrides[check_name("field", field_name.strip())] = check_name("category", cat.strip())
        except ValueError as exc:
            raise InvalidInput(f"--category: {exc}") from None
    if fmt is not None and fmt not in {f.value for f in FileFormat}:
        raise InvalidInput("--format must be csv or jsonl")
    file_format = FileFormat(fmt) if fmt else guess_format(file)  # InvalidValue names it
    total = max(count_data_lines(file) - (file_format != FileFormat.JSONL), 0)
    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
    # The bar goes to stderr: stdout carries only the result, for scripts.
    bar = Progress(*columns, TimeRemainingColumn(), console=Console(stderr=True), transient=True)
    with open_services(cli_config(tenant), categories=overrides) as services, bar:
        vault = services.vault
        task = bar.add_task("importing subjects", total=total or None)
        try:
            report = vault.import_subjects(
                read_subjects(file, vault.catalog, file_format),
                ctx=ctx,
                skip_bad=skip_bad,
                progress=lambda done: bar.update(task, completed=done),
            )
        except ImportRowError as exc:  # say what happened to the other rows
            raise InvalidInput(f"{exc}; nothing was imported (--skip-bad skips bad rows)") from None
    typer.echo(f"imported {report.imported} subjects in {report.batches} batch(es)")
    for skipped in report.skipped:
        typer.echo(f"skipped {skipped}", err=True)


@app.command("erase")
def subjects_erase(
    ref: Annotated[str, typer.Argument(help="The subject's reference (subject_ref).")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    purpose: Annotated[str, typer.Option("--purpose")] = "erasure_request",
    legal_basis: Annotated[str, typer.Option("--legal-basis")] = "legal_obligation",
    actor: ActorOpt = None,
    tenant: TenantOpt = None,
) -> None:
    """Erase a subject for good: destroy its key (crypto-shredding) and delete its rows."""
    ctx = operator_ctx(actor, purpose, legal_basis)
    if not yes:
        typer.confirm("Erase this subject and all its data? This cannot be undone", abort=True)
    with governance(tenant) as services:
        receipt = services.vault.erase_subject(ref, ctx=ctx)
    typer.echo(
        f"erased subject {receipt.subject_id}: {receipt.fields} fields, "
        f"{receipt.conversations} conversations; its data key is destroyed"
    )


@app.command("list")
def list_subjects(
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="At most this many (oldest first).")
    ] = None,
    purpose: _PurposeOpt = "customer_service",
    legal_basis: _BasisOpt = "contract",
    actor: Annotated[str | None, typer.Option("--actor", help="Who acts.")] = None,
    tenant: TenantOpt = None,
) -> None:
    """List customers: reference, pseudonymous id and which fields are held (no values)."""
    ctx = operator_ctx(actor, purpose, legal_basis)
    with governance(tenant) as services:
        listed = services.vault.list_subjects(ctx=ctx, limit=limit)
    for subject_id, ref, fields in listed:
        typer.echo(f"{ref}\t{subject_id}\t{','.join(fields)}")
    typer.echo(f"{len(listed)} subject(s) in tenant {services.vault.tenant!r}", err=True)


@app.command("show")
def show_subject(
    ref: Annotated[str, typer.Argument(help="The customer's reference (subject_ref).")],
    show_values: Annotated[
        bool, typer.Option("--show-values", help="Print the values unmasked (audited).")
    ] = False,
    purpose: _PurposeOpt = "customer_service",
    legal_basis: _BasisOpt = "contract",
    actor: Annotated[str | None, typer.Option("--actor", help="Who acts.")] = None,
    tenant: TenantOpt = None,
) -> None:
    """Show one customer's fields with their data category; values masked unless
    `--show-values`. Example: `discreet subjects show CUST-1042 --show-values`."""
    from discreet.scan import mask_value

    ctx = operator_ctx(actor, purpose, legal_basis)
    with governance(tenant) as services:
        view = services.vault.get_subject(ref, ctx=ctx)  # SubjectNotFound names no reference
    typer.echo(f"subject {view.subject_id}")
    for name, value in sorted(view.fields.items()):
        shown = value if show_values else mask_value(value)
        typer.echo(f"  {name:<20} {view.categories.get(name, '-'):<12} {shown}")
