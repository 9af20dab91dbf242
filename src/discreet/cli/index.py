"""`discreet index`: the vault's blind indexes, which the output guard looks answers up in."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from discreet.errors import Unavailable

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

    from discreet.audit.context import AccessContext, ActorKind
    from discreet.gateway.factory import policy_field_categories
    from discreet.policy import load_policy
    from discreet.settings import Settings
    from discreet.store.errors import StorageError
    from discreet.vault import VaultError, open_vault

    ctx = AccessContext(
        actor=actor or getpass.getuser(),
        purpose="key_management",
        legal_basis="legal_obligation",  # type: ignore[arg-type]  # validated, coerced
        actor_kind=ActorKind.USER,
    )
    settings = Settings()
    policy = load_policy()  # DISCREET_CONFIG, ./discreet.yaml, or the built-in example
    try:
        vault = open_vault(
            settings,
            categories=policy_field_categories(policy),
            identifiers=policy.identifier_fields,
        )
        with Progress(transient=True) as progress:
            task = progress.add_task("rebuilding blind indexes", total=None)
            count = vault.reindex(
                ctx=ctx, progress=lambda done: progress.update(task, completed=done)
            )
    except (StorageError, VaultError) as exc:
        raise Unavailable(
            f"cannot rebuild the blind indexes: {type(exc).__name__}: {exc}"
        ) from None
    typer.echo(f"rebuilt the blind indexes of {count} subjects")
