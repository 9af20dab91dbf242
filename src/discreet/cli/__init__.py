"""The `discreet` command line: the root command, built from the command groups that
each live in their own module, and the one place where errors become exit codes.

Commands parse arguments and call domain code; no rules here. A command lets a
:class:`~discreet.errors.DiscreetError` rise; the root command prints its message (it
names what and where, never a value) as one line and exits with its ``exit_code``.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from discreet import __version__
from discreet.cli._common import ActorOpt as _ActorOpt
from discreet.cli._common import operator_ctx as _operator_ctx
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


# --- keys (moving to its own module) -----------------------------------------------------

keys_app = typer.Typer(help="The master key: generate, rotate, status.")
app.add_typer(keys_app, name="keys", no_args_is_help=True)


def _storage_fail(exc: Exception) -> typer.Exit:
    """Print a storage/vault error (its message names no values) and give exit code 2."""
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(2)


@keys_app.command("generate")
def keys_generate(
    out: Annotated[Path, typer.Option("--out", help="Key file to create (mode 0600).")],
) -> None:
    """Create a new random master key in a file (never overwrites one)."""
    from discreet.vault.master import write_master_key_file

    try:
        key = write_master_key_file(out)
    except FileExistsError:
        raise _storage_fail(ValueError(f"{out} exists; refusing to overwrite a key")) from None
    typer.echo(f"wrote master key {key.key_id} to {out}; set DISCREET_MASTER_KEY_FILE={out}")


@keys_app.command("rotate")
def keys_rotate(
    new_key_file: Annotated[
        Path,
        typer.Option("--new-key-file", help="The new key; created (mode 0600) if absent."),
    ],
    actor: _ActorOpt = None,
) -> None:
    """Re-wrap every data key under a new master key (the data is not re-encrypted)."""
    from discreet.settings import Settings
    from discreet.store.errors import StorageError
    from discreet.vault import VaultError, open_vault
    from discreet.vault.master import read_master_key_file, write_master_key_file

    ctx = _operator_ctx(actor, "key_management", "legal_obligation")
    try:
        vault = open_vault(Settings())
        new = (
            read_master_key_file(new_key_file)
            if new_key_file.exists()
            else write_master_key_file(new_key_file)
        )
        count = vault.rotate_master_key(new, ctx=ctx)
    except (VaultError, StorageError, ValueError) as exc:
        raise _storage_fail(exc) from None
    typer.echo(
        f"re-wrapped {count} data keys under master key {new.key_id}. Configure it now "
        f"(DISCREET_MASTER_KEY_FILE={new_key_file}); the old key opens nothing any more."
    )


@keys_app.command("status")
def keys_status() -> None:
    """Show the configured master key's id and how many data keys each key id wraps."""
    from discreet.settings import Settings
    from discreet.store.db import Database
    from discreet.store.errors import StorageError
    from discreet.vault import VaultError, load_master_key
    from discreet.vault.keystore import KeyStore

    settings = Settings()
    try:
        key = load_master_key(settings)
        store = KeyStore(Database(settings.keys_url, name="key store"), key)
        counts = store.counts_by_master_key()
    except (VaultError, StorageError) as exc:
        raise _storage_fail(exc) from None
    typer.echo(f"configured master key: {key.key_id}")
    for key_id, count in sorted(counts.items()):
        mark = "" if key_id == key.key_id else "  (NOT the configured key)"
        typer.echo(f"  {key_id}: {count} wrapped data keys{mark}")


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
