"""Building a vault, its audit log and their stores from :class:`Settings`."""

from __future__ import annotations

from collections.abc import Mapping

from discreet.audit.log import AuditLog
from discreet.settings import Settings
from discreet.store import errors as store_errors
from discreet.store.db import Database
from discreet.store.migrate import DATA, KEYS, ensure_current, upgrade
from discreet.vault.blind_index import IdentifierKind
from discreet.vault.crypto import MasterKey
from discreet.vault.errors import StoreUnavailable
from discreet.vault.fields import DEFAULT_INDEXED_FIELDS, FieldCatalog
from discreet.vault.keystore import KeyStore, register_audit_chain
from discreet.vault.master import load_master_key
from discreet.vault.rotation import KeyRotation
from discreet.vault.scope import unavailable_as_vault_error
from discreet.vault.vault import Vault


def _databases(settings: Settings) -> tuple[Database, Database]:
    with unavailable_as_vault_error():
        return (
            Database(settings.data_url, name="data store"),
            Database(settings.keys_url, name="key store"),
        )


def upgrade_databases(settings: Settings) -> None:
    """Apply all migrations to the data store and the key store."""
    data, keys = _databases(settings)
    try:
        if data.url == keys.url and data.is_sqlite:
            raise StoreUnavailable(
                "the key store must not share the data store's SQLite file (principle 4): "
                "set DISCREET_KEYSTORE_URL to another file"
            )
        upgrade(data, DATA)
        upgrade(keys, KEYS)
    except StoreUnavailable:
        raise
    except store_errors.StoreUnavailable as exc:
        raise StoreUnavailable(str(exc)) from exc
    finally:
        data.dispose()
        keys.dispose()


def configured_key_store(
    settings: Settings, db: Database, master_key: MasterKey | None = None
) -> KeyStore:
    """The key store over `db` with `master_key`, else the configured one; with the
    configured key, a process that notices a master-key rotation made by another one
    re-reads it (`vault.keystore`), so a key file replaced by the new key is picked up."""
    if master_key is not None:
        return KeyStore(db, master_key)
    return KeyStore(db, load_master_key(settings), reload=lambda: load_master_key(settings))


def open_key_rotation(settings: Settings, new_master: MasterKey) -> KeyRotation:
    """`discreet keys rotate` over the configured stores, from the configured (old) key to
    `new_master`. No vault is opened: during a rotation that stopped, opening one needs
    both keys, which the rotation holds."""
    data, keys_db = _databases(settings)
    with unavailable_as_vault_error():
        ensure_current(data, DATA)
        ensure_current(keys_db, KEYS)
        keys = configured_key_store(settings, keys_db)
        # Recorded (or found) first: a rotation to another key still under way is
        # refused before anything reads a key that rotation re-wrapped.
        keys.begin_rotation(new_master)
        register_audit_chain(data, keys)
    return KeyRotation(keys, new_master, AuditLog(data), tenant=settings.tenant)


def open_vault(
    settings: Settings | None = None,
    *,
    master_key: MasterKey | None = None,
    tenant: str | None = None,
    categories: Mapping[str, str] | None = None,
    migrate: bool = False,
    identifiers: Mapping[str, str] | None = None,
) -> Vault:
    """The vault configured by `settings` (default: from the environment).

    Raises MasterKeyMissing / InvalidMasterKey / WrongMasterKey / StoreUnavailable, so a
    command refuses to start with a clear message. `migrate` first applies migrations
    (the demo and serve commands do; others expect `discreet db upgrade`).
    """
    settings = settings or Settings()
    if master_key is None:
        load_master_key(settings)  # MasterKeyMissing before anything is opened
    if migrate:
        upgrade_databases(settings)
    data, keys = _databases(settings)
    return Vault(
        data,
        configured_key_store(settings, keys, master_key),
        tenant=tenant or settings.tenant,
        catalog=FieldCatalog(
            categories,
            indexed={
                **DEFAULT_INDEXED_FIELDS,
                **{f: IdentifierKind(k) for f, k in (identifiers or {}).items()},
            },
        ),
        phone_region=settings.phone_region,
    )


def open_audit_log(settings: Settings | None = None) -> AuditLog:
    """The audit log alone (verify and export need no master key)."""
    settings = settings or Settings()
    data, _keys = _databases(settings)
    _keys.dispose()
    try:
        ensure_current(data, DATA)
    except store_errors.StoreUnavailable as exc:
        raise StoreUnavailable(str(exc)) from exc
    return AuditLog(data)


def register_audit_chain_from(settings: Settings, data: Database) -> None:
    """`register_audit_chain` for a command that opens the data store without the vault.

    With no master key configured it does nothing: reading needs no key, and an append to
    a keyed chain then fails closed, saying the master key is needed. A wrong key is
    refused (WrongMasterKey) before anything is written."""
    if settings.master_key is None and settings.master_key_file is None:
        return
    load_master_key(settings)  # MasterKeyMissing / InvalidMasterKey before opening a store
    try:
        keys_db = Database(settings.keys_url, name="key store")
    except store_errors.StoreUnavailable as exc:
        raise StoreUnavailable(str(exc)) from exc
    try:
        ensure_current(keys_db, KEYS)
        keys = configured_key_store(settings, keys_db)
        keys.check_master_key()
        register_audit_chain(data, keys)
    finally:
        keys_db.dispose()
