"""SQLite checkpoints run in the background, not in the request whose commit fills the log.

A checkpoint copies the write-ahead log into the database file and fsyncs it; in a
request it stalled a chat turn for tens of milliseconds. These tests check that commits
leave it to the background thread, that the thread does it, and that it lets go of
stores that are closed or gone.
"""

from __future__ import annotations

import contextlib
import gc
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from discreet.store import Database
from discreet.store import db as db_module


def _database(path: Path) -> Database:
    database = Database(f"sqlite:///{path}", name="data store")
    with database.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS blobs (data BLOB)"))
    return database


def _write(database: Database, megabytes: int) -> None:
    for _ in range(megabytes * 16):
        with database.begin() as conn:
            conn.execute(text("INSERT INTO blobs VALUES (randomblob(65536))"))


def test_commits_do_not_checkpoint_at_sqlites_default(tmp_path: Path) -> None:
    database = _database(tmp_path / "data.db")
    with database.begin() as conn:
        pages = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
    assert pages == db_module.REQUEST_AUTOCHECKPOINT_PAGES > 1000
    database.dispose()


def test_the_background_thread_copies_the_log_into_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "CHECKPOINT_INTERVAL_S", 0.05)
    path = tmp_path / "data.db"
    database = _database(path)
    time.sleep(db_module.CHECKPOINT_INTERVAL_S * 2)  # a round sleeping at 0.5 s ends
    # 6 MB: past SQLite's own 1,000-page threshold, below the requests' fallback.
    _write(database, 6)
    deadline = time.monotonic() + 10
    while path.stat().st_size < 6 * 1024 * 1024 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert path.stat().st_size >= 6 * 1024 * 1024, "the log was not checkpointed"
    with database.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM blobs")).scalar() == 96
    database.dispose()


def test_closed_and_dropped_stores_are_let_go(tmp_path: Path) -> None:
    registered = db_module._CHECKPOINTER._files
    disposed = _database(tmp_path / "disposed.db")
    dropped = _database(tmp_path / "dropped.db")
    keys = [str((tmp_path / name).resolve()) for name in ("disposed.db", "dropped.db")]
    assert all(key in registered for key in keys)
    disposed.dispose()
    del dropped
    gc.collect()
    assert not any(key in registered for key in keys)


def test_a_deleted_store_is_not_recreated(tmp_path: Path) -> None:
    path = tmp_path / "gone.db"
    database = _database(path)
    _write(database, 1)
    database.dispose()
    for leftover in tmp_path.iterdir():
        leftover.unlink()
    (tmp_path / "gone.db-wal").write_bytes(b"")  # a log left behind, its database gone
    key = str(path.resolve())
    db_module._CHECKPOINTER._files[key] = 1  # as if still open when the file went
    try:
        db_module._CHECKPOINTER.checkpoint(key)
    finally:
        db_module._CHECKPOINTER.remove(key)
    assert not path.exists()


def test_a_purge_empties_the_log_even_while_another_checkpoint_runs(tmp_path: Path) -> None:
    """A shredded key's page images must leave the write-ahead log. SQLite answers a
    TRUNCATE checkpoint "busy" at once, without an error, while another connection
    checkpoints (the background thread does, every few seconds): the purge retries until
    the log is empty instead of returning with the images still in it."""
    path = tmp_path / "keys.db"
    database = _database(path)
    stop = threading.Event()

    def checkpoint_all_the_time() -> None:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        while not stop.is_set():
            with contextlib.suppress(sqlite3.Error):  # busy: the purge holds it
                other.execute("PRAGMA wal_checkpoint(PASSIVE)")
        other.close()

    rival = threading.Thread(target=checkpoint_all_the_time, daemon=True)
    rival.start()
    try:
        for _ in range(20):
            _write(database, 1)
            database.purge_deleted()
            assert (tmp_path / "keys.db-wal").stat().st_size == 0, "the log kept its pages"
    finally:
        stop.set()
        rival.join()
    database.dispose()


def test_a_closed_store_is_whole_in_its_file_even_while_another_connection_is_open(
    tmp_path: Path,
) -> None:
    """Closing a store is the documented moment to copy its file (a backup by file copy).
    SQLite copies the log in when its last connection closes, but not while another one
    is open, such as the background checkpointer's: the close copies it in itself."""
    path = tmp_path / "data.db"
    database = _database(path)
    _write(database, 1)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("SELECT count(*) FROM sqlite_master").fetchone()  # attached, now idle
    try:
        database.dispose()
        copy = tmp_path / "copy.db"
        shutil.copy(path, copy)  # the file alone, as a file-copy backup takes it
    finally:
        other.close()
    copied = sqlite3.connect(copy)
    try:
        assert copied.execute("SELECT count(*) FROM blobs").fetchone() == (16,)
    finally:
        copied.close()
