"""Opening the stores for operations commands, with storage failures as DiscreetErrors."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager

from discreet.errors import Unavailable
from discreet.settings import Settings
from discreet.store import DATA, Database, ensure_current
from discreet.store.errors import StorageError


class OpsStoreUnavailable(Unavailable):
    """The data store cannot be opened or is not migrated."""


@contextmanager
def storage_errors() -> Iterator[None]:
    """Storage failures (their messages name the store, never a value) as `Unavailable`."""
    try:
        yield
    except StorageError as exc:
        raise OpsStoreUnavailable(str(exc)) from None


@contextmanager
def data_store(settings: Settings | None = None) -> Iterator[Database]:
    """The migrated data store of `settings` (default: the environment's), disposed after."""
    settings = settings or Settings()
    with storage_errors():
        db = Database(settings.data_url, name="data store")
        try:
            ensure_current(db, DATA)
            yield db
        finally:
            db.dispose()


def default_actor(actor: str | None) -> str:
    return actor or getpass.getuser()
