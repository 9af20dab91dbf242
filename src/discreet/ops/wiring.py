"""Hooking operations into the HTTP server: one call from the app's builder.

* ``/metrics`` is mounted when ``DISCREET_METRICS_TOKEN`` (at least 16 characters) is set;
  Prometheus scrapes it with ``Authorization: Bearer <token>``. Without the variable the
  route does not exist (404): nothing is exposed by default.
* With ``DISCREET_OTEL=1`` (and the ``otel`` extra) each phase of a turn opens an
  OpenTelemetry span on the global tracer provider (configure its exporter with the usual
  ``OTEL_*`` variables); spans carry names and times, no attributes.
* Refused requests (401/403) are counted per client address (keyed digest) and written
  to the audit log once a minute (``auth.failures``) for the anomaly signal.
"""

from __future__ import annotations

from fastapi import FastAPI

from discreet.errors import InvalidInput
from discreet.ops.authwatch import AuthFailureRecorder
from discreet.settings import Settings
from discreet.store.db import Database
from discreet.vault.crypto import MasterKey

METRICS_TOKEN_ENV = "DISCREET_METRICS_TOKEN"


class MetricsTokenTooShort(InvalidInput):
    """DISCREET_METRICS_TOKEN must be at least 16 characters."""


def install_ops(
    app: FastAPI,
    *,
    db: Database,
    tenant: str,
    master: MasterKey,
    settings: Settings,
) -> AuthFailureRecorder:
    """Mount what operations add to `app`; returns the refused-request recorder (its
    middleware flushes it once a minute; a test may flush it at once)."""
    from discreet.audit.log import AuditLog
    from discreet.ops.authwatch import AuthWatchMiddleware
    from discreet.ops.keys import derive_key
    from discreet.ops.metrics import MetricsEndpoint, metrics_router

    secret = settings.metrics_token
    if secret is not None:
        token = secret.get_secret_value().strip()
        if len(token) < 16:
            raise MetricsTokenTooShort(f"{METRICS_TOKEN_ENV} must be at least 16 characters")
        app.include_router(metrics_router(MetricsEndpoint(db, tenant=tenant, token=token)))
    if settings.otel:
        from discreet.telemetry import PHASE_TIMER

        PHASE_TIMER.enable_tracing()
    recorder = AuthFailureRecorder(
        AuditLog(db), tenant=tenant, key=derive_key(master, "address-digest")
    )
    app.add_middleware(AuthWatchMiddleware, recorder=recorder)
    return recorder
