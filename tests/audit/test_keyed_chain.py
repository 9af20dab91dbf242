"""The keyed, anchored audit chain (audit/keyed.py): an attacker with write access to the
data store who recomputes hashes, renumbers, deletes the head behind a forged pruning
anchor or truncates the tail is caught; the untouched chain verifies."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from discreet.audit import AccessContext, AuditEvent, AuditLog, Outcome, keyed
from discreet.audit.keyed import AuditKeyMissing, key_for, read_anchors, register_key, write_anchor
from discreet.audit.log import PRUNE_ACTION, canonical_json
from discreet.store.guarantees_models import AuditMac, AuditMacHead
from discreet.store.models import GENESIS_HASH, AuditHead, AuditRecord, table_of
from discreet.vault import Vault

LOG = table_of(AuditRecord)
HEAD = table_of(AuditHead)
MACS = table_of(AuditMac)
MAC_HEAD = table_of(AuditMacHead)


@pytest.fixture
def keyed_log(vault: Vault, ctx: AccessContext) -> AuditLog:
    log = vault.audit_log
    for i in range(8):
        log.append(AuditEvent(ctx=ctx, tenant="default", action=f"test.{i}", outcome=Outcome.OK))
    return log


def rewrite(
    log: AuditLog, edit: dict[int, dict[str, object]], renumber_from: int | None = None
) -> None:
    """The attacker: edit records, renumber, and recompute every hash and the head."""
    entries = list(log.entries())
    prev = GENESIS_HASH
    with log.db.begin() as conn:
        conn.execute(delete(LOG))
        for entry in entries:
            seq = entry.seq
            if renumber_from is not None and seq > renumber_from:
                seq -= 1
            changed = replace(entry, seq=seq, prev_hash=prev, **edit.get(entry.seq, {}))  # type: ignore[arg-type]
            changed = replace(changed, hash=changed.computed_hash())
            row = changed.as_dict()
            for name in ("categories", "fields", "details"):
                row[name] = canonical_json(row[name])
            conn.execute(LOG.insert(), row)
            prev = changed.hash
            last = changed.seq
        conn.execute(update(HEAD).values(seq=last, hash=prev))


def test_the_untouched_chain_verifies_with_macs_and_anchors(
    keyed_log: AuditLog, tmp_path: Path
) -> None:
    anchor = tmp_path / "anchors.txt"
    write_anchor(keyed_log.db, anchor)
    result = keyed_log.verify(anchors=read_anchors(anchor))
    assert result.ok and result.keyed_records == 8
    assert oct(anchor.stat().st_mode & 0o777) == "0o600"


def test_recomputed_hashes_are_caught(keyed_log: AuditLog) -> None:
    rewrite(keyed_log, {3: {"outcome": "denied"}})
    result = keyed_log.verify()
    assert not result.ok and result.first_bad_seq == 3 and "MAC" in str(result.reason)


def test_renumbering_is_caught(keyed_log: AuditLog) -> None:
    with keyed_log.db.begin() as conn:
        conn.execute(delete(LOG).where(LOG.c.seq == 4))
    rewrite(keyed_log, {}, renumber_from=4)
    assert not keyed_log.verify().ok


def test_deleting_the_head_behind_a_forged_pruning_anchor_is_caught(
    keyed_log: AuditLog, ctx: AccessContext
) -> None:
    entries = list(keyed_log.entries())
    through = entries[2]
    with keyed_log.db.begin() as conn:
        conn.execute(delete(LOG).where(LOG.c.seq <= through.seq))
    # The forged anchor, appended by hand with a correct hash: the attacker's best.
    last = entries[-1]
    forged = replace(
        last,
        seq=last.seq + 1,
        action=PRUNE_ACTION,
        details={"pruned_through_seq": through.seq, "anchor_hash": through.hash, "records": 3},
        prev_hash=last.hash,
    )
    forged = replace(forged, hash=forged.computed_hash())
    row = forged.as_dict()
    for name in ("categories", "fields", "details"):
        row[name] = canonical_json(row[name])
    with keyed_log.db.begin() as conn:
        conn.execute(LOG.insert(), row)
        conn.execute(update(HEAD).values(seq=forged.seq, hash=forged.hash))
    result = keyed_log.verify()
    assert not result.ok and result.first_bad_seq == forged.seq


def test_a_truncated_tail_is_caught_by_the_anchor_file(keyed_log: AuditLog, tmp_path: Path) -> None:
    anchor = tmp_path / "anchors.txt"
    write_anchor(keyed_log.db, anchor)
    entries = list(keyed_log.entries())
    keep = entries[4]
    with keyed_log.db.begin() as conn:
        kept_mac = conn.execute(select(MACS.c.mac).where(MACS.c.seq == keep.seq)).scalar_one()
        conn.execute(delete(LOG).where(LOG.c.seq > keep.seq))
        conn.execute(delete(MACS).where(MACS.c.seq > keep.seq))
        conn.execute(update(HEAD).values(seq=keep.seq, hash=keep.hash))
        conn.execute(update(MAC_HEAD).values(seq=keep.seq, mac=kept_mac))

    assert keyed_log.verify().ok  # consistent inside the database ...
    result = keyed_log.verify(anchors=read_anchors(anchor))
    assert not result.ok and result.first_bad_seq == entries[-1].seq  # ... not outside


def test_a_keyed_chain_refuses_appends_without_the_key(
    keyed_log: AuditLog, ctx: AccessContext
) -> None:
    key = key_for(keyed_log.db)
    assert key is not None
    other = AuditLog(keyed_log.db)
    try:
        with keyed._LOCK:  # as a process that never opened the vault
            keyed._KEYS.pop(str(keyed_log.db.url))
        with pytest.raises(AuditKeyMissing):
            other.append(AuditEvent(ctx=ctx, tenant="default", action="x", outcome=Outcome.OK))
    finally:
        register_key(keyed_log.db, key)
    assert keyed_log.verify().ok
    assert json.dumps([e.as_dict() for e in keyed_log.entries()])
