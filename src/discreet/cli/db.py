"""`discreet db`: migrations of the data store and the key store."""

from __future__ import annotations

import typer

app = typer.Typer(help="Database migrations of the data store and key store.")


@app.command("upgrade")
def db_upgrade() -> None:
    """Apply migrations to the data store and the key store."""
    from discreet.settings import Settings
    from discreet.vault import upgrade_databases

    upgrade_databases(Settings())
    typer.echo("data store and key store are at the newest schema")
