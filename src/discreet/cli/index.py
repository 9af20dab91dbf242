"""`discreet index`: the vault's blind indexes, which the output guard looks answers up in."""

from __future__ import annotations

from typing import Annotated

import typer

from discreet.cli._common import governance, operator_ctx

app = typer.Typer(
    help="The blind indexes the output guard checks answers against (every spelling of "
    "every customer's identifiers). Rebuild them after an upgrade that adds identifier "
    "forms, or after declaring more identifier fields in the policy."
)


@app.command("rebuild")
def rebuild(
    actor: Annotated[
        str | None, typer.Option(help="Who runs it, for the audit record (default: you).")
    ] = None,
) -> None:
    """Recompute every subject's blind-index entries from its (decrypted) fields, with
    the identifier fields of the policy in DISCREET_CONFIG. Safe to run again; subjects
    whose key is gone (erased) are skipped."""
    from rich.progress import Progress

    ctx = operator_ctx(actor, "key_management", "legal_obligation")
    # The vault as the gateway opens it (the wiring's): the policy's categories and
    # identifier fields (DISCREET_CONFIG, ./discreet.yaml, or the built-in example).
    with governance(None) as services, Progress(transient=True) as progress:
        task = progress.add_task("rebuilding blind indexes", total=None)
        count = services.vault.reindex(
            ctx=ctx, progress=lambda done: progress.update(task, completed=done)
        )
    typer.echo(f"rebuilt the blind indexes of {count} subjects")
