"""Master key loading, wrong keys, rotation and the demo key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from discreet.audit import AccessContext
from discreet.settings import Settings
from discreet.store import Database
from discreet.store.keystore_models import WrappedKey
from discreet.store.models import SubjectField, table_of
from discreet.vault import (
    InvalidMasterKey,
    MasterKey,
    MasterKeyMissing,
    Vault,
    WrongMasterKey,
    ensure_demo_master_key,
    load_master_key,
    open_vault,
)
from discreet.vault.master import write_master_key_file

K = table_of(WrappedKey)
F = table_of(SubjectField)


def _rows(db, table) -> list[tuple[object, ...]]:
    with db.begin() as conn:
        return sorted(tuple(row) for row in conn.execute(select(table)).all())


def test_missing_master_key_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MasterKeyMissing, match="DISCREET_MASTER_KEY"):
        load_master_key(Settings(home=tmp_path))


def test_master_key_from_env_and_file(tmp_path: Path) -> None:
    key = MasterKey.generate()
    assert load_master_key(Settings(master_key=key.to_base64())) == key
    path = tmp_path / "master.key"
    write_master_key_file(path, key)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_master_key(Settings(master_key_file=path)) == key
    with pytest.raises(FileExistsError):
        write_master_key_file(path)  # never clobbers a key
    with pytest.raises(InvalidMasterKey) as info:
        load_master_key(Settings(master_key="AAAA"))
    assert "AAAA" not in str(info.value)
    with pytest.raises(MasterKeyMissing, match="does not exist"):
        load_master_key(Settings(master_key_file=tmp_path / "absent.key"))


def test_demo_key_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    home = tmp_path / "demo-home"
    path = ensure_demo_master_key(home)
    assert path.parent == home.resolve()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = path.read_text()
    assert ensure_demo_master_key(home) == path
    assert path.read_text() == first


def test_wrong_master_key_refuses_to_open_and_writes_nothing(
    store_env, filled_vault: Vault
) -> None:
    keys_before = _rows(store_env.keys_db(), K)
    data_before = _rows(store_env.data_db(), F)
    with pytest.raises(WrongMasterKey) as info:
        store_env.open_vault(master_key=MasterKey.generate())
    assert store_env.master_key.key_id in str(info.value)
    assert _rows(store_env.keys_db(), K) == keys_before
    assert _rows(store_env.data_db(), F) == data_before


def test_rotation_rewraps_keys_without_touching_data(
    store_env, filled_vault: Vault, ctx: AccessContext, sample_subjects
) -> None:
    data_before = _rows(store_env.data_db(), F)
    wrapped_before = _rows(store_env.keys_db(), K)
    new = MasterKey.generate()
    count = filled_vault.rotate_master_key(new, ctx=ctx)
    # two subjects, the blind-index key and the audit chain key (audit/keyed.py)
    assert count == len(wrapped_before) == 4
    assert _rows(store_env.data_db(), F) == data_before  # no re-encryption
    wrapped_after = _rows(store_env.keys_db(), K)
    assert {row[3] for row in wrapped_after} == {new.key_id}
    # The same vault object keeps working, and a fresh one with the new key reads all.
    assert filled_vault.get_subject("CUST-48213", ctx=ctx).fields == sample_subjects["CUST-48213"]
    reopened = store_env.open_vault(master_key=new)
    assert reopened.get_subject("CUST-77120", ctx=ctx).fields == sample_subjects["CUST-77120"]
    # The old key is now useless.
    with pytest.raises(WrongMasterKey):
        store_env.open_vault(master_key=store_env.master_key)
    (record,) = [e for e in filled_vault.audit_log.entries() if e.action == "keys.rotate"]
    assert record.details["rewrapped"] == 4 and record.outcome == "ok"


def test_rotation_with_wrong_old_key_changes_nothing(
    store_env, filled_vault: Vault, ctx: AccessContext
) -> None:
    from discreet.vault.keystore import KeyStore

    before = _rows(store_env.keys_db(), K)
    impostor = KeyStore(store_env.keys_db(), MasterKey.generate())
    with pytest.raises(WrongMasterKey):
        impostor.rotate(MasterKey.generate())
    assert _rows(store_env.keys_db(), K) == before


def test_foreign_key_store_is_refused(store_env, filled_vault: Vault, tmp_path: Path) -> None:
    from discreet.store import KEYS, upgrade
    from discreet.vault import KeyStoreMismatch

    empty_keys = f"sqlite:///{tmp_path / 'other-keys.db'}"
    upgrade(Database(empty_keys, name="key store"), KEYS)
    settings = store_env.settings(keystore_url=empty_keys)
    with pytest.raises(KeyStoreMismatch, match="DISCREET_KEYSTORE_URL"):
        open_vault(settings, master_key=store_env.master_key)


def test_demo_flow_creates_key_and_migrates(tmp_path: Path, ctx: AccessContext) -> None:
    home = tmp_path / "demo"
    settings = Settings(home=home, master_key_file=ensure_demo_master_key(home))
    vault = open_vault(settings, migrate=True)
    vault.put_subject("DEMO-1", {"name": "Demo Person"}, ctx=ctx)
    vault.close()
    again = open_vault(settings, migrate=True)  # idempotent; same key reads the data
    assert again.get_subject("DEMO-1", ctx=ctx).fields == {"name": "Demo Person"}
    again.close()
