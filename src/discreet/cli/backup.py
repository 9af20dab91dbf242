"""`discreet backup`: encrypted backups of the data store and key store, and restores that
never bring an erased customer back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from discreet.cli._common import JsonOpt
from discreet.ops.backup import Backups, ErasureLedger
from discreet.ops.stores import data_store, key_store, master_key
from discreet.settings import Settings
from discreet.subjectdata import Holders

app = typer.Typer(
    short_help="Encrypted backups of both stores; restores replay erasures.",
    help="Backups: the data store and the key store to separate destinations, encrypted "
    "and checksummed; key-store backups expire (default 30 days) so an erased customer's "
    "key leaves every backup; an erasure ledger (pseudonymous ids and times) is replayed "
    "after every restore. Destinations: --data-dest/--keys-dest or DISCREET_BACKUP_DATA_DIR "
    "/ DISCREET_BACKUP_KEYS_DIR; the ledger: DISCREET_ERASURE_LEDGER.",
)

_BackupId = Annotated[str, typer.Argument(help="The backup id (from `backup list`).")]
_DataDest = Annotated[
    Path | None,
    typer.Option(
        "--data-dest",
        help="Directory for data-store backups (default: $DISCREET_BACKUP_DATA_DIR, else "
        "HOME/backups/data).",
        show_default=False,
    ),
]
_KeysDest = Annotated[
    Path | None,
    typer.Option(
        "--keys-dest",
        help="Directory for key-store backups, apart from the data's (default: "
        "$DISCREET_BACKUP_KEYS_DIR, else HOME/backups/keys; better another disk or host).",
        show_default=False,
    ),
]
_Ledger = Annotated[
    Path | None,
    typer.Option(
        "--ledger",
        help="The erasure ledger (default: $DISCREET_ERASURE_LEDGER, else "
        "HOME/erasure-ledger.jsonl).",
        show_default=False,
    ),
]
_KeysDays = Annotated[
    int | None,
    typer.Option(
        "--keys-retention-days",
        min=1,
        help="Days a key-store backup is kept (default: $DISCREET_BACKUP_KEYS_DAYS, else 30).",
        show_default=False,
    ),
]


def _status(what: str) -> Any:
    """A spinner on stderr while a long step runs (nothing when not a terminal)."""
    from rich.console import Console

    return Console(stderr=True).status(f"{what}...")


@contextmanager
def _backups(
    data_dest: Path | None,
    keys_dest: Path | None,
    ledger: Path | None,
    keys_days: int | None = None,
) -> Iterator[Backups]:
    """The backups of the configured stores; an option given wins over its setting."""
    settings = Settings()
    home = settings.home_dir
    master = master_key(settings)
    with data_store(settings) as data, key_store(settings) as keys:
        yield Backups(
            data=data,
            keys=keys,
            master=master,
            data_dest=data_dest or settings.backup_data_dir or home / "backups" / "data",
            keys_dest=keys_dest or settings.backup_keys_dir or home / "backups" / "keys",
            ledger=ErasureLedger(
                ledger or settings.erasure_ledger or home / "erasure-ledger.jsonl"
            ),
            keys_retention=timedelta(days=keys_days or settings.backup_keys_days),
        )


def _holders(backups: Backups) -> Holders:
    """Every registered subject-data holder over the (restored) stores: the ledger's
    erasures are replayed by the same holders an erasure job runs."""
    from discreet.vault.keystore import KeyStore
    from discreet.wiring import StoreParts, build_holders

    return build_holders(StoreParts(backups.data, KeyStore(backups.keys, backups.master)))


RESTORE_ACTION = "backup.restore"


def _record_restore(backups: Backups, result: dict[str, Any]) -> None:
    """The restore in the restored store's audit log: which backup, whether the key store
    came back, how many erasures were replayed (an auditor's evidence that none was
    undone)."""
    from discreet.audit import AuditEvent, AuditLog, Outcome
    from discreet.cli._common import cli_context

    details: dict[str, int | str | bool] = {
        "backup": str(result["restored"]),
        "key_store_restored": bool(result["key_store_restored"]),
        "erasures_replayed": int(result["erasures_replayed"]),
    }
    AuditLog(backups.data).append(
        AuditEvent(
            ctx=cli_context("disaster_recovery"),
            tenant=Settings().tenant,
            action=RESTORE_ACTION,
            outcome=Outcome.OK,
            details=details,
        )
    )


@app.command("create")
def create(
    data_dest: _DataDest = None,
    keys_dest: _KeysDest = None,
    ledger: _Ledger = None,
    keys_days: _KeysDays = None,
) -> None:
    """Back up both stores now (and prune expired key-store backups)."""
    with _backups(data_dest, keys_dest, ledger, keys_days) as backups, _status("backing up"):
        made = backups.create()
    for info in made:
        expiry = f", expires {info.expires_at:%Y-%m-%d}" if info.expires_at else ""
        typer.echo(
            f"{info.id} {info.store}: {info.size:,} bytes, sha256 {info.sha256[:16]}...{expiry}"
        )


@app.command("list")
def list_backups(
    data_dest: _DataDest = None,
    keys_dest: _KeysDest = None,
    ledger: _Ledger = None,
    as_json: JsonOpt = False,
) -> None:
    """List backups in both destinations, oldest first."""
    with _backups(data_dest, keys_dest, ledger) as backups:
        items = backups.backups()
    if as_json:
        typer.echo(json.dumps([i.as_dict() for i in items], indent=2))
        return
    if not items:
        typer.echo("no backups")
    for info in items:
        expiry = f" expires {info.expires_at:%Y-%m-%d %H:%M}" if info.expires_at else ""
        typer.echo(f"{info.id}  {info.store:<4}  {info.backend:<10} {info.size:>12,} B{expiry}")


@app.command("verify")
def verify(
    backup_id: _BackupId,
    data_dest: _DataDest = None,
    keys_dest: _KeysDest = None,
    ledger: _Ledger = None,
) -> None:
    """Check a backup: checksum, every chunk's authentication, the copy's integrity."""
    with _backups(data_dest, keys_dest, ledger) as backups:
        stores = {i.store for i in backups.backups() if i.id == backup_id}
        if not stores:
            from discreet.errors import NotFound

            raise NotFound(f"no backup {backup_id!r}")
        for store in sorted(stores):
            backups.verify(backup_id, store)
            typer.echo(f"{backup_id} {store}: OK")


@app.command("restore")
def restore(
    backup_id: _BackupId,
    yes: Annotated[
        bool, typer.Option("--yes", help="Confirm: the stores' current contents are replaced.")
    ] = False,
    data_only: Annotated[
        bool, typer.Option("--data-only", help="Keep the live key store.")
    ] = False,
    data_dest: _DataDest = None,
    keys_dest: _KeysDest = None,
    ledger: _Ledger = None,
) -> None:
    """Restore a backup (stop the gateway first), then replay the erasure ledger."""
    from discreet.errors import InvalidInput

    if not yes:
        raise InvalidInput("restoring replaces the stores' contents: add --yes to confirm")
    with _backups(data_dest, keys_dest, ledger) as backups, _status("restoring"):
        result = backups.restore(
            backup_id, holders=lambda: _holders(backups), with_keys=not data_only
        )
        _record_restore(backups, result)
    keys = "and key store" if result["key_store_restored"] else "(key store kept)"
    typer.echo(
        f"restored {backup_id}: data store {keys}; "
        f"{result['erasures_replayed']} erasure(s) replayed from the ledger"
    )


@app.command("ledger-sync")
def ledger_sync(
    data_dest: _DataDest = None,
    keys_dest: _KeysDest = None,
    ledger: _Ledger = None,
) -> None:
    """Copy new erasures from the audit log into the ledger (run it from cron)."""
    with _backups(data_dest, keys_dest, ledger) as backups:
        added = backups.ledger.sync_from_audit(backups.data)
    typer.echo(f"{added} erasure(s) added to the ledger")
