"""The keyed, anchored audit chain: tampering that recomputes hashes is caught.

The hash chain (`audit.log`) shows edits, reorderings and gaps, but whoever can write
the data store can also recompute every hash and the chain head, delete the tail or the
head and forge a pruning anchor, or renumber records. So each record also gets a MAC,
chained like the hashes, under a key the data store does not hold:

* ``MAC(N) = HMAC-SHA256(chain key, MAC(N-1) || hash(N))``; the hash covers every column
  of the record (seq included), so the MAC does too. The first keyed record chains from
  `GENESIS_MAC`; records written before the chain was keyed are checked by hash only.
* The chain key is a random key in the key store (wrapped by the master key like every
  data key, so a master-key rotation re-wraps it and the chain stays valid). A process
  registers it for its data store when it opens the vault (`register_key`); appends
  then MAC in the same transaction as the record.
* Once a chain is keyed, an append without the key is refused (`AuditKeyMissing`):
  unkeyed records after keyed ones would be indistinguishable from forged ones.
* Truncating the tail (records, MACs and both heads rewritten consistently) leaves a
  valid-looking shorter chain, so the head is also written outside the database: an
  anchor file the operator ships elsewhere (`write_anchor`, ``discreet audit anchor``;
  a running server appends to it itself: `anchoring`),
  one line per anchor: ``seq mac timestamp``. `verify_keyed` checks every anchor line is
  still in the chain with the same MAC.

Invariants: MAC rows are never deleted (pruning deletes records only; the MAC at the
pruning point is where verification resumes); the MAC head moves with the hash head in
the same transaction; nothing here reads or stores personal data.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, bindparam, select, update

from discreet.errors import InvalidInput
from discreet.store.db import Database
from discreet.store.driver import DriverStatement
from discreet.store.errors import StorageError
from discreet.store.guarantees_models import AuditMac, AuditMacHead
from discreet.store.models import table_of

GENESIS_MAC = "0" * 64
CHAIN_TENANT = "audit-chain"
"""The key store's tenant and owner of the chain key (one chain across tenants)."""

_MACS = table_of(AuditMac)
_MAC_HEAD = table_of(AuditMacHead)
# Built once and run on the driver's cursor (store/driver.py): every audit append runs
# them, two per chat turn (benchmarks/bench_gateway.py, BENCHMARKS.md "Gateway").
_READ_HEAD = DriverStatement(
    select(_MAC_HEAD.c.first_seq, _MAC_HEAD.c.seq, _MAC_HEAD.c.mac).where(_MAC_HEAD.c.id == 1)
)
_INSERT_MAC = DriverStatement(_MACS.insert())
_INSERT_HEAD = DriverStatement(_MAC_HEAD.insert())
_MOVE_HEAD = DriverStatement(
    update(_MAC_HEAD)
    .where(_MAC_HEAD.c.id == 1)
    .values(seq=bindparam("new_seq"), mac=bindparam("new_mac"))
)
_KEYS: dict[str, bytes] = {}
_LOCK = threading.Lock()


class AnchorFileError(InvalidInput, ValueError):
    """The anchor file cannot be read or written, or a line of it is malformed (the
    message names the file and the line)."""


class AuditKeyMissing(StorageError):
    """The audit chain is keyed, but this process has no chain key: open the vault
    (with the master key) before writing audit records."""


def _db_key(db: Database) -> str:
    return db.url_text


def register_key(db: Database, key: bytes) -> None:
    """Use `key` for the chain in `db` in this process (the vault calls this on open)."""
    with _LOCK:
        _KEYS[_db_key(db)] = key


def key_for(db: Database) -> bytes | None:
    with _LOCK:
        return _KEYS.get(_db_key(db))


def mac(key: bytes, prev_mac: str, record_hash: str) -> str:
    return hmac.new(key, f"{prev_mac}|{record_hash}".encode("ascii"), hashlib.sha256).hexdigest()


def on_append(conn: Connection, db: Database, seq: int, record_hash: str) -> None:
    """MAC the record just inserted (`seq`, `record_hash`), in its transaction; the hash
    head is locked already, so MACs are appended in chain order."""
    key = key_for(db)
    head = _READ_HEAD.first(conn)
    if key is None:
        if head is not None:
            raise AuditKeyMissing(
                "the audit chain is keyed but this process has no chain key; "
                "open the vault with the master key first"
            )
        return  # a chain not (yet) keyed: hashes only, as before
    prev = head[2] if head is not None else GENESIS_MAC
    value = mac(key, prev, record_hash)
    _INSERT_MAC.rows(conn, {"seq": seq, "mac": value})
    if head is None:
        _INSERT_HEAD.rows(conn, {"id": 1, "first_seq": seq, "seq": seq, "mac": value})
    else:
        _MOVE_HEAD.rows(conn, {"new_seq": seq, "new_mac": value})


def mac_head(db: Database) -> tuple[int, str] | None:
    """(seq, MAC) of the newest keyed record, or None for a chain not keyed."""
    with db.begin() as conn:
        row = conn.execute(
            select(_MAC_HEAD.c.seq, _MAC_HEAD.c.mac).where(_MAC_HEAD.c.id == 1)
        ).one_or_none()
    return None if row is None else (int(row.seq), str(row.mac))


def write_anchor(db: Database, path: Path) -> tuple[int, str] | None:
    """Append the chain's MAC head to the anchor file `path` (created 0600); returns it,
    or None when the chain is not keyed yet."""
    head = mac_head(db)
    if head is None:
        return None
    line = f"{head[0]} {head[1]} {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Append-only, readable by the owner only, whatever the umask.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:  # a path the operator chose: say which and why
        raise AnchorFileError(f"cannot write anchor file {path}: {exc.strerror}") from None
    return head


log = logging.getLogger(__name__)


@asynccontextmanager
async def anchoring(db: Database, path: Path, interval_s: float) -> AsyncIterator[None]:
    """While a server runs: append the chain's MAC head to `path` at start-up, every
    `interval_s` seconds when it moved, and once more at shutdown, so truncating the
    log's tail is caught by ``audit verify --anchor`` without an operator step. A failed
    write is logged (its type only) and retried at the next tick; serving goes on."""
    if interval_s <= 0:
        raise ValueError("interval_s must be positive")
    last: list[tuple[int, str] | None] = [None]

    def write() -> None:
        try:
            head = mac_head(db)
            if head is not None and head != last[0]:
                last[0] = write_anchor(db, path)
        except AnchorFileError as exc:  # names the operator's path and why, no data
            log.error("audit anchor not written: %s", exc.message)
        except StorageError as exc:
            log.error("audit anchor not written: %s", type(exc).__name__)

    async def tick() -> None:
        while True:
            await asyncio.to_thread(write)
            await asyncio.sleep(interval_s)

    task = asyncio.create_task(tick(), name="discreet-audit-anchor")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        write()  # the head at shutdown: the last turns' records are anchored too


def read_anchors(path: Path) -> list[tuple[int, str]]:
    """The (seq, MAC) lines of an anchor file; AnchorFileError naming the bad line."""
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not an anchor file (not ASCII)"
        raise AnchorFileError(f"cannot read anchor file {path}: {reason}") from None
    anchors: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) < 2 or not parts[0].isdigit() or len(parts[1]) != 64:
            raise AnchorFileError(f"anchor file {path}, line {number}: expected 'SEQ MAC TIME'")
        anchors.append((int(parts[0]), parts[1]))
    return anchors


@dataclass(frozen=True, slots=True)
class KeyedResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str | None = None


def verify_keyed(
    db: Database,
    key: bytes,
    entries: list[tuple[int, str, str]],
    *,
    resume_after: int | None,
    anchors: list[tuple[int, str]] = (),  # type: ignore[assignment]
) -> KeyedResult:
    """Check the MACs of `entries` ((seq, hash, action) in chain order, as `verify` read
    them) and the `anchors`. `resume_after`: the pruning point, if the log was pruned."""
    with db.begin() as conn:
        head = conn.execute(
            select(_MAC_HEAD.c.first_seq, _MAC_HEAD.c.seq, _MAC_HEAD.c.mac).where(
                _MAC_HEAD.c.id == 1
            )
        ).one_or_none()
        macs = {int(r.seq): str(r.mac) for r in conn.execute(select(_MACS.c.seq, _MACS.c.mac))}
    if head is None:
        if anchors:
            return KeyedResult(False, 0, None, "anchors given, but the chain holds no MACs")
        return KeyedResult(True, 0)
    first = int(head.first_seq)
    prev = GENESIS_MAC
    if resume_after is not None and resume_after >= first:
        if resume_after not in macs:
            return KeyedResult(False, 0, resume_after, "the MAC at the pruning point is missing")
        prev = macs[resume_after]
    checked = 0
    last = None
    for seq, record_hash, _ in entries:
        if seq < first:
            continue
        expected = mac(key, prev, record_hash)
        if not hmac.compare_digest(macs.get(seq, ""), expected):
            return KeyedResult(
                False, checked, seq, "record does not match its MAC (rewritten or renumbered)"
            )
        prev, last, checked = expected, seq, checked + 1
    if last is not None and (int(head.seq) != last or head.mac != prev):
        return KeyedResult(False, checked, last, "MAC head does not match the last record")
    for seq, value in anchors:
        if not hmac.compare_digest(macs.get(seq, ""), value):
            return KeyedResult(
                False, checked, seq, f"anchored record {seq} is missing or changed (truncated?)"
            )
        if last is None or seq > last:
            return KeyedResult(
                False, checked, seq, f"anchored record {seq} is past the end of the chain"
            )
    return KeyedResult(True, checked)


__all__ = [
    "CHAIN_TENANT",
    "GENESIS_MAC",
    "AnchorFileError",
    "AuditKeyMissing",
    "KeyedResult",
    "anchoring",
    "key_for",
    "mac",
    "mac_head",
    "on_append",
    "read_anchors",
    "register_key",
    "verify_keyed",
    "write_anchor",
]
