"""Running retention periodically inside ``discreet serve``.

The policy has no setting for the interval yet, so it is a constructor argument with a
one-hour default. The run itself is synchronous database work; it runs in a worker
thread so the event loop keeps serving turns. A failed run is logged (its message names
no values) and the next one is tried at the next interval: retention must not take the
gateway down, and a missed run only delays deletion.

How the app wires it (``api/app.py``: ``create_app(..., background=[...])`` enters each
task at start-up and leaves it at shutdown)::

    app = create_app(gateway, background=[scheduled_retention(policy, settings)])  # wiring

or, holding the parts yourself (e.g. to mount ``conversations_router`` on the same
`Retention`)::

    retention = open_retention(policy, settings)           # discreet.retention.factory
    scheduler = RetentionScheduler(retention.runner.run)   # every hour
    app = create_app(gateway, background=[scheduler.running])

Tests drive it without sleeping: pass a `sleep` that returns at once (or waits on an
event the test sets), or call :meth:`run_once`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import (
    asynccontextmanager,
    contextmanager,
    suppress,
)
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 3600.0


class RetentionScheduler:
    """Calls `run` (a retention run) every `interval_s` seconds while it is running."""

    def __init__(
        self,
        run: Callable[[], Any],
        *,
        interval_s: float = DEFAULT_INTERVAL_S,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        run_at_start: bool = True,
    ) -> None:
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        self._run = run
        self.interval_s = interval_s
        self._sleep = sleep
        self._run_at_start = run_at_start
        self._task: asyncio.Task[None] | None = None
        self.runs = 0
        """Finished runs (successful or not), for status pages and tests."""
        self.failures = 0

    async def run_once(self) -> None:
        """One run in a worker thread; failures are logged and counted, not raised."""
        try:
            await asyncio.to_thread(self._run)
        except Exception as exc:  # keep serving; the next run retries
            self.failures += 1
            log.error("retention run failed: %s", type(exc).__name__)
        finally:
            self.runs += 1

    async def _loop(self) -> None:
        if not self._run_at_start:
            await self._sleep(self.interval_s)
        while True:
            await self.run_once()
            await self._sleep(self.interval_s)

    def start(self) -> None:
        """Start the periodic task on the running loop (no-op if already started)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._loop(), name="discreet-retention"
            )

    async def stop(self) -> None:
        """Cancel the task and wait for it (a run in progress finishes in its thread)."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task

    @asynccontextmanager
    async def running(self) -> AsyncIterator[RetentionScheduler]:
        """Run while the block runs: what ``create_app(background=[...])`` expects."""
        self.start()
        try:
            yield self
        finally:
            await self.stop()


@contextmanager
def retention_thread(
    run: Callable[[], Any], *, interval_s: float = DEFAULT_INTERVAL_S
) -> Iterator[threading.Thread]:
    """Call `run` now and every `interval_s` seconds in a daemon thread while the block
    runs; for a process without an event loop of its own: the supervisor of
    ``discreet serve --workers N``, which keeps retention to ONE process rather than
    one schedule per worker. Failures are logged and retried, as in `RetentionScheduler`."""
    if interval_s <= 0:
        raise ValueError("interval_s must be positive")
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                run()
            except Exception as exc:  # keep serving; the next run retries
                log.error("retention run failed: %s", type(exc).__name__)
            stop.wait(interval_s)

    thread = threading.Thread(target=loop, name="discreet-retention", daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(timeout=interval_s)
