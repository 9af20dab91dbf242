"""Opening the stores for operations commands, with storage failures as DiscreetErrors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from discreet.errors import Unavailable
from discreet.settings import Settings
from discreet.store import DATA, Database, ensure_current
from discreet.store.errors import StorageError
from discreet.store.migrate import Store
from discreet.vault.factory import register_audit_chain_from

if TYPE_CHECKING:
    from discreet.vault.crypto import MasterKey


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
    with _migrated(settings.data_url, "data store", DATA) as db:
        register_audit_chain_from(settings, db)  # what ops appends joins the keyed chain
        yield db


class MasterKeyNeeded(Unavailable):
    """This command needs the master key (DISCREET_MASTER_KEY or _FILE)."""


def master_key(settings: Settings | None = None) -> MasterKey:
    from discreet.vault.errors import VaultError
    from discreet.vault.master import load_master_key

    try:
        return load_master_key(settings or Settings())
    except VaultError as exc:
        raise MasterKeyNeeded(str(exc)) from None


@contextmanager
def key_store(settings: Settings | None = None) -> Iterator[Database]:
    """The migrated key store, disposed after."""
    from discreet.store import KEYS

    settings = settings or Settings()
    with _migrated(settings.keys_url, "key store", KEYS) as db:
        yield db


@contextmanager
def _migrated(url: str, name: str, store: Store) -> Iterator[Database]:
    """The database at ``url``, refused unless migrated to ``store``'s newest revision,
    disposed after; storage failures (also the caller's) as `OpsStoreUnavailable`."""
    with storage_errors():
        db = Database(url, name=name)
        try:
            ensure_current(db, store)
            yield db
        finally:
            db.dispose()
