"""The `discreet` command line. Commands parse arguments and call domain code; no rules here."""

from __future__ import annotations

import typer

from discreet import __version__

app = typer.Typer(
    name="discreet",
    help="A privacy layer between AI customer-service assistants and customer data.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,  # locals may hold customer data
)


@app.command()
def version() -> None:
    """Print the discreet version."""
    typer.echo(__version__)


# --- detection commands: scan, bench ---------------------------------------------------

# --- storage, vault and audit commands: db, keys, subjects, audit ----------------------

# --- pseudonymisation commands: redact, rehydrate --------------------------------------


def main() -> None:
    app()
