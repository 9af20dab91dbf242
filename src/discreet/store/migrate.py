"""Alembic migrations for the two stores, runnable from an installed wheel.

The migration scripts ship inside the package (``store/migrations/data`` and
``store/migrations/keys``), so ``discreet db upgrade`` works without a source checkout.
Each store keeps its own version table, which lets both live in one PostgreSQL database
when an operator wants that (never in one SQLite file: see :mod:`discreet.store`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData

from discreet.store.db import Database, make_engine
from discreet.store.errors import SchemaNotCurrent

Store = Literal["data", "keys"]
DATA: Store = "data"
KEYS: Store = "keys"

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_TABLES: dict[Store, str] = {DATA: "alembic_version", KEYS: "alembic_version_keys"}


def _metadata(store: Store) -> MetaData:
    if store == DATA:
        from discreet.store.models import Base

        return Base.metadata
    from discreet.store.keystore_models import KeysBase

    return KeysBase.metadata


def alembic_config(store: Store, connection: Connection | None = None) -> Config:
    """An Alembic config for `store`, optionally bound to an open connection."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR / store))
    cfg.attributes["store"] = store
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(db: Database, store: Store, revision: str = "head") -> None:
    """Apply `store`'s migrations to `db` up to `revision`, in one transaction."""
    with db.begin() as conn:
        command.upgrade(alembic_config(store, conn), revision)


def head_revision(store: Store) -> str | None:
    return ScriptDirectory.from_config(alembic_config(store)).get_current_head()


def current_revision(db: Database, store: Store) -> str | None:
    with db.begin() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLES[store]})
        return ctx.get_current_revision()


def ensure_current(db: Database, store: Store) -> None:
    """Fail closed unless `db` is migrated to the newest revision of `store`."""
    current, head = current_revision(db, store), head_revision(store)
    if current != head:
        raise SchemaNotCurrent(
            f"{db.name} schema is at revision {current or 'none'}, expected {head}: "
            "run `discreet db upgrade`"
        )


def run_env(context: Any, store: Store) -> None:
    """The body of each migrations ``env.py`` (online mode only).

    Uses the connection handed over by :func:`upgrade`; from the ``alembic`` command line
    it connects to ``sqlalchemy.url`` instead.
    """
    connection: Connection | None = context.config.attributes.get("connection")
    opts: dict[str, Any] = {
        "target_metadata": _metadata(store),
        "version_table": VERSION_TABLES[store],
        "render_as_batch": True,  # SQLite cannot ALTER most things in place
        "compare_type": True,
    }
    if connection is not None:
        context.configure(connection=connection, **opts)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        context.configure(connection=conn, **opts)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
