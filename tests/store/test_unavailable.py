"""Unavailable databases fail closed with a clear error, never a traceback or a value."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from discreet.audit import AccessContext
from discreet.settings import Settings
from discreet.store import Database, StoreUnavailable
from discreet.vault import MasterKey, VaultError, open_audit_log, open_vault, upgrade_databases
from discreet.vault import StoreUnavailable as VaultStoreUnavailable


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_postgres_on_a_closed_port(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://postgres:hunter2@127.0.0.1:{_closed_port()}/test"
    settings = Settings(home=tmp_path, database_url=url)
    with pytest.raises(VaultStoreUnavailable) as info:
        open_vault(settings, master_key=MasterKey.generate())
    message = str(info.value)
    assert "data store unavailable" in message and "hunter2" not in message
    assert isinstance(info.value, VaultError)
    with pytest.raises(StoreUnavailable):
        upgrade_databases(settings)
    with pytest.raises(StoreUnavailable):
        open_audit_log(settings)


def test_sqlite_path_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the data directory should be")
    settings = Settings(home=blocker / "home")
    with pytest.raises(StoreUnavailable, match="cannot create directory"):
        upgrade_databases(settings)
    with pytest.raises(VaultStoreUnavailable):
        open_vault(settings, master_key=MasterKey.generate())


def test_sqlite_file_that_cannot_be_opened(tmp_path: Path) -> None:
    (tmp_path / "discreet.db").mkdir()  # a directory where the database file should be
    with pytest.raises(StoreUnavailable, match="data store unavailable"):
        upgrade_databases(Settings(home=tmp_path))


def test_store_lost_after_opening_fails_closed(store_env, ctx: AccessContext) -> None:
    vault = store_env.open_vault()
    vault.put_subject("R-1", {"name": "Anna"}, ctx=ctx)
    broken = Database(_unreachable(store_env), name="data store")
    vault._scope.data = broken  # the database goes away under a running vault
    vault.audit_log.db = broken
    with pytest.raises(VaultStoreUnavailable):
        vault.get_subject("R-1", ctx=ctx)


def _unreachable(store_env) -> str:
    if store_env.is_sqlite:
        blocker = store_env.home / "gone.db"
        blocker.mkdir()  # a directory cannot be opened as a database file
        return f"sqlite:///{blocker}"
    return f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/test"
