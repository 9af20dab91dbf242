"""`discreet keys`: the master key: generate, rotate (resumable, safe with running
servers), status (generations and rotation progress)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from discreet.cli._common import operator_ctx, settings_for
from discreet.clock import as_utc
from discreet.errors import Conflict, DiscreetError, InvalidInput

if TYPE_CHECKING:
    from discreet.vault.crypto import MasterKey

app = typer.Typer(
    short_help="The master key: generate, rotate, status.",
    help="The master key wraps every data key (the key store). `rotate` re-wraps them all "
    "under a new key in batches: servers keep running, a stopped rotation is finished by "
    "running it again, and the old key is refused once it completes. `status` shows the "
    "key generations and the rotation's progress.",
)


def _write_key_file(path: Path, option: str) -> MasterKey:
    """A new random key in `path` (mode 0600); never over an existing file, which may
    hold the key that wraps every data key."""
    from discreet.vault.master import write_master_key_file

    try:
        return write_master_key_file(path)
    except FileExistsError:
        raise Conflict(f"{option} {path} exists; refusing to overwrite a key") from None
    except OSError as exc:  # a directory or permission the user named
        raise InvalidInput(f"cannot write {option} {path}: {exc.strerror}") from None


@app.command("generate")
def keys_generate(
    out: Annotated[Path, typer.Option("--out", help="Key file to create (mode 0600).")],
) -> None:
    """Create a new random master key in a file (never overwrites one: exit 4 if it exists).
    Example: `discreet keys generate --out master.key`."""
    key = _write_key_file(out, "--out")
    typer.echo(f"wrote master key {key.key_id} to {out}; set DISCREET_MASTER_KEY_FILE={out}")


@app.command("rotate")
def keys_rotate(
    new_key_file: Annotated[
        Path,
        typer.Option("--new-key-file", help="The new key; created (mode 0600) if absent."),
    ],
    actor: Annotated[
        str | None, typer.Option("--actor", help="Who acts (default: your login name).")
    ] = None,
) -> None:
    """Re-wrap every data key under a new master key (the data is not re-encrypted).

    The configured key (DISCREET_MASTER_KEY / _FILE) is the old one. Run it again with
    the same --new-key-file to finish a rotation that stopped; a rotation to another key
    is refused until then (exit 4). Example: `discreet keys rotate --new-key-file new.key`."""
    from discreet.vault.factory import open_key_rotation
    from discreet.vault.master import read_master_key_file

    ctx = operator_ctx(actor, "key_management", "legal_obligation")
    if not new_key_file.exists():
        new = _write_key_file(new_key_file, "--new-key-file")
    else:
        try:
            new = read_master_key_file(new_key_file)
        except DiscreetError as exc:  # the file the user named, not the configured key
            raise InvalidInput(f"--new-key-file: {exc.message}") from None
    count = open_key_rotation(settings_for(None), new).run(ctx)
    typer.echo(
        f"re-wrapped {count} data keys under master key {new.key_id}; it is the current "
        f"generation. Configure it now (DISCREET_MASTER_KEY_FILE={new_key_file}); the old "
        "key opens nothing and wraps nothing any more."
    )


@app.command("status")
def keys_status() -> None:
    """Show the master key generations (the current one, retired ones), a rotation under
    way with its progress, and how many data keys each master key wraps."""
    from discreet.ops.stores import key_store
    from discreet.vault.keystore import key_status
    from discreet.vault.master import load_master_key

    settings = settings_for(None)
    try:
        configured = load_master_key(settings).key_id
    except DiscreetError:
        configured = None  # the status needs no key; it only marks the configured one
    with key_store(settings) as keys_db:  # Unavailable (exit 5) if it cannot be read
        status = key_status(keys_db)
    typer.echo(f"configured master key: {configured or '(none configured)'}")
    typer.echo("generations:")
    if not status.generations:
        typer.echo("  none recorded yet (the first process to open the key store records it)")
    for gen in status.generations:
        retired = f", retired {as_utc(gen.retired_at):%Y-%m-%d %H:%M}Z" if gen.retired_at else ""
        mark = "  <- configured" if gen.master_key_id == configured else ""
        typer.echo(
            f"  {gen.number}: {gen.master_key_id} {gen.state.value} "
            f"(since {as_utc(gen.created_at):%Y-%m-%d %H:%M}Z{retired}){mark}"
        )
    progress = status.rotation_progress
    if progress is None or status.next is None:
        typer.echo("rotation: none under way")
    else:
        done, total = progress
        typer.echo(
            f"rotation: to {status.next.master_key_id} under way, {done} of {total} data keys "
            "re-wrapped; run `discreet keys rotate --new-key-file FILE` again to finish it"
        )
    typer.echo("data keys by master key:")
    for key_id, count in sorted(status.data_keys.items()):
        mark = "" if key_id == configured else "  (NOT the configured key)"
        typer.echo(f"  {key_id}: {count} wrapped data keys{mark}")
