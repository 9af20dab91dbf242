"""Migrations: they build the schema the models describe, ship in the package, and a
store that is not migrated is refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from discreet.store import DATA, KEYS, Database, SchemaNotCurrent, ensure_current, upgrade
from discreet.store.keystore_models import KeysBase
from discreet.store.migrate import MIGRATIONS_DIR, VERSION_TABLES, current_revision, head_revision
from discreet.store.models import Base


def test_migrations_ship_inside_the_package() -> None:
    import discreet

    package = Path(discreet.__file__).parent
    assert MIGRATIONS_DIR.is_relative_to(package)
    for store in (DATA, KEYS):
        assert (MIGRATIONS_DIR / store / "env.py").is_file()
        assert list((MIGRATIONS_DIR / store / "versions").glob("0001_*.py"))


@pytest.mark.parametrize(("store", "metadata"), [(DATA, Base.metadata), (KEYS, KeysBase.metadata)])
def test_migrated_schema_matches_models(store_env, store: str, metadata) -> None:
    db = store_env.data_db() if store == DATA else store_env.keys_db()
    assert current_revision(db, store) == head_revision(store)  # type: ignore[arg-type]
    with db.begin() as conn:
        ctx = MigrationContext.configure(
            conn,
            opts={"version_table": VERSION_TABLES[store], "compare_type": False},  # type: ignore[index]
        )
        diffs = compare_metadata(ctx, metadata)
    assert diffs == []


def test_upgrade_is_idempotent_and_creates_chain_head(store_env) -> None:
    db = store_env.data_db()
    upgrade(db, DATA)
    with db.begin() as conn:
        assert conn.execute(text("SELECT seq, hash FROM audit_head")).one() == (0, "0" * 64)


def test_unmigrated_store_is_refused(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'empty.db'}", name="data store")
    with pytest.raises(SchemaNotCurrent, match="discreet db upgrade"):
        ensure_current(db, DATA)
    upgrade(db, DATA)
    ensure_current(db, DATA)
    db.dispose()


def test_sqlite_uses_wal(store_env) -> None:
    if not store_env.is_sqlite:
        pytest.skip("WAL is a SQLite setting")
    with store_env.data_db().begin() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
