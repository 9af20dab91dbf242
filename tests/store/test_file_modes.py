"""Data files are private whatever the umask: the directory 0700, databases 0600."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import text

from discreet.store.db import Database


def test_sqlite_files_are_private_under_a_permissive_umask(tmp_path: Path) -> None:
    home = tmp_path / "data"
    old = os.umask(0o022)
    try:
        db = Database(f"sqlite:///{home / 'discreet.db'}", name="data store")
        with db.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        modes = {p.name: p.stat().st_mode & 0o777 for p in home.iterdir()}
        db.dispose()
    finally:
        os.umask(old)
    assert home.stat().st_mode & 0o777 == 0o700
    assert modes["discreet.db"] == 0o600
    assert all(mode & 0o077 == 0 for mode in modes.values()), modes
