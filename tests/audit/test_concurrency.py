"""Concurrent writers (threads and separate processes) keep one valid chain."""

from __future__ import annotations

import subprocess
import sys
import threading

from discreet.audit import AccessContext, AuditEvent, AuditLog, Outcome
from discreet.store import Database

WRITER = """
import sys
from discreet.audit import AccessContext, AuditEvent, AuditLog, Outcome
from discreet.store import Database

url, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
log = AuditLog(Database(url, name="data store"))
ctx = AccessContext(name, "concurrency_test", "legitimate_interests")
for i in range(count):
    log.append(AuditEvent(ctx=ctx, tenant="default", action="test.process", outcome=Outcome.OK,
                          details={"i": i}))
"""

THREADS, PER_THREAD, PROCESSES, PER_PROCESS = 4, 15, 2, 30


def test_threads_and_processes_keep_one_chain(store_env) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, store_env.data_url, f"proc-{n}", str(PER_PROCESS)],
            stderr=subprocess.PIPE,
        )
        for n in range(PROCESSES)
    ]
    log = AuditLog(store_env.data_db())
    errors: list[BaseException] = []

    def write(n: int) -> None:
        ctx = AccessContext(f"thread-{n}", "concurrency_test", "legitimate_interests")
        try:
            for i in range(PER_THREAD):
                log.append(
                    AuditEvent(
                        ctx=ctx,
                        tenant="default",
                        action="test.thread",
                        outcome=Outcome.OK,
                        details={"i": i},
                    )
                )
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for proc in procs:
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr.decode()[-2000:]
    assert not errors
    result = log.verify()
    total = THREADS * PER_THREAD + PROCESSES * PER_PROCESS
    assert result.ok, result
    assert result.records == total
    actors = {e.actor for e in log.entries()}
    assert actors == {f"thread-{n}" for n in range(THREADS)} | {
        f"proc-{n}" for n in range(PROCESSES)
    }


def test_two_clients_interleave_on_one_chain(store_env) -> None:
    # Two separate engines (two "clients"), alternating appends.
    first, second = (
        AuditLog(Database(store_env.data_url, name="a")),
        AuditLog(Database(store_env.data_url, name="b")),
    )
    ctx = AccessContext("client", "concurrency_test", "legitimate_interests")
    for i in range(10):
        log = first if i % 2 else second
        log.append(AuditEvent(ctx=ctx, tenant="default", action="test", outcome=Outcome.OK))
    assert first.verify().ok and second.verify().records == 10
    first.db.dispose()
    second.db.dispose()
