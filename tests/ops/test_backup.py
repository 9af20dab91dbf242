"""Backups: the disaster-recovery drill (back up, erase a customer, restore the older
backup, replay the ledger: the customer is gone, everyone else intact), on SQLite and
PostgreSQL; key-store backups expiring; tampering, a wrong key and unseparated
destinations refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.consent.fakes import FakeClock
from tests.contract.test_subject_data import SEEDERS, _world

from discreet.audit.log import AuditLog
from discreet.clock import system_clock
from discreet.errors import InvalidInput
from discreet.ops.backup import BackupCorrupt, Backups, ErasureLedger
from discreet.rights.erasure import Eraser
from discreet.store.keystore_models import WrappedKey
from discreet.store.models import table_of
from discreet.subjectdata import Holders
from discreet.vault import MasterKey, SubjectNotFound
from discreet.vault.keystore import KeyStore
from discreet.wiring import StoreParts, build_holders

MARIEKE, BART = "CUST-48213", "CUST-77120"


def _backups(store_env, tmp_path: Path, *, master=None, clock=system_clock) -> Backups:
    return Backups(
        data=store_env.data_db(),
        keys=store_env.keys_db(),
        master=master or store_env.master_key,
        data_dest=tmp_path / "dest-data",
        keys_dest=tmp_path / "dest-keys",
        ledger=ErasureLedger(tmp_path / "ledger" / "erasures.jsonl"),
        clock=clock,
    )


def _holders(store_env) -> Holders:
    """The registered holders over the test's stores, as `discreet backup restore` builds
    them."""
    keys = KeyStore(store_env.keys_db(), store_env.master_key)
    return build_holders(StoreParts(store_env.data_db(), keys))


def _key_owners(store_env) -> set[str]:
    with store_env.keys_db().read() as conn:
        return set(conn.execute(select(table_of(WrappedKey).c.owner_id)).scalars())


def test_disaster_recovery_drill(store_env, tmp_path, ctx, sample_subjects) -> None:
    vault = store_env.open_vault()
    for ref, fields in sample_subjects.items():
        vault.put_subject(ref, fields, ctx=ctx)
    vault.bind_conversation("conv-m", MARIEKE, ctx=ctx)
    marieke_id = vault.subject_id(MARIEKE, ctx=ctx)
    backups = _backups(store_env, tmp_path)
    [data_backup, keys_backup] = backups.create()
    assert data_backup.store == "data" and keys_backup.store == "keys"
    assert keys_backup.expires_at == keys_backup.created_at + timedelta(days=30)
    for info in (data_backup, keys_backup):
        raw = info.path.read_bytes()
        assert sample_subjects[MARIEKE]["email"].encode() not in raw
        assert info.path.stat().st_mode & 0o777 == 0o600

    vault.put_subject("CUST-LATER", {"name": "Joost Later"}, ctx=ctx)
    vault.erase_subject(MARIEKE, ctx=ctx)  # the customer asks to be forgotten
    vault.close()
    store_env.close()

    # Without the ledger's replay, the old backup would bring her back: the danger.
    unsafe = _backups(store_env, tmp_path).restore(data_backup.id, holders=lambda: ())
    assert unsafe["erasures_replayed"] == 1
    resurrected = store_env.open_vault()
    assert resurrected.get_subject(MARIEKE, ctx=ctx).fields == sample_subjects[MARIEKE]
    with pytest.raises(SubjectNotFound):  # the store really is the backup's
        resurrected.get_subject("CUST-LATER", ctx=ctx)
    resurrected.close()
    store_env.close()

    result = _backups(store_env, tmp_path).restore(
        data_backup.id, holders=lambda: _holders(store_env)
    )
    assert result == {
        "restored": data_backup.id,
        "key_store_restored": True,
        "erasures_replayed": 1,
    }
    ledger = (tmp_path / "ledger" / "erasures.jsonl").read_text()
    assert marieke_id in ledger and "@" not in ledger  # ids and times only

    after = store_env.open_vault()
    with pytest.raises(SubjectNotFound):
        after.get_subject(MARIEKE, ctx=ctx)
    bart = after.get_subject(BART, ctx=ctx)
    assert bart.fields == sample_subjects[BART]
    assert marieke_id not in _key_owners(store_env)
    assert "conv-m" not in _key_owners(store_env)
    assert after.audit_log.verify().ok


def test_drill_replays_through_every_registered_holder(store_env, tmp_path, ctx, policy) -> None:
    """The customer is erased by an erasure job (what `rights erase` and the API run), an
    older backup holding her rows in every holder's table is restored, and the replay
    erases her from every one of them through the holders' own erase, while the other
    customer's rows are exactly as backed up."""
    world = _world(store_env, ctx, policy)
    for name, seed in SEEDERS.items():
        if name != "erasure_jobs":  # that seeder erases the person
            seed(world, world.alice)
            seed(world, world.bob)
    holders = _holders(store_env)
    before = {h.name: h.export(world.bob.scope) for h in holders}
    alice_had = {h.name for h in holders if h.erasable and h.export(world.alice.scope)}
    assert len(alice_had) >= 6, alice_had  # the drill covers more than the vault's tables
    backups = _backups(store_env, tmp_path)
    [data_backup, _] = backups.create()

    outcome = Eraser(world.vault, world.holders).erase(
        world.alice.ref, ctx=ctx, subject_id=world.alice.subject_id
    )
    assert outcome.completed
    world.vault.close()
    store_env.close()

    result = _backups(store_env, tmp_path).restore(
        data_backup.id, holders=lambda: _holders(store_env)
    )
    assert result["erasures_replayed"] == 1  # found in the audit log's erasure steps
    after = _holders(store_env)
    left = {h.name: h.export(world.alice.scope) for h in after if h.name in alice_had}
    assert left == {name: [] for name in alice_had}
    assert {h.name: h.export(world.bob.scope) for h in after} == before
    owners = _key_owners(store_env)
    assert world.alice.subject_id not in owners
    assert not set(world.alice.conversations) & owners
    assert world.alice.email.encode() not in store_env.raw_dump()
    store_env.close()
    # A second replay (the next restore, or a rerun) changes nothing.
    assert (
        _backups(store_env, tmp_path).restore(data_backup.id, holders=lambda: _holders(store_env))[
            "erasures_replayed"
        ]
        == 1
    )
    assert {h.name: h.export(world.bob.scope) for h in _holders(store_env)} == before


def test_expired_key_backups_are_pruned_and_restore_keeps_live_keys(
    store_env, tmp_path, ctx, sample_subjects
) -> None:
    vault = store_env.open_vault()
    vault.put_subject(BART, sample_subjects[BART], ctx=ctx)
    clock = FakeClock(datetime.now(UTC))
    backups = _backups(store_env, tmp_path, clock=clock)
    [data_backup, _] = backups.create()
    clock.advance(days=31)
    assert backups.prune() == [data_backup.id]
    assert [b.store for b in backups.backups()] == ["data"]
    vault.close()
    store_env.close()
    result = _backups(store_env, tmp_path, clock=clock).restore(
        data_backup.id, holders=lambda: _holders(store_env)
    )
    assert result["key_store_restored"] is False
    assert store_env.open_vault().get_subject(BART, ctx=ctx).fields == sample_subjects[BART]


def test_tampered_backup_and_wrong_key_are_refused(store_env, tmp_path) -> None:
    backups = _backups(store_env, tmp_path)
    [data_backup, _] = backups.create()
    assert backups.verify(data_backup.id, "data").sha256 == data_backup.sha256
    with pytest.raises(BackupCorrupt, match="another master key"):
        _backups(store_env, tmp_path, master=MasterKey.generate()).verify(data_backup.id, "data")
    raw = bytearray(data_backup.path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    data_backup.path.write_bytes(bytes(raw))
    with pytest.raises(BackupCorrupt, match="SHA-256"):
        backups.verify(data_backup.id, "data")


def test_destinations_must_be_apart(store_env, tmp_path) -> None:
    for data_dest, keys_dest in (
        (tmp_path / "b", tmp_path / "b"),
        (tmp_path / "b", tmp_path / "b" / "keys"),
        (tmp_path / "b" / "data", tmp_path / "b"),
    ):
        with pytest.raises(InvalidInput, match="separate"):
            Backups(
                data=store_env.data_db(),
                keys=store_env.keys_db(),
                master=store_env.master_key,
                data_dest=data_dest,
                keys_dest=keys_dest,
                ledger=ErasureLedger(tmp_path / "l.jsonl"),
            )


def test_cli_create_list_verify_restore(store_env, tmp_path, cli, ctx, sample_subjects) -> None:
    vault = store_env.open_vault()
    vault.put_subject(BART, sample_subjects[BART], ctx=ctx)
    vault.close()
    env = {
        **store_env.environ(),
        "DISCREET_BACKUP_DATA_DIR": str(tmp_path / "d"),
        "DISCREET_BACKUP_KEYS_DIR": str(tmp_path / "k"),
        "DISCREET_ERASURE_LEDGER": str(tmp_path / "ledger.jsonl"),
    }
    made = cli(["backup", "create"], env)
    assert made.exit_code == 0, made.output
    backup_id = made.output.split()[0]
    listed = cli(["backup", "list"], env)
    assert listed.output.count(backup_id) == 2
    assert cli(["backup", "verify", backup_id], env).output.count("OK") == 2
    refused = cli(["backup", "restore", backup_id], env)
    assert refused.exit_code == 2 and "--yes" in refused.output
    store_env.close()
    restored = cli(["backup", "restore", backup_id, "--yes"], env)
    assert restored.exit_code == 0 and "0 erasure(s) replayed" in restored.output
    log = AuditLog(store_env.data_db())
    [record] = [e for e in log.entries() if e.action == "backup.restore"]
    assert record.details == {
        "backup": backup_id,
        "key_store_restored": True,
        "erasures_replayed": 0,
    }
    assert log.verify().ok
    assert cli(["backup", "verify", "nope"], env).exit_code == 3
