"""Storage failures. Messages name the store and the reason, never stored values."""

from __future__ import annotations

from discreet.errors import Unavailable


class StorageError(Unavailable):
    """Base class of storage failures."""

    code = "store_unavailable"


class StoreUnavailable(StorageError):
    """A database cannot be reached, opened or written: callers must fail closed."""


class SchemaNotCurrent(StoreUnavailable):
    """The database exists but its schema is not at the current migration."""
