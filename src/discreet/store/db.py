"""Engines and transactions for SQLite and PostgreSQL, failing closed.

SQLite runs in WAL mode and every writing transaction (`Database.begin`) starts with
``BEGIN IMMEDIATE``: nearly every operation writes (each read of personal data appends an
audit record), and taking the write lock up front avoids the "deferred transaction cannot
upgrade its lock" failures that otherwise hit concurrent writers. Reads that write
nothing (a conversation's state, an API key, consent records, and a turn's vault read,
whose audit record is appended after it and before its values are used) use
`Database.read`, a deferred transaction: WAL readers neither wait for the writer nor hold
it up, which matters once several gateway processes share one file. PostgreSQL serialises
audit appends with a row lock instead (see :mod:`discreet.audit.log`).

SQLite admits one writer at a time, and a writer that finds the file locked sleeps in
SQLite's busy handler (1, 2, 5, 10 ... 100 ms) however soon the lock is free: under
concurrent turns most of the time went to those sleeps. So writers of a file-backed store
queue on a lock of their own first (`_WriterLock`): threads of one process on a
`threading.Lock`, processes on an advisory lock of ``<database>.lock``, both with the
same timeout as SQLite's. A waiter then starts as soon as the writer before it commits.

SQLite copies the write-ahead log back into the database file at checkpoints, with an
fsync; by default the commit that pushes the log past 1,000 pages runs that checkpoint,
and the request that made the commit waits for the disk (tens of milliseconds here, on a
turn that otherwise takes ten). Checkpoints of file-backed stores run in a background
thread instead (`_Checkpointer`); requests checkpoint only as a safety net, if the log
grows ten times past SQLite's default because the background thread cannot keep up.

Engines are created with ``hide_parameters=True`` so a failing statement's message never
carries bound values (ciphertexts, digests, identifiers).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

try:
    import fcntl
except ImportError:  # Windows: threads still queue; processes fall back to SQLite's wait
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError

from discreet.store.errors import StoreUnavailable

SQLITE_BUSY_TIMEOUT_S = 30
# A purge retries a busy TRUNCATE checkpoint this often (a reader or the background
# checkpointer holding the log for a moment), then fails: the erasure step is resumable.
PURGE_ATTEMPTS = 100
PURGE_RETRY_S = 0.02
CLOSE_ATTEMPTS = 10
# Requests checkpoint only past this many log pages (SQLite's default is 1,000): the
# background checkpointer keeps the log below it, this is the fallback should it not.
REQUEST_AUTOCHECKPOINT_PAGES = 10_000
CHECKPOINT_INTERVAL_S = 0.5
PG_CONNECT_TIMEOUT_S = 5
_READ_ONLY = "discreet_read_only"  # execution option marking a `Database.read` transaction


@dataclass(eq=False)
class _SharedRead:
    """One database's read transaction shared by the reads of a `Database.shared_reads`
    block: opened by the first read, ended by the block's end or by a write."""

    conn: Connection | None = None
    depth: int = 0  # `read()` blocks using `conn` right now
    writing: int = 0  # `begin()` blocks open in this context
    stale: bool = False  # a write began inside a read: end `conn` once that read ends


# Per context (a worker thread's call runs in a copy of its caller's context, so two
# turns never see each other's): the `Database`s whose reads are shared right now.
_SHARED: ContextVar[dict[Database, _SharedRead] | None] = ContextVar(
    "discreet_shared_reads", default=None
)


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def safe_url(url: str | URL) -> str:
    """The URL with any password masked, fit for error messages."""
    return make_url(url).render_as_string(hide_password=True)


def make_engine(url: str | URL) -> Engine:
    """An engine for `url` with discreet's connection settings; connects lazily."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreUnavailable(f"not a database URL: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    return create_engine(
        parsed, hide_parameters=True, pool_pre_ping=True, connect_args=connect_args
    )


def _sqlite_engine(url: URL) -> Engine:
    engine = create_engine(
        url, hide_parameters=True, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN, not the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted rows are overwritten with zeros, so a destroyed data key does not linger
        # in free pages of the file (crypto-shredding must reach the bytes on disk).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.execute(f"PRAGMA wal_autocheckpoint={REQUEST_AUTOCHECKPOINT_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read_only = conn.get_execution_options().get(_READ_ONLY, False)
        statement = "BEGIN" if read_only else "BEGIN IMMEDIATE"
        # On the driver's connection: through `exec_driver_sql` it cost 15 us more, and a
        # chat turn begins about ten transactions. Failures are wrapped as SQLAlchemy's,
        # as they would have been there (`Database.begin` turns them into StoreUnavailable).
        try:
            conn.connection.cursor().execute(statement)
        except sqlite3.Error as exc:
            raise DBAPIError.instance(statement, (), exc, sqlite3.Error) from exc

    return engine


class _Checkpointer:
    """One daemon thread per process that checkpoints the write-ahead logs of the open
    file-backed SQLite stores every `CHECKPOINT_INTERVAL_S`, PASSIVE: it copies what no
    reader still needs and never waits for, or blocks, a reader or the writer. The copy
    and its fsync run here, outside every request (the sqlite3 module releases the GIL).
    A log unchanged since the last round is left alone; no connection is kept open."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[str, int] = {}  # path -> open `Database` objects using it
        self._done: dict[str, tuple[int, int]] = {}  # path -> its log's (size, mtime) then
        self._thread: threading.Thread | None = None

    def add(self, path: Path) -> str:
        key = str(path.resolve())
        with self._lock:
            self._files[key] = self._files.get(key, 0) + 1
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="discreet-sqlite-checkpoints", daemon=True
                )
                self._thread.start()
        return key

    def remove(self, key: str) -> None:
        with self._lock:
            left = self._files.get(key, 0) - 1
            if left > 0:
                self._files[key] = left
            else:
                self._files.pop(key, None)
                self._done.pop(key, None)

    def _run(self) -> None:
        while True:
            time.sleep(CHECKPOINT_INTERVAL_S)
            with self._lock:
                files = list(self._files)
            for key in files:
                self.checkpoint(key)

    def checkpoint(self, key: str) -> None:
        """One PASSIVE checkpoint of `key`'s log if it changed; errors are left to the
        next round (and, should they persist, to the requests' own checkpoints)."""
        try:
            stat = os.stat(key + "-wal")
        except OSError:
            return
        signature = (stat.st_size, stat.st_mtime_ns)
        if self._done.get(key) == signature:
            return
        connection = _open_existing(key)
        if connection is None:
            return
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            return
        finally:
            connection.close()
        with self._lock:
            if key in self._files:
                self._done[key] = signature


_CHECKPOINTER = _Checkpointer()


def _open_existing(path: str) -> sqlite3.Connection | None:
    """A short-lived autocommit connection to the SQLite file at `path` that never waits
    for a lock, or None: mode=rw does not recreate a file that is gone (a restored or
    deleted store)."""
    try:
        return sqlite3.connect(
            f"file:{quote(path)}?mode=rw", uri=True, timeout=0, isolation_level=None
        )
    except sqlite3.Error:
        return None


def _truncate_log(connection: Any, attempts: int) -> bool:
    """A TRUNCATE checkpoint on a DB-API `connection` outside any transaction: the log
    copied into the file and emptied. False if it stayed busy for `attempts` tries.

    The result row is (busy, log frames, frames checkpointed). SQLite answers busy at once,
    without an error, while another connection checkpoints (the background thread's
    PASSIVE pass) or a reader holds the log; the log then keeps its old page images."""
    for _ in range(attempts):
        row = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if row is not None and row[0] == 0:
            return True
        time.sleep(PURGE_RETRY_S)
    return False


_THREAD_LOCKS: dict[str, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


class _WriterLock:
    """Queues the writers of one SQLite file: this process's threads, then processes."""

    def __init__(self, path: Path | None, name: str) -> None:
        self._name = name
        if path is None:  # in memory: no file that another `Database` could open too
            self._thread_lock = threading.Lock()
        else:  # one lock per file, however many `Database` objects open it
            with _THREAD_LOCKS_GUARD:
                self._thread_lock = _THREAD_LOCKS.setdefault(str(path.resolve()), threading.Lock())
        self._lock_path = path.with_name(path.name + ".lock") if path is not None else None
        self._fd: int | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
        if not self._thread_lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_S):
            raise self._busy()
        try:
            fd = self._file()
            if fd is not None:
                self._lock_file(fd, deadline)
            try:
                yield
            finally:
                if fd is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()

    def _file(self) -> int | None:
        if fcntl is None or self._lock_path is None:
            return None
        if self._fd is None:  # opened once, under the thread lock
            try:
                self._fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                return None  # read-only directory: SQLite's own locking still holds
        return self._fd

    def _lock_file(self, fd: int, deadline: float) -> None:
        # flock has no timeout: poll, briefly at first (a turn's write takes ~1 ms).
        pause = 0.0001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise self._busy() from None
                time.sleep(pause)
                pause = min(pause * 2, 0.002)

    def _busy(self) -> StoreUnavailable:
        return StoreUnavailable(
            f"{self._name} unavailable: another writer held it for {SQLITE_BUSY_TIMEOUT_S} s"
        )

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class Database:
    """One database (the data store or the key store) with fail-closed transactions.

    `name` says which store it is in error messages ("data store", "key store").
    """

    def __init__(self, url: str | URL, *, name: str) -> None:
        self.url = make_url(url)
        self.url_text = str(self.url)
        """The URL as text, its password hidden, made once: the audit chain's key registry
        (audit/keyed.py) looks the key up by it on every append, and rendering a URL is
        slow."""
        self.name = name
        self._prepare_sqlite_dir()
        self._private_sqlite_file()
        self.engine = make_engine(self.url)
        # The same pool, its connections marked read-only up front: setting the option on
        # each read's connection cost more than the rest of an empty read transaction.
        self._reader = self.engine.execution_options(**{_READ_ONLY: True})
        path = self.sqlite_path
        self._writer = _WriterLock(path, name) if self.is_sqlite else None
        # A file's log is checkpointed in the background until dispose() or, without it,
        # until this object is collected (a finalizer runs once, whichever comes first).
        self._unregister = (
            weakref.finalize(self, _CHECKPOINTER.remove, _CHECKPOINTER.add(path))
            if path is not None
            else None
        )

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        """The database file of a file-backed SQLite store, else None."""
        if not self.is_sqlite or not self.url.database or self.url.database == ":memory:":
            return None
        return Path(self.url.database)

    def _prepare_sqlite_dir(self) -> None:
        path = self.sqlite_path
        if path is None:
            return
        try:
            # Private whatever the umask: the directory 0700, the database file 0600
            # (SQLite gives its -wal and -shm files the database file's mode).
            created = not path.parent.exists()
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if created:
                path.parent.chmod(0o700)
        except OSError as exc:
            raise StoreUnavailable(
                f"{self.name} unavailable: cannot create directory {path.parent} "
                f"({exc.strerror or type(exc).__name__})"
            ) from None

    def _private_sqlite_file(self) -> None:
        """Create the database file 0600 before SQLite does (with the umask's mode); an
        existing file is left as it is, and a path that cannot be a file fails later,
        on first use, as `StoreUnavailable`."""
        path = self.sqlite_path
        if path is None or path.exists():
            return
        with suppress(OSError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in a transaction, committed on success, rolled back on error.

        Connection-level failures (unreachable server, unwritable file, lock timeout)
        become :class:`StoreUnavailable`; other exceptions pass through unchanged.
        Inside `shared_reads`, the shared read transaction ends first (so later reads
        see this write), or when the read that is using it ends.
        """
        shared = self._shared()
        if shared is not None:
            if shared.depth:
                shared.stale = True
            else:
                self._end_shared(shared)
            shared.writing += 1
        try:
            with self._writer.held() if self._writer is not None else nullcontext():
                try:
                    with self.engine.begin() as conn:
                        yield conn
                except (OperationalError, InterfaceError) as exc:
                    raise StoreUnavailable(self._describe(exc)) from exc
        finally:
            if shared is not None:
                shared.writing -= 1

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection in a read-only transaction: one consistent snapshot, no write lock.

        For reads that write nothing. A read of personal data may use it only if the
        caller appends its audit record (in a `begin` transaction) before any value is
        used, as `Vault.read_for_turn` does. On SQLite it is a deferred transaction,
        concurrent with the writer in WAL mode. Errors as for `begin`. Inside
        `shared_reads`, the block's read transaction (opened here if none is open).
        """
        shared = self._shared()
        if shared is not None and not shared.writing:
            with self._shared_read(shared) as conn:
                yield conn
            return
        try:
            with self._reader.connect() as conn, conn.begin():
                yield conn
        except (OperationalError, InterfaceError) as exc:
            raise StoreUnavailable(self._describe(exc)) from exc

    @contextmanager
    def shared_reads(self) -> Iterator[None]:
        """Within the block, this context's `read()`s share ONE read transaction, until
        it writes (`begin`): the next read then opens a new one, which sees the write.
        For a chat turn, whose owners (conversation state, consent, vault, transcripts,
        blind index) each read in their own `read()`: one transaction's begin, commit
        and pool checkout instead of one per owner, and one snapshot for all of them.
        Not for a block that waits (on a model, on a client): the transaction stays open
        to its end, holding a pooled connection and, on SQLite, the log's snapshot."""
        states = _SHARED.get()
        if states is not None and self in states:  # nested: the outer block's
            yield
            return
        token = _SHARED.set({**(states or {}), self: _SharedRead()})
        try:
            yield
        finally:
            shared = _SHARED.get()
            _SHARED.reset(token)
            if shared is not None:
                self._end_shared(shared[self])

    def _shared(self) -> _SharedRead | None:
        states = _SHARED.get()
        return None if states is None else states.get(self)

    @contextmanager
    def _shared_read(self, shared: _SharedRead) -> Iterator[Connection]:
        try:
            if shared.conn is None:
                conn = self._reader.connect()
                try:
                    conn.begin()
                except BaseException:
                    conn.close()
                    raise
                shared.conn = conn
            shared.depth += 1
            try:
                yield shared.conn
            except BaseException:
                # As a read's own transaction would: rolled back, the next read anew.
                shared.stale = True
                raise
            finally:
                shared.depth -= 1
                if shared.stale and not shared.depth:
                    self._end_shared(shared)
        except (OperationalError, InterfaceError) as exc:
            raise StoreUnavailable(self._describe(exc)) from exc

    def _end_shared(self, shared: _SharedRead) -> None:
        """End the shared read transaction, if one is open (it wrote nothing: a commit
        and a rollback are alike; rollback also serves a failed connection)."""
        conn, shared.conn, shared.stale = shared.conn, None, False
        if conn is not None:
            # Back to the pool, the transaction rolled back. A connection that fails
            # here is invalidated by SQLAlchemy; nothing was written, nothing is lost.
            with suppress(OperationalError, InterfaceError):
                conn.close()

    def _describe(self, exc: OperationalError | InterfaceError) -> str:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        return f"{self.name} unavailable at {safe_url(self.url)}: {reason}"

    def purge_deleted(self) -> None:
        """Make deletions final on disk, as far as the database allows.

        SQLite keeps old page images in the write-ahead log until a checkpoint; a
        TRUNCATE checkpoint copies the (zeroed) pages back and empties the log, so
        shredded keys are not recoverable from the -wal file. PostgreSQL reclaims dead
        tuples with VACUUM, which is the operator's schedule, not a per-request step.
        """
        if not self.is_sqlite:
            return
        # On the raw DB-API connection (also the one an in-memory store lives in): our
        # "begin" hook would wrap a SQLAlchemy execute in BEGIN IMMEDIATE, and a
        # checkpoint cannot run inside a transaction.
        raw = self.engine.raw_connection()
        try:
            emptied = _truncate_log(raw.driver_connection, PURGE_ATTEMPTS)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"{self.name} unavailable: checkpoint failed ({exc})") from None
        finally:
            raw.close()
        if not emptied:
            raise StoreUnavailable(f"{self.name} unavailable: the write-ahead log stayed busy")

    def dispose(self) -> None:
        """Close pooled connections (before copying or replacing a SQLite file).

        A SQLite file gets its write-ahead log copied in first: SQLite does that itself
        when the last connection closes, but not while another one is open (the
        background checkpointer's, another process's), and a copy of the file alone
        would then miss the latest commits."""
        if self._unregister is not None:
            self._unregister()
        path = self.sqlite_path
        connection = None if path is None else _open_existing(str(path))
        if connection is not None:
            # Best effort, closing must not fail; fewer tries than a purge: a server's
            # readers may hold the log for long, and then the copy is SQLite's own.
            with suppress(sqlite3.Error):
                _truncate_log(connection, CLOSE_ATTEMPTS)
            connection.close()
        self.engine.dispose()
        if self._writer is not None:
            self._writer.close()

    def __repr__(self) -> str:
        return f"Database({self.name!r}, {safe_url(self.url)!r})"
