"""Prometheus metrics: ``/metrics`` behind its own token, no personal data in any label.

Three sources, so the gateway needs only one small hook:

* **Phase latencies** (``discreet_turn_phase_seconds{phase}``): the gateway times the
  phases of a turn with :func:`discreet.telemetry.phase`, a leaf module (``prepare``:
  vault read, detection and pseudonymisation; ``upstream``: the model; ``finish``: output
  guard, rehydration and the audit write). Only this needs the gateway process itself.
* **Turn facts from the audit log**: every turn already leaves a ``gateway.turn`` record
  with its guard decisions, entity types, handoff and refusal reason (never values). A
  scrape reads the records appended since the last one (incrementally, by ``seq``) and
  counts them. That needs no hook at all, and with ``serve --workers N`` the counts cover
  every worker process, which per-process counters would not.
* **State read at scrape time**: open and overdue data-subject requests and incidents,
  unacknowledged alerts, the audit chain's last verification (re-run at most every
  ``verify_every_s``), rows deleted by retention.

Labels carry entity *types*, decision and reason *codes*, phase names, backend kinds:
closed vocabularies, never a subject id, key id, conversation id or value (a test scrapes
after a run with known values and greps for them).
"""

from __future__ import annotations

import hmac
import json
import threading
import time
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from discreet.audit.log import AuditLog
from discreet.clock import Clock, now_from, system_clock
from discreet.store.db import Database
from discreet.telemetry import PHASE_TIMER, PhaseTimer

TURN_ACTION = "gateway.turn"
GUARD_INCIDENT_ACTION = "incident.cross_subject_leak"

# Label values come from closed sets; anything else is folded into "other", so a label
# can never carry text a client chose.
_ENTITY_TYPES: frozenset[str] = frozenset()


def _entity_types() -> frozenset[str]:
    global _ENTITY_TYPES
    if not _ENTITY_TYPES:
        from discreet.detect.entities import EntityType

        _ENTITY_TYPES = frozenset(t.value for t in EntityType)
    return _ENTITY_TYPES


def _code(value: object, limit: int = 40) -> str:
    """A label value from a code: lowercase word characters only, else "other"."""
    text = str(value or "")
    if not text or len(text) > limit or not all(c.isalnum() or c in "_.-" for c in text):
        return "other"
    return text.lower()


class StoreMetrics:
    """Counters from the audit log and gauges from the store, updated at each scrape."""

    def __init__(
        self,
        db: Database,
        *,
        tenant: str,
        registry: CollectorRegistry,
        clock: Clock = system_clock,
        verify_every_s: float = 300.0,
        from_start: bool = False,
    ) -> None:
        self._db = db
        self.tenant = tenant
        self._clock = clock
        self._verify_every_s = verify_every_s
        self._lock = threading.Lock()
        self._last_seq = 0 if from_start else self._head_seq()
        self._verified_at = 0.0
        r = registry
        self.turns = Counter(
            "discreet_turns", "Chat turns served, by outcome.", ["outcome", "backend"], registry=r
        )
        self.refusals = Counter(
            "discreet_turn_refusals", "Turns refused, by reason code.", ["reason"], registry=r
        )
        self.upstream_errors = Counter(
            "discreet_upstream_errors",
            "Turns refused because the upstream model failed or timed out, by reason.",
            ["reason"],
            registry=r,
        )
        self.guard = Counter(
            "discreet_guard_decisions",
            "Output-guard decisions on answers.",
            ["decision"],
            registry=r,
        )
        self.blocks = Counter(
            "discreet_guard_blocks", "Answers blocked as a cross-subject leak.", registry=r
        )
        self.handoffs = Counter(
            "discreet_handoffs", "Turns handed to a human, by reason.", ["reason"], registry=r
        )
        self.entities = Counter(
            "discreet_entities_detected",
            "Entity types detected (in: customer messages; out: answers).",
            ["direction", "type"],
            registry=r,
        )
        self.withheld = Counter(
            "discreet_values_withheld", "Values the output guard withheld.", registry=r
        )
        self.requests_open = Gauge(
            "discreet_rights_requests_open", "Open data-subject requests.", registry=r
        )
        self.requests_overdue = Gauge(
            "discreet_rights_requests_overdue",
            "Open data-subject requests past their deadline.",
            registry=r,
        )
        self.incidents_open = Gauge(
            "discreet_incidents_open", "Incidents not closed, by state.", ["state"], registry=r
        )
        self.incidents_overdue = Gauge(
            "discreet_incidents_overdue",
            "Open incidents past the 72-hour notification deadline.",
            registry=r,
        )
        self.incident_hours_left = Gauge(
            "discreet_incident_hours_left_min",
            "Hours left on the most urgent open incident's 72-hour clock (negative: overdue).",
            registry=r,
        )
        self.alerts_open = Gauge(
            "discreet_alerts_unacknowledged", "Alerts not yet acknowledged.", registry=r
        )
        self.audit_ok = Gauge(
            "discreet_audit_chain_ok",
            "1 if the audit chain verified at the last check.",
            registry=r,
        )
        self.audit_checked = Gauge(
            "discreet_audit_chain_checked_timestamp_seconds",
            "When the audit chain was last verified.",
            registry=r,
        )
        self.retention_deleted = Gauge(
            "discreet_retention_deleted",
            "Rows deleted by retention runs (not dry runs), all time, by kind.",
            ["kind"],
            registry=r,
        )

    def _head_seq(self) -> int:
        return AuditLog(self._db).last_seq()

    def refresh(self) -> None:
        """Bring every metric up to date (called by each scrape, serialised)."""
        with self._lock:
            self._count_audit()
            self._read_state()

    def _count_audit(self) -> None:
        log = AuditLog(self._db)
        while True:
            rows = log.actions_after(self._last_seq, (TURN_ACTION, GUARD_INCIDENT_ACTION))
            if not rows:
                return
            for _seq, action, outcome, details in rows:
                self._count(action, outcome, details)
            self._last_seq = rows[-1][0]

    def _count(self, action: str, outcome: str, details: dict[str, Any]) -> None:
        if action == GUARD_INCIDENT_ACTION:
            self.blocks.inc()
            return
        if "status" in details:  # a refused turn
            reason = _code(details.get("reason"))
            self.refusals.labels(reason).inc()
            if reason.startswith("upstream"):
                self.upstream_errors.labels(reason).inc()
            self.turns.labels("refused", "none").inc()
            return
        self.turns.labels(_code(outcome), _code(details.get("backend"))).inc()
        types = _entity_types()
        for direction, key in (("in", "entities_in"), ("out", "entities_out")):
            for name in str(details.get(key, "")).split(","):
                if name:
                    self.entities.labels(direction, name if name in types else "other").inc()
        for decision in str(details.get("guard", "")).split(","):
            if decision:
                self.guard.labels(_code(decision)).inc()
        handoff = details.get("handoff")
        if handoff:
            self.handoffs.labels(_code(handoff)).inc()
        withheld = details.get("withheld")
        if isinstance(withheld, int) and withheld > 0:
            self.withheld.inc(withheld)

    def _read_state(self) -> None:
        from discreet.ops.alerts import AlertStore
        from discreet.ops.incidents import IncidentRegister, State
        from discreet.retention.runner import finished_runs
        from discreet.rights.requests import RequestBook

        now = now_from(self._clock)
        rows = RequestBook(self._db, tenant=self.tenant).open_requests()
        runs = finished_runs(self._db, self.tenant, real_only=True)
        self.requests_open.set(len(rows))
        self.requests_overdue.set(sum(1 for r in rows if r.due_at < now))
        deleted: dict[str, int] = {}
        for run in runs:
            for kind, counts in json.loads(run.counts).items():
                if isinstance(counts, dict):
                    deleted[kind] = deleted.get(kind, 0) + int(counts.get("deleted", 0))
        for kind, count in deleted.items():
            self.retention_deleted.labels(_code(kind)).set(count)
        register = IncidentRegister(self._db, tenant=self.tenant, clock=self._clock)
        incidents = register.list(include_closed=False)
        for state in (State.OPEN, State.NOTIFIED):
            self.incidents_open.labels(state.value).set(
                sum(1 for i in incidents if i.state == state)
            )
        pending = [i.clock(now) for i in incidents if i.state == State.OPEN]
        self.incidents_overdue.set(sum(1 for c in pending if c.overdue))
        self.incident_hours_left.set(
            min((c.remaining.total_seconds() / 3600 for c in pending), default=72.0)
        )
        self.alerts_open.set(AlertStore(self._db, tenant=self.tenant).count_open())
        if time.monotonic() - self._verified_at >= self._verify_every_s or not self._verified_at:
            self.audit_ok.set(1 if AuditLog(self._db).verify().ok else 0)
            self.audit_checked.set(now.timestamp())
            self._verified_at = time.monotonic()


class MetricsEndpoint:
    """What ``/metrics`` serves: the phase timer's registry plus the store's metrics."""

    def __init__(
        self,
        db: Database,
        *,
        tenant: str,
        token: str,
        clock: Clock = system_clock,
        verify_every_s: float = 300.0,
        from_start: bool = False,
        phase_timer: PhaseTimer = PHASE_TIMER,
    ) -> None:
        if len(token) < 16:
            raise ValueError("the metrics token must be at least 16 characters")
        self._token = token.encode()
        self.registry = CollectorRegistry(auto_describe=True)
        self.store = StoreMetrics(
            db,
            tenant=tenant,
            registry=self.registry,
            clock=clock,
            verify_every_s=verify_every_s,
            from_start=from_start,
        )
        self._phase_timer = phase_timer

    def authorised(self, header: str | None) -> bool:
        scheme, _, token = (header or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), self._token
        )

    def render(self) -> bytes:
        self.store.refresh()
        return generate_latest(self.registry) + generate_latest(self._phase_timer.registry)


def metrics_router(endpoint: MetricsEndpoint) -> APIRouter:
    """A FastAPI router with ``GET /metrics`` (Bearer token: the metrics token, not an API
    key, so a scraper holds no key that could read customers). Mount it on the gateway's
    app or on an internal listener: ``app.include_router(metrics_router(endpoint))``."""
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        if not endpoint.authorised(request.headers.get("authorization")):
            return JSONResponse(
                {"error": {"message": "missing or invalid metrics token", "type": "auth"}},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        body = await anyio.to_thread.run_sync(endpoint.render)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return router
