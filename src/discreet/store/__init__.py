"""Storage: SQLAlchemy models, engines and Alembic migrations; no business rules.

Two databases, kept apart on purpose (ARCHITECTURE.md, principle 4): the *data store*
(encrypted subject fields, blind indexes, conversations, token maps, the audit log) and
the *key store* (wrapped data keys). Restoring a data backup must never bring back a key
that erasure destroyed, so the two are never the same SQLite file.
"""

from discreet.store.db import Database, make_engine
from discreet.store.errors import SchemaNotCurrent, StorageError, StoreUnavailable
from discreet.store.migrate import DATA, KEYS, ensure_current, upgrade

__all__ = [
    "DATA",
    "KEYS",
    "Database",
    "SchemaNotCurrent",
    "StorageError",
    "StoreUnavailable",
    "ensure_current",
    "make_engine",
    "upgrade",
]
