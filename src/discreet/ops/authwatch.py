"""Recording refused requests (401/403) per client address, for the ``auth_failures``
anomaly signal.

The gateway answers a request without a valid key before anything is audited (there is
nobody to attribute it to), so this ASGI middleware counts 401 and 403 responses per
client address and, once a minute is over, appends one ``auth.failures`` audit record per
address with the counts. One record per address and minute, not per request: an attacker
hammering the endpoint must not turn into a write per request.

The address itself is personal data of whoever sends from it, so the record holds a keyed
digest (``addr:`` + 16 hex characters of HMAC-SHA256 with a key the caller derives, e.g.
from the master key with :func:`discreet.ops.keys.derive_key`): stable, so a baseline can
form, and not reversible by enumerating the IPv4 space without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import defaultdict
from typing import Any

from discreet.audit.context import AccessContext, ActorKind, LegalBasis, Outcome
from discreet.audit.log import AuditEvent, AuditLog

ACTION = "auth.failures"


def address_digest(key: bytes, address: str) -> str:
    return "addr:" + hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:16]


class AuthFailureRecorder:
    """Counts refused requests per address and minute; `flush` writes closed minutes."""

    def __init__(self, log: AuditLog, *, tenant: str, key: bytes) -> None:
        self._log = log
        self._tenant = tenant
        self._key = key
        self._lock = threading.Lock()
        self._counts: dict[tuple[int, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))

    def record(self, address: str, status: int, now: float | None = None) -> None:
        minute = int((now if now is not None else time.time()) // 60)
        with self._lock:
            self._counts[(minute, address_digest(self._key, address))][status] += 1

    def flush(self, now: float | None = None, *, everything: bool = False) -> int:
        """Append the records of minutes that are over (all with `everything`)."""
        current = int((now if now is not None else time.time()) // 60)
        with self._lock:
            ready = [k for k in self._counts if everything or k[0] < current]
            batch = {k: dict(self._counts.pop(k)) for k in ready}
        ctx = AccessContext(
            actor="discreet-gateway",
            purpose="security_monitoring",
            legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
            actor_kind=ActorKind.SYSTEM,
        )
        for (minute, digest), statuses in sorted(batch.items()):
            self._log.append(
                AuditEvent(
                    ctx=ctx,
                    tenant=self._tenant,
                    action=ACTION,
                    outcome=Outcome.DENIED,
                    details={
                        "address": digest,
                        "minute": minute * 60,
                        "count": sum(statuses.values()),
                        **{f"status_{s}": n for s, n in statuses.items()},
                    },
                )
            )
        return len(batch)


class AuthWatchMiddleware:
    """ASGI middleware feeding an `AuthFailureRecorder` (flushes in a worker thread)."""

    def __init__(self, app: Any, recorder: AuthFailureRecorder) -> None:
        self.app = app
        self.recorder = recorder
        self._last_flush = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client") or ("unknown", 0)

        async def watch(message: Any) -> None:
            if message.get("type") == "http.response.start" and message.get("status") in (
                401,
                403,
            ):
                self.recorder.record(str(client[0]), int(message["status"]))
            await send(message)

        await self.app(scope, receive, watch)
        minute = int(time.time() // 60)
        if minute != self._last_flush:
            import anyio

            self._last_flush = minute
            await anyio.to_thread.run_sync(self.recorder.flush)
