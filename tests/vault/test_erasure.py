"""Crypto-shredding: after erasure, neither the database nor a backup of it yields the
subject's data; and no plaintext is ever at rest."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from discreet.audit import AccessContext
from discreet.store.keystore_models import WrappedKey
from discreet.store.models import Subject, SubjectField, table_of
from discreet.vault import IntegrityError, MasterKey, SubjectErased, Vault, VaultTokenStore
from discreet.vault.crypto import associated_data
from discreet.vault.keystore import KeyKind, KeyStore

S = table_of(Subject)
F = table_of(SubjectField)
K = table_of(WrappedKey)


def _all_rows(db, table) -> list[dict[str, object]]:
    with db.begin() as conn:
        return [dict(row._mapping) for row in conn.execute(select(table)).all()]


def _try_every_key(store_env, master: MasterKey, rows: list[dict[str, object]]) -> int:
    """Try to decrypt `rows` with every data key the key store still holds."""
    store = KeyStore(store_env.keys_db(), master)
    opened = 0
    for wrapped in _all_rows(store_env.keys_db(), K):
        key = store.get(str(wrapped["tenant"]), KeyKind(wrapped["kind"]), str(wrapped["owner_id"]))
        assert key is not None
        for row in rows:
            ad = associated_data(
                "discreet/field/v1",
                "default",
                str(row["subject_id"]),
                str(row["field"]),
                str(row["category"]),
            )
            try:
                key.decrypt(bytes(row["ciphertext"]), ad)  # type: ignore[arg-type]
                opened += 1
            except IntegrityError:
                pass
    return opened


def test_restored_rows_stay_unreadable_after_erasure(
    store_env, filled_vault: Vault, ctx: AccessContext
) -> None:
    subject_id = filled_vault.subject_id("CUST-48213", ctx=ctx)
    data = store_env.data_db()
    backup_subjects = [r for r in _all_rows(data, S) if r["id"] == subject_id]
    backup_fields = [r for r in _all_rows(data, F) if r["subject_id"] == subject_id]
    assert _try_every_key(store_env, store_env.master_key, backup_fields) == 8  # sanity

    filled_vault.erase_subject("CUST-48213", ctx=ctx)
    assert _try_every_key(store_env, store_env.master_key, backup_fields) == 0

    # "Restore the backup" of the data store: the rows come back, the key does not.
    with data.begin() as conn:
        conn.execute(S.insert(), backup_subjects)
        conn.execute(F.insert(), backup_fields)
    with pytest.raises(SubjectErased):
        filled_vault.get_subject("CUST-48213", ctx=ctx)
    # Erasing again cleans up the restored rows.
    filled_vault.erase_subject("CUST-48213", ctx=ctx)
    assert not [r for r in _all_rows(data, S) if r["id"] == subject_id]


def test_backup_file_copy_after_erasure_yields_nothing(
    store_env, filled_vault: Vault, ctx: AccessContext, sample_subjects
) -> None:
    if not store_env.is_sqlite:
        pytest.skip("file-copy backup is the SQLite case; rows are restored above for both")
    data_file = store_env.home / "discreet.db"
    filled_vault.close()  # checkpoint the WAL into the file before copying it
    backup = store_env.home.parent / "backup.db"
    shutil.copy(data_file, backup)

    vault = store_env.open_vault()
    vault.erase_subject("CUST-48213", ctx=ctx)
    vault.close()
    shutil.copy(backup, data_file)  # restore the data backup; the key store stays current
    for suffix in ("-wal", "-shm"):
        (store_env.home / f"discreet.db{suffix}").unlink(missing_ok=True)

    restored = store_env.open_vault()
    with pytest.raises(SubjectErased):
        restored.get_subject("CUST-48213", ctx=ctx)
    fields = [r for r in _all_rows(store_env.data_db(), F)]
    assert len(fields) == 16  # both subjects' ciphertexts are back...
    assert _try_every_key(store_env, store_env.master_key, fields) == 8  # ...one readable
    assert restored.get_subject("CUST-77120", ctx=ctx).fields == sample_subjects["CUST-77120"]


def test_erasure_shreds_token_maps(store_env, filled_vault: Vault, ctx: AccessContext) -> None:
    tokens = VaultTokenStore(filled_vault)
    filled_vault.bind_conversation("conv-a", "CUST-48213", ctx=ctx)
    tokens.save("conv-a", {"[PERSON_1]": "Marieke van Oosterhout"})
    filled_vault.bind_conversation("conv-b", "CUST-77120", ctx=ctx)
    tokens.save("conv-b", {"[PERSON_1]": "Bartholomew Quenneville"})
    receipt = filled_vault.erase_subject("CUST-48213", ctx=ctx)
    assert receipt.conversations == 1
    assert tokens.load("conv-a") == {}
    assert filled_vault.conversation_subject("conv-a", ctx=ctx) is None
    assert tokens.load("conv-b") == {"[PERSON_1]": "Bartholomew Quenneville"}


def test_no_plaintext_at_rest(
    store_env, filled_vault: Vault, ctx: AccessContext, sample_subjects
) -> None:
    tokens = VaultTokenStore(filled_vault)
    tokens.save("conv-x", {"[EMAIL_1]": "b.quenneville@example.com"})
    filled_vault.bind_conversation("conv-y", "CUST-48213", ctx=ctx)
    tokens.save("conv-y", {"[PERSON_1]": "Marieke van Oosterhout"})
    filled_vault.get_subject("CUST-77120", ctx=ctx)
    filled_vault.find_subjects_by_identifier("email", "marieke.oosterhout@voorbeeld.nl", ctx=ctx)
    dump = store_env.raw_dump()
    assert b"customer_service" in dump  # the grep does see text that is stored in clear
    secrets = [ref for ref in sample_subjects]
    secrets += [value for fields in sample_subjects.values() for value in fields.values()]
    for secret in secrets:
        for form in {secret, secret.lower(), secret.replace(" ", "")}:
            assert form.encode() not in dump, f"a plaintext value of {secret[:2]}… is at rest"


def test_shredded_key_bytes_are_gone_from_the_key_store_files(
    store_env, filled_vault: Vault, ctx: AccessContext
) -> None:
    """Deleting the row is not enough: SQLite keeps old pages in free space and in the
    write-ahead log, where anyone with a copy of the files and the master key could find the
    "destroyed" data key. After erasure the wrapped key's bytes must be nowhere on disk."""
    if not store_env.is_sqlite:
        pytest.skip("file-level check; PostgreSQL reclaims dead tuples by VACUUM")
    subject_id = filled_vault.subject_id("CUST-48213", ctx=ctx)
    wrapped = [
        bytes(r["wrapped"])  # type: ignore[arg-type]
        for r in _all_rows(store_env.keys_db(), K)
        if r["owner_id"] == subject_id
    ]
    assert wrapped and all(len(w) >= 32 for w in wrapped)

    filled_vault.erase_subject("CUST-48213", ctx=ctx)

    key_files = [p for p in store_env.home.glob("keys.db*") if p.is_file()]
    assert key_files
    for path in key_files:
        content = path.read_bytes()
        assert not any(w in content for w in wrapped), f"shredded key bytes remain in {path.name}"
