"""Backups of the data store and the key store, and the erasure ledger replayed on restore.

ARCHITECTURE principle 4: restoring a backup must never bring an erased customer back.
Three rules make that hold:

1. **Separate destinations.** The data store and the key store are written to different
   directories (refused when one lies inside the other), so whoever holds one set of
   backups does not hold the other.
2. **Key-store backups expire** after a short period (default 30 days; ``create`` and
   ``prune`` delete expired ones), so an erased subject's key leaves every backup by then
   and the ciphertext in older data backups stays unreadable for good.
3. **The erasure ledger**: a JSON-lines file of (tenant, pseudonymous subject id, time)
   for every erasure, kept apart from the data and its backups
   (``DISCREET_ERASURE_LEDGER``, default ``HOME/erasure-ledger.jsonl``). It is synced from
   the audit log's ``subject.erase`` records before every backup and restore (run
   ``discreet backup ledger-sync`` from cron too, so a lost data store loses no erasure),
   and after every restore each listed subject is erased again from the restored stores.

Every backup file is encrypted (AES-256-GCM in 1 MiB chunks, each authenticated with its
index and whether it is the last, so truncation and reordering are caught) with a key
derived from the master key, and checksummed (SHA-256 of the encrypted file, in a JSON
sidecar with its store, time, size, expiry and master key id). SQLite is copied with its
online backup API (a consistent snapshot while the gateway keeps writing); PostgreSQL with
``pg_dump --format=custom`` and restored with ``pg_restore --clean``.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import struct
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.engine import URL

from discreet.clock import Clock, as_utc, now_from, system_clock
from discreet.errors import Conflict, InvalidInput, NotFound, Unavailable
from discreet.ops.keys import derive_key
from discreet.store.db import Database
from discreet.store.errors import StorageError
from discreet.vault.crypto import MasterKey

MAGIC = b"DSCBK1\n"
CHUNK = 1 << 20
DEFAULT_KEYS_RETENTION = timedelta(days=30)
STORES = ("data", "keys")


class BackupError(Unavailable):
    """A backup could not be written, read or restored; nothing was changed."""


class BackupCorrupt(Conflict):
    """A backup file does not match its checksum or fails authentication."""


@dataclass(frozen=True, slots=True)
class BackupInfo:
    id: str
    store: str
    backend: str
    created_at: datetime
    expires_at: datetime | None
    size: int
    sha256: str
    master_key_id: str
    path: Path

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "store": self.store,
            "backend": self.backend,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "size": self.size,
            "sha256": self.sha256,
            "master_key_id": self.master_key_id,
            "file": self.path.name,
        }

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and as_utc(now) >= self.expires_at


# -- encryption -------------------------------------------------------------------------


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def _ad(backup_id: str, store: str, index: int, last: bool) -> bytes:
    return f"discreet-backup|{backup_id}|{store}|{index}|{int(last)}".encode()


def encrypt_file(src: Path, dst: BinaryIO, key: bytes, backup_id: str, store: str) -> None:
    aead = AESGCM(key)
    prefix = os.urandom(8)
    dst.write(MAGIC + prefix)
    with src.open("rb") as handle:
        index = 0
        chunk = handle.read(CHUNK)
        while True:
            following = handle.read(CHUNK)
            last = not following
            sealed = aead.encrypt(_nonce(prefix, index), chunk, _ad(backup_id, store, index, last))
            dst.write(struct.pack(">I", len(sealed)) + sealed)
            if last:
                return
            chunk, index = following, index + 1


def decrypt_file(src: Path, dst: BinaryIO | None, key: bytes, backup_id: str, store: str) -> None:
    """Decrypt (to `dst`, or only authenticate when None); `BackupCorrupt` on any mismatch."""
    aead = AESGCM(key)
    with src.open("rb") as handle:
        if handle.read(len(MAGIC)) != MAGIC:
            raise BackupCorrupt(f"{src.name}: not a discreet backup")
        prefix = handle.read(8)
        index = 0
        while True:
            header = handle.read(4)
            if len(header) != 4:
                raise BackupCorrupt(f"{src.name}: truncated (no final chunk)")
            sealed = handle.read(struct.unpack(">I", header)[0])
            last = handle.peek(1)[:1] == b""
            try:
                plain = aead.decrypt(
                    _nonce(prefix, index), sealed, _ad(backup_id, store, index, last)
                )
            except InvalidTag:
                raise BackupCorrupt(
                    f"{src.name}: chunk {index} fails authentication (altered, truncated, "
                    "or another master key)"
                ) from None
            if dst is not None:
                dst.write(plain)
            if last:
                return
            index += 1


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


# -- store copies -----------------------------------------------------------------------


def _pg_args(url: URL) -> tuple[str, list[str]]:
    """A libpq URL for pg_dump/pg_restore and the ``--schema`` of a ``search_path``
    option (the stores may live in a schema of a shared database)."""
    options = url.query.get("options")
    schemas: list[str] = []
    if isinstance(options, str) and "search_path=" in options:
        schemas = [options.split("search_path=", 1)[1].split()[0]]
    plain = url.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    return plain, schemas


def _run(command: list[str], what: str, env: dict[str, str] | None = None) -> None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (needed to {what})") from None
    if result.returncode != 0:
        # pg tools' messages name objects, not row values.
        reason = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{command[0]} failed to {what}: {reason}")


def dump_store(db: Database, target: Path) -> str:
    """A consistent copy of `db` in `target`; returns the backend name."""
    path = db.sqlite_path
    if path is not None:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # the online backup API: a snapshot while others write
        finally:
            copy.close()
            source.close()
        return "sqlite"
    if db.is_sqlite:
        raise BackupError(f"{db.name}: an in-memory database cannot be backed up")
    url, schemas = _pg_args(db.url)
    _run(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            *[f"--schema={s}" for s in schemas],
            f"--file={target}",
            url,
        ],
        f"back up the {db.name}",
    )
    return "postgresql"


def load_store(db: Database, source: Path, backend: str) -> None:
    """Replace `db`'s contents with the copy in `source`."""
    if backend == "sqlite":
        path = db.sqlite_path
        if path is None:
            raise BackupError(f"{db.name} is not a SQLite file; this backup is")
        db.dispose()  # no pooled connection may keep the old file open
        target = sqlite3.connect(path)
        copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            copy.backup(target)  # page by page into the live file, WAL and all
        finally:
            copy.close()
            target.close()
        return
    if db.is_sqlite:
        raise BackupError(f"{db.name} is SQLite; this backup is from PostgreSQL")
    url, _schemas = _pg_args(db.url)
    db.dispose()
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            f"--dbname={url}",
            str(source),
        ],
        f"restore the {db.name}",
    )


def _check_copy(source: Path, backend: str) -> None:
    if backend == "sqlite":
        conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupCorrupt(f"the decrypted copy is not a SQLite database ({exc})") from None
        finally:
            conn.close()
        if result is None or result[0] != "ok":
            raise BackupCorrupt("the decrypted SQLite copy fails its integrity check")
    else:
        _run(["pg_restore", "--list", str(source)], "read the backup")


# -- the erasure ledger -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Erasure:
    tenant: str
    subject_id: str
    erased_at: datetime


class ErasureLedger:
    """Append-only JSON lines: ``{"tenant", "subject", "erased_at"}``; pseudonymous ids and
    times only. Kept apart from the data store and its backups."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def entries(self) -> list[Erasure]:
        if not self.path.exists():
            return []
        out = []
        for number, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                out.append(
                    Erasure(
                        item["tenant"], item["subject"], datetime.fromisoformat(item["erased_at"])
                    )
                )
            except (ValueError, KeyError, TypeError):
                raise BackupError(
                    f"erasure ledger {self.path}: line {number} is malformed"
                ) from None
        return out

    def add(self, erasures: Iterable[Erasure]) -> int:
        known = {(e.tenant, e.subject_id) for e in self.entries()}
        new = [e for e in erasures if (e.tenant, e.subject_id) not in known]
        if not new:
            return 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            for e in new:
                handle.write(
                    json.dumps(
                        {
                            "tenant": e.tenant,
                            "subject": e.subject_id,
                            "erased_at": e.erased_at.isoformat(),
                        }
                    )
                    + "\n"
                )
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(self.path, 0o600)
        return len(new)

    def sync_from_audit(self, db: Database) -> int:
        """Add the erasures recorded in `db`'s audit log (``subject.erase``, ok)."""
        from discreet.audit.log import AuditLog

        found = [
            Erasure(e.tenant, e.subject, datetime.fromisoformat(e.ts.replace("Z", "+00:00")))
            for e in AuditLog(db).entries()
            if e.action == "subject.erase" and e.outcome == "ok" and e.subject
        ]
        return self.add(found)


EraseOne = Callable[[str, str], None]
"""``(tenant, subject_id)``: erase one subject again from the restored stores."""


def restored_store_eraser(
    data: Database, keys: Database, master: MasterKey, holders: Iterable[Any] = ()
) -> EraseOne:
    """The erasure replayed after a restore, by pseudonymous id alone (the customer's own
    reference is not in the ledger): destroy the subject's data key and its conversations'
    keys, delete its vault rows (fields, blind indexes, conversations and token maps:
    the vault's own ``SubjectRecords.shred``), its transcripts, and whatever each given
    subject-data holder keeps (``holders``: the registered holders, once wired)."""
    from discreet.conversations.transcripts import TranscriptStore
    from discreet.subjectdata import NOTHING_HELD, SubjectScope
    from discreet.vault.bindings import ConversationBindings, bound_conversations
    from discreet.vault.keystore import KeyStore
    from discreet.vault.records import SubjectRecords

    keystore = KeyStore(keys, master)
    # The vault's own shredding (its tables, its keys), not a copy of it here.
    records = SubjectRecords(data, keystore, ConversationBindings(data, keystore))

    def erase(tenant: str, subject_id: str) -> None:
        with data.begin() as conn:
            owned = bound_conversations(conn, tenant, [subject_id])
            records.shred(conn, tenant, [subject_id])
        TranscriptStore(data, tenant).delete_subject(subject_id)
        scope = SubjectScope(tenant, subject_id, frozenset(owned))
        for holder in holders:
            holder.erase(scope, NOTHING_HELD)
        data.purge_deleted()

    return erase


# -- the backup set ---------------------------------------------------------------------


def _check_apart(data_dest: Path, keys_dest: Path) -> None:
    a, b = data_dest.resolve(), keys_dest.resolve()
    if a == b or a.is_relative_to(b) or b.is_relative_to(a):
        raise InvalidInput(
            "the data-store and key-store backup destinations must be separate directories, "
            "neither inside the other (a restored data backup must not find its keys)"
        )


class Backups:
    """Create, list, verify, prune and restore backups of one data store and key store."""

    def __init__(
        self,
        *,
        data: Database,
        keys: Database,
        master: MasterKey,
        data_dest: Path,
        keys_dest: Path,
        ledger: ErasureLedger,
        keys_retention: timedelta = DEFAULT_KEYS_RETENTION,
        clock: Clock = system_clock,
    ) -> None:
        _check_apart(data_dest, keys_dest)
        if keys_retention <= timedelta(0):
            raise InvalidInput("--keys-retention-days must be at least 1")
        self.data, self.keys, self.master = data, keys, master
        self.dest = {"data": data_dest, "keys": keys_dest}
        self.ledger = ledger
        self.keys_retention = keys_retention
        self._clock = clock

    def _key(self, store: str) -> bytes:
        return derive_key(self.master, f"backup/{store}")

    def _db(self, store: str) -> Database:
        return self.data if store == "data" else self.keys

    def create(self) -> list[BackupInfo]:
        """Back up both stores (the ledger synced first); expired key backups are pruned."""
        self.ledger.sync_from_audit(self.data)
        now = now_from(self._clock)
        backup_id = f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"
        made = []
        for store in STORES:
            dest = self.dest[store]
            dest.mkdir(parents=True, exist_ok=True)
            os.chmod(dest, 0o700)
            with tempfile.TemporaryDirectory(prefix="discreet-backup-") as scratch:
                plain = Path(scratch) / "copy"
                backend = dump_store(self._db(store), plain)
                target = dest / f"{backup_id}.{store}.dbk"
                partial = target.with_suffix(".partial")
                with partial.open("wb") as out:
                    encrypt_file(plain, out, self._key(store), backup_id, store)
                    out.flush()
                    os.fsync(out.fileno())
                os.chmod(partial, 0o600)
                partial.replace(target)
            info = BackupInfo(
                backup_id,
                store,
                backend,
                now,
                now + self.keys_retention if store == "keys" else None,
                target.stat().st_size,
                _sha256(target),
                self.master.key_id,
                target,
            )
            meta = target.with_suffix(".json")
            meta.write_text(json.dumps(info.as_dict(), indent=2) + "\n", encoding="utf-8")
            os.chmod(meta, 0o600)
            made.append(info)
        self.prune()
        return made

    def backups(self, store: str | None = None) -> list[BackupInfo]:
        out = []
        for name in STORES if store is None else (store,):
            dest = self.dest[name]
            if not dest.is_dir():
                continue
            for meta in sorted(dest.glob(f"*.{name}.json")):
                item = json.loads(meta.read_text(encoding="utf-8"))
                out.append(
                    BackupInfo(
                        item["id"],
                        item["store"],
                        item["backend"],
                        datetime.fromisoformat(item["created_at"]),
                        datetime.fromisoformat(item["expires_at"]) if item["expires_at"] else None,
                        int(item["size"]),
                        item["sha256"],
                        item["master_key_id"],
                        meta.with_suffix(".dbk"),
                    )
                )
        return sorted(out, key=lambda b: (b.created_at, b.store))

    def _find(self, backup_id: str, store: str) -> BackupInfo:
        for info in self.backups(store):
            if info.id == backup_id:
                return info
        raise NotFound(f"no {store}-store backup {backup_id!r} in {self.dest[store]}")

    def prune(self) -> list[str]:
        """Delete key-store backups past their expiry; returns their ids."""
        now = now_from(self._clock)
        gone = []
        for info in self.backups("keys"):
            if info.expired(now):
                info.path.unlink(missing_ok=True)
                info.path.with_suffix(".json").unlink(missing_ok=True)
                gone.append(info.id)
        return gone

    def verify(self, backup_id: str, store: str) -> BackupInfo:
        """Checksum, authentication of every chunk, and the copy's own integrity check."""
        info = self._find(backup_id, store)
        if not info.path.is_file():
            raise BackupCorrupt(f"{info.path.name}: the backup file is missing")
        if _sha256(info.path) != info.sha256:
            raise BackupCorrupt(f"{info.path.name}: SHA-256 does not match the recorded sum")
        with self._decrypted(info) as plain:
            _check_copy(plain, info.backend)
        return info

    def _decrypted(self, info: BackupInfo) -> Any:
        from contextlib import contextmanager

        @contextmanager
        def scope() -> Iterator[Path]:
            with tempfile.TemporaryDirectory(prefix="discreet-restore-") as scratch:
                plain = Path(scratch) / "copy"
                with plain.open("wb") as out:
                    decrypt_file(info.path, out, self._key(info.store), info.id, info.store)
                os.chmod(plain, 0o600)
                yield plain

        return scope()

    def restore(
        self,
        backup_id: str,
        *,
        erase: EraseOne | None = None,
        with_keys: bool = True,
    ) -> dict[str, Any]:
        """Restore the data store (and the key store, if its backup of that id is still
        there and `with_keys`), then replay the erasure ledger. The ledger is synced from
        the live store first, so erasures since the backup are not lost."""
        data_info = self.verify(backup_id, "data")
        keys_info: BackupInfo | None = None
        if with_keys:
            try:
                keys_info = self.verify(backup_id, "keys")
            except NotFound:
                keys_info = None  # expired: the live key store stays
        # A lost or broken data store is why one restores; then the cron sync stands.
        with suppress(StorageError, OSError):
            self.ledger.sync_from_audit(self.data)
        with self._decrypted(data_info) as plain:
            load_store(self.data, plain, data_info.backend)
        if keys_info is not None:
            with self._decrypted(keys_info) as plain:
                load_store(self.keys, plain, keys_info.backend)
        eraser = erase or restored_store_eraser(self.data, self.keys, self.master)
        replayed = 0
        for entry in self.ledger.entries():
            eraser(entry.tenant, entry.subject_id)
            replayed += 1
        return {
            "restored": backup_id,
            "key_store_restored": keys_info is not None,
            "erasures_replayed": replayed,
        }
