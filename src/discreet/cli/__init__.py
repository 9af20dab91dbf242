"""The `discreet` command line: the root command, built from the command groups that
each live in their own module, and the one place where errors become exit codes.

Commands parse arguments and call domain code; no rules here. A command lets a
:class:`~discreet.errors.DiscreetError` rise; the root command prints its message (it
names what and where, never a value) as one line and exits with its ``exit_code``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from discreet import __version__
from discreet.errors import DiscreetError

if TYPE_CHECKING:
    # Typer vendors its own click; its Context is the one TyperGroup.invoke takes.
    from typer._click import Context


class _Root(TyperGroup):
    """The root command. Every command runs inside its `invoke` (click nests them), so
    this is the CLI's one mapping from errors to exit codes, for `discreet` and for
    tests that invoke `app` alike."""

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except DiscreetError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    name="discreet",
    cls=_Root,
    help="A privacy layer between AI customer-service assistants and customer data.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,  # locals may hold customer data
)


@app.command()
def version() -> None:
    """Print the discreet version."""
    typer.echo(__version__)


# Command groups, one module each (``discreet/cli/<module>.py`` defining ``app``), in the
# order `discreet --help` lists them: (module, command name); no name: the module's
# commands stand at the top level (`discreet scan`).
_GROUPS: tuple[tuple[str, str | None], ...] = (
    ("detection", None),
    ("pseudonymise", None),
    ("serve", None),
    ("demo", None),
    ("db", "db"),
    ("subjects", "subjects"),
    ("audit", "audit"),
    ("policy", "policy"),
    ("apikey", "apikey"),
    ("consent", "consent"),
    ("rights", "rights"),
    ("retention", "retention"),
    ("keys", "keys"),
    ("incidents", "incidents"),
    ("alerts", "alerts"),
    ("report", "report"),
    ("backup", "backup"),
    ("selftest", "selftest"),
    ("export", "export"),
    ("analytics", "analytics"),
    ("users", "users"),
    ("conversations", "conversations"),
    ("index", "index"),
)


def _register_groups() -> None:
    for module_name, group in _GROUPS:
        module = importlib.import_module(f"discreet.cli.{module_name}")
        # A group that runs by itself (`discreet selftest`) sets NO_ARGS_IS_HELP = False.
        help_alone = getattr(module, "NO_ARGS_IS_HELP", True) and group is not None
        app.add_typer(module.app, name=group, no_args_is_help=help_alone)


_register_groups()


def main() -> None:
    """Run the CLI (errors are mapped to exit codes by the root command, :class:`_Root`)."""
    app()
