"""Read and write transactions on SQLite: readers do not queue behind writers, writers
queue on discreet's own lock (threads and processes) and time out with a clear error."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from discreet.store import Database, StoreUnavailable
from discreet.store import db as db_module


def _database(path: Path) -> Database:
    database = Database(f"sqlite:///{path}", name="data store")
    with database.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS counter (n INTEGER)"))
    return database


@contextmanager
def _writing(database: Database, value: int) -> Iterator[None]:
    """A thread inside an uncommitted write transaction of `database` while the block runs;
    it commits after."""
    writing, done = threading.Event(), threading.Event()

    def writer() -> None:
        with database.begin() as conn:
            conn.execute(text("INSERT INTO counter VALUES (:n)"), {"n": value})
            writing.set()
            done.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert writing.wait(10)
        yield
    finally:
        done.set()
        thread.join()


def test_a_read_does_not_wait_for_a_writer(tmp_path: Path) -> None:
    database = _database(tmp_path / "data.db")
    with database.begin() as conn:
        conn.execute(text("INSERT INTO counter VALUES (1)"))
    # The writer holds the write lock and has not committed: the read sees the last
    # committed state at once instead of queueing for the lock.
    with _writing(database, 2), database.read() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalars().all() == [1]
    with database.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM counter")).scalar_one() == 2


def _add(path: str, count: int) -> None:
    database = Database(f"sqlite:///{path}", name="data store")
    for _ in range(count):
        with database.begin() as conn:
            current = conn.execute(text("SELECT count(*) FROM counter")).scalar_one()
            conn.execute(text("INSERT INTO counter VALUES (:n)"), {"n": current + 1})
    database.dispose()


def test_writers_in_threads_and_processes_take_turns(tmp_path: Path) -> None:
    path = tmp_path / "data.db"
    database = _database(path)
    ctx = multiprocessing.get_context("spawn")
    processes = [ctx.Process(target=_add, args=(str(path), 40)) for _ in range(2)]
    threads = [threading.Thread(target=_add, args=(str(path), 40)) for _ in range(3)]
    for worker in (*processes, *threads):
        worker.start()
    for thread in threads:
        thread.join()
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    with database.read() as conn:
        numbers = conn.execute(text("SELECT n FROM counter ORDER BY n")).scalars().all()
    # Each write read the count and added the next number inside its transaction: with
    # writers overlapping, numbers would repeat.
    assert numbers == list(range(1, 201))
    assert (tmp_path / "data.db.lock").exists()


def test_a_writer_that_cannot_get_the_lock_fails_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "data.db"
    database = _database(path)
    other = Database(f"sqlite:///{path}", name="data store")  # as another process would
    monkeypatch.setattr(db_module, "SQLITE_BUSY_TIMEOUT_S", 0.3)
    with (
        _writing(other, 7),
        pytest.raises(StoreUnavailable, match="data store unavailable"),
        database.begin() as conn,
    ):
        conn.execute(text("INSERT INTO counter VALUES (8)"))
    with database.read() as conn:  # nothing half-written
        assert conn.execute(text("SELECT n FROM counter")).scalars().all() == [7]


def _count(database: Database) -> int:
    with database.read() as conn:
        return int(conn.execute(text("SELECT count(*) FROM counter")).scalar_one())


def test_shared_reads_are_one_snapshot_until_this_context_writes(tmp_path: Path) -> None:
    database = _database(tmp_path / "data.db")
    with database.shared_reads():
        assert _count(database) == 0
        # Another writer commits meanwhile: the block's reads keep their one snapshot
        # (one transaction for all of them, as a turn's owners read together).
        with _writing(database, 1):
            pass
        assert _count(database) == 0
        # This context's own write ends the shared transaction: the next read sees it,
        # and the other writer's row too.
        with database.begin() as conn:
            conn.execute(text("INSERT INTO counter VALUES (2)"))
        assert _count(database) == 2
    assert _count(database) == 2


def test_a_write_inside_a_shared_read_is_seen_by_the_next_read(tmp_path: Path) -> None:
    database = _database(tmp_path / "data.db")
    with database.shared_reads(), database.read() as outer:
        assert outer.execute(text("SELECT count(*) FROM counter")).scalar_one() == 0
        with database.begin() as conn:  # a read-then-write (a lookup, then its audit)
            conn.execute(text("INSERT INTO counter VALUES (1)"))
        # The outer read keeps working in its snapshot; a new read sees the write.
        assert outer.execute(text("SELECT count(*) FROM counter")).scalar_one() == 0
    with database.shared_reads():
        assert _count(database) == 1


def test_a_failed_shared_read_starts_the_next_one_afresh(tmp_path: Path) -> None:
    database = _database(tmp_path / "data.db")
    with database.shared_reads():
        with pytest.raises(ZeroDivisionError), database.read():
            raise ZeroDivisionError
        with _writing(database, 1):
            pass
        assert _count(database) == 1  # a new transaction, not the failed one's snapshot


def test_shared_reads_are_per_thread(tmp_path: Path) -> None:
    database = _database(tmp_path / "data.db")
    seen: list[int] = []
    with database.shared_reads():
        assert _count(database) == 0
        # Another thread (another turn) neither joins this block's transaction nor waits.
        thread = threading.Thread(target=lambda: _writing_and_counting(database, seen))
        thread.start()
        thread.join()
        assert _count(database) == 0
    assert seen == [1]
    assert _count(database) == 1


def _writing_and_counting(database: Database, seen: list[int]) -> None:
    with database.begin() as conn:
        conn.execute(text("INSERT INTO counter VALUES (1)"))
    seen.append(_count(database))
