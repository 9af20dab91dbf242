"""`keys rotate` while servers run (issue 12, item 4): key generations in the key store, a
running vault that notices a rotation and re-reads its key file, a retired master key
refused for wrapping, and a rotation stopped between its steps finished by a rerun.

Two vaults on the same stores stand for two processes: the server (opened with the old
key, re-reading its key file when it meets a newer generation) and the operator's
`discreet keys rotate`."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from discreet.audit import AccessContext
from discreet.cli import app
from discreet.vault import MasterKey, Vault, WrongMasterKey
from discreet.vault.keystore import GenerationState, KeyKind, KeyStore, key_status
from discreet.vault.master import read_master_key_file, write_master_key_file

runner = CliRunner()


def _install(path: Path, key: MasterKey) -> None:
    """Replace the key file atomically, as an operator would (write, then rename)."""
    staged = path.with_suffix(".staged")
    write_master_key_file(staged, key)
    os.replace(staged, path)


def _server(store_env, key_file: Path) -> Vault:
    """A vault started with the key in `key_file`, re-reading it on a rotation."""
    keys = KeyStore(
        store_env.keys_db(),
        read_master_key_file(key_file),
        reload=lambda: read_master_key_file(key_file),
    )
    return Vault(store_env.data_db(), keys)


def _all_open_with(store_env, key: MasterKey, refs: list[str], ctx: AccessContext) -> None:
    rotated = KeyStore(store_env.keys_db(), key)
    rotated.check_master_key()
    assert set(rotated.counts_by_master_key()) == {key.key_id}
    vault = store_env.open_vault(master_key=key)
    for ref in refs:
        assert vault.get_subject(ref, ctx=ctx).fields


def _old_refused(store_env, old: MasterKey) -> None:
    stale = KeyStore(store_env.keys_db(), old)
    with pytest.raises(WrongMasterKey, match="retired"):
        stale.check_master_key()
    with pytest.raises(WrongMasterKey, match="retired"):
        stale.create("default", KeyKind.SUBJECT, ["sub_never"])
    assert "sub_never" not in str(key_status(store_env.keys_db()).data_keys)


def test_a_server_with_the_retired_master_cannot_wrap_after_a_rotation(
    store_env, ctx: AccessContext, sample_subjects
) -> None:
    running = store_env.open_vault()  # the server, started with the old key, no key file
    for ref, fields in sample_subjects.items():
        running.put_subject(ref, fields, ctx=ctx)
    new = MasterKey.generate()
    operator = KeyStore(store_env.keys_db(), store_env.master_key)
    assert operator.rotate(new) > 0

    with pytest.raises(WrongMasterKey, match="retired key"):
        running.put_subject("CUST-NEW-1", {"email": "new.customer@example.org"}, ctx=ctx)
    with pytest.raises(WrongMasterKey):
        running.check_ready()  # /readyz says so too
    _old_refused(store_env, store_env.master_key)
    _all_open_with(store_env, new, list(sample_subjects), ctx)


def test_a_running_server_follows_a_rotation_step_by_step(
    store_env, ctx: AccessContext, sample_subjects, tmp_path: Path
) -> None:
    old, new = store_env.master_key, MasterKey.generate()
    key_file = tmp_path / "master.key"
    write_master_key_file(key_file, old)
    server = _server(store_env, key_file)
    refs = list(sample_subjects)
    for ref, fields in sample_subjects.items():
        server.put_subject(ref, fields, ctx=ctx)

    # The operator installs the new key where servers read it (they keep the old one in
    # memory), then rotates with both.
    _install(key_file, new)
    operator = KeyStore(store_env.keys_db(), old)

    def serve(n: int) -> None:
        ref = f"CUST-R-{n}"
        server.put_subject(ref, {"email": f"rotation.{n}@example.org"}, ctx=ctx)
        refs.append(ref)
        for known in refs:  # keys under either generation open
            assert server.get_subject(known, ctx=ctx).fields

    assert operator.begin_rotation(new)
    serve(1)
    assert operator.rewrap_batch(new, size=2) == 2
    serve(2)
    status = key_status(store_env.keys_db())
    assert status.next is not None and status.next.master_key_id == new.key_id
    assert status.rotation_progress is not None and status.rotation_progress[0] >= 2
    operator.rewrap_batch(new, size=1000)
    serve(3)  # wrapped by the old (still current) key: the finishing sweep re-wraps it
    operator.finish_rotation(new)
    serve(4)  # the server notices its key is retired and wraps with the new one

    generations = key_status(store_env.keys_db()).generations
    assert [(g.master_key_id, g.state) for g in generations] == [
        (old.key_id, GenerationState.RETIRED),
        (new.key_id, GenerationState.CURRENT),
    ]
    assert server.master_key_id == new.key_id
    _all_open_with(store_env, new, refs, ctx)
    _old_refused(store_env, old)


def test_a_rotation_while_a_server_keeps_wrapping(
    store_env, ctx: AccessContext, tmp_path: Path
) -> None:
    """Real concurrency: one thread creates subjects without pause while the rotation runs."""
    old, new = store_env.master_key, MasterKey.generate()
    key_file = tmp_path / "master.key"
    write_master_key_file(key_file, old)
    server = _server(store_env, key_file)
    for n in range(30):
        server.put_subject(f"CUST-B-{n}", {"email": f"before.{n}@example.org"}, ctx=ctx)
    _install(key_file, new)

    done = threading.Event()
    created: list[str] = []
    failures: list[BaseException] = []

    def keep_wrapping() -> None:
        n = 0
        try:
            while not done.is_set() or n < 5:
                ref = f"CUST-C-{n}"
                server.put_subject(ref, {"email": f"concurrent.{n}@example.org"}, ctx=ctx)
                created.append(ref)
                n += 1
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    worker = threading.Thread(target=keep_wrapping)
    worker.start()
    try:
        operator = KeyStore(store_env.keys_db(), old)
        operator.hold(new)
        assert operator.begin_rotation(new)
        while operator.rewrap_batch(new, size=5):
            pass
        operator.finish_rotation(new)
    finally:
        done.set()
        worker.join()
    assert not failures, failures
    assert len(created) >= 5
    _all_open_with(store_env, new, [f"CUST-B-{n}" for n in range(30)] + created, ctx)
    _old_refused(store_env, old)


@pytest.mark.parametrize("stop_after", ["begin", "one batch", "all batches"])
def test_a_rotation_stopped_between_steps_is_finished_by_running_it_again(
    store_env, ctx: AccessContext, sample_subjects, tmp_path: Path, stop_after: str
) -> None:
    vault = store_env.open_vault()
    for n in range(12):
        vault.put_subject(f"CUST-S-{n}", {"email": f"stopped.{n}@example.org"}, ctx=ctx)
    refs = [f"CUST-S-{n}" for n in range(12)]
    new_file = tmp_path / "new.key"
    new = write_master_key_file(new_file)

    # The first run stops (a crash: the process is gone) after `stop_after`.
    first = KeyStore(store_env.keys_db(), store_env.master_key)
    first.begin_rotation(new)
    if stop_after != "begin":
        first.rewrap_batch(new, size=4)
    if stop_after == "all batches":
        while first.rewrap_batch(new, size=4):
            pass
    del first

    env = store_env.environ()  # the configured key is still the old one
    status = runner.invoke(app, ["keys", "status"], env=env)
    assert status.exit_code == 0, status.output
    assert f"rotation: to {new.key_id} under way" in status.output
    assert f"{old_id(store_env)} current" in status.output and "<- configured" in status.output
    # A rotation to another key is refused until this one is finished.
    other = tmp_path / "other.key"
    refused = runner.invoke(app, ["keys", "rotate", "--new-key-file", str(other)], env=env)
    assert refused.exit_code == 4 and "unfinished" in refused.output  # a conflict

    rerun = runner.invoke(app, ["keys", "rotate", "--new-key-file", str(new_file)], env=env)
    assert rerun.exit_code == 0, rerun.output
    again = runner.invoke(app, ["keys", "rotate", "--new-key-file", str(new_file)], env=env)
    assert again.exit_code == 0 and "re-wrapped 0 data keys" in again.output
    status = runner.invoke(app, ["keys", "status"], env=env)
    assert "rotation: none under way" in status.output
    assert f"{new.key_id} current" in status.output
    assert f"{old_id(store_env)} retired" in status.output
    _all_open_with(store_env, new, refs, ctx)
    _old_refused(store_env, store_env.master_key)
    # One record for the rotation, written by the run that finished it; the next run
    # had nothing to do and recorded nothing.
    rotations = [e for e in vault.audit_log.entries() if e.action == "keys.rotate"]
    assert [e.outcome for e in rotations] == ["ok"]
    assert rotations[0].details["new_key_id"] == new.key_id


class Crash(BaseException):
    """The process dies here: nothing after it runs, nothing is cleaned up or recorded."""


def test_a_rotation_stopped_before_its_audit_record_is_recorded_once_by_the_rerun(
    store_env, ctx: AccessContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = store_env.open_vault()
    for n in range(6):
        vault.put_subject(f"CUST-R-{n}", {"email": f"recorded.{n}@example.org"}, ctx=ctx)
    new_file = tmp_path / "new.key"
    new = write_master_key_file(new_file)
    env = store_env.environ()
    finish = KeyStore.finish_rotation

    def finish_then_crash(self: KeyStore, new_master: MasterKey) -> int:
        finish(self, new_master)  # committed: the rotation is complete in the key store
        raise Crash  # ... and the process is gone before the audit record

    monkeypatch.setattr(KeyStore, "finish_rotation", finish_then_crash)
    rotate = ["keys", "rotate", "--new-key-file", str(new_file)]
    with pytest.raises(Crash):
        runner.invoke(app, rotate, env=env, catch_exceptions=False)
    monkeypatch.undo()
    assert not [e for e in vault.audit_log.entries() if e.action == "keys.rotate"]
    wrapped = key_status(store_env.keys_db()).data_keys
    assert set(wrapped) == {new.key_id}  # every key was re-wrapped by the first run

    for _ in range(2):  # the rerun writes the record; a third run finds it
        rerun = runner.invoke(app, rotate, env=env)
        assert rerun.exit_code == 0 and "re-wrapped 0 data keys" in rerun.output, rerun.output

    (record,) = [e for e in vault.audit_log.entries() if e.action == "keys.rotate"]
    assert record.outcome == "ok"
    assert record.details == {
        "old_key_id": old_id(store_env),
        "new_key_id": new.key_id,
        "rewrapped": wrapped[new.key_id],
    }
    status = runner.invoke(app, ["keys", "status"], env=env)
    assert "rotation: none under way" in status.output, status.output
    assert f"{new.key_id} current" in status.output
    assert f"{old_id(store_env)} retired" in status.output
    assert vault.audit_log.verify().ok


def old_id(store_env) -> str:
    return str(store_env.master_key.key_id)
