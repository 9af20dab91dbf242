"""The whole server as `discreet serve` and `discreet demo` run it.

`create_app` (``app.py``) is the HTTP surface over parts it is given; `build_app` makes
those parts from a policy and settings: the gateway over the configured stores, consent
checked on every turn, the operator routes, retention routes and the retention scheduler.
`worker_app` is the same server for each process of ``discreet serve --workers N``.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager, suppress
from functools import partial
from typing import Any

from fastapi import FastAPI

from discreet.api.app import BackgroundTask, create_app
from discreet.api.listen import Tls
from discreet.audit.keyed import anchoring
from discreet.gateway.backend import ChatBackend
from discreet.ops.wiring import install_ops
from discreet.policy import Policy
from discreet.retention import Retention, RetentionScheduler
from discreet.retention.scheduler import DEFAULT_INTERVAL_S
from discreet.settings import Settings
from discreet.vault.master import load_master_key
from discreet.wiring import Config, build_services


def build_app(
    policy: Policy,
    settings: Settings | None = None,
    *,
    backend: ChatBackend | None = None,
    migrate: bool = True,
    retention_interval_s: float | None = DEFAULT_INTERVAL_S,
) -> FastAPI:
    """The whole server for `discreet serve` and `discreet demo`: the gateway over the
    configured stores, consent checked per turn against the recorded consents and
    processing limits, the operator and retention routes over the same stores, and a
    retention run at start-up and every `retention_interval_s` seconds (None: no
    scheduler; the policy has no interval setting yet, so the default is hourly).

    Raises the gateway's and retention's start-up errors (see `build_services`) so a
    server refuses to start rather than fail per request. Every part is built once, by
    :func:`discreet.wiring.build_services`, over one pair of stores.
    """
    config = Config(settings or Settings(), policy)
    services = build_services(config, backend=backend, migrate=migrate)
    gateway, retention = services.gateway, services.retention
    assert gateway is not None  # built with a gateway (the default)
    anchors = config.settings
    background: list[BackgroundTask] = [
        lambda: _closing(retention),
        # The chain head, outside the database, at start, periodically and at shutdown.
        lambda: anchoring(services.data, anchors.anchor_path, anchors.audit_anchor_interval_s),
    ]
    if retention_interval_s is not None:
        scheduler = RetentionScheduler(retention.runner.run, interval_s=retention_interval_s)
        background.append(scheduler.running)
    app = create_app(gateway, rights=services.rights, retention=retention, background=background)
    install_ops(  # /metrics (with DISCREET_METRICS_TOKEN) and refused-request counting
        app,
        db=services.data,
        tenant=services.vault.tenant,
        master=load_master_key(config.settings),
        settings=config.settings,
    )
    return app


def worker_app(config: Config) -> FastAPI:
    """One process of ``discreet serve --workers N``: uvicorn calls it in each worker
    with the supervisor's configuration (see `run_workers`), the settings and the policy
    that process read and validated. The supervisor has already migrated the stores and
    runs retention itself, once for all workers, so this app has no scheduler. Raises the
    same start-up errors as `build_app`.
    """
    app = build_app(
        config.policy,
        config.settings,
        migrate=False,
        retention_interval_s=None,
    )
    tune_for_serving()
    return app


def _uvicorn_options(json_logs: bool, tls: Tls | None, settings: Settings) -> dict[str, Any]:
    """What `run_server` and `run_workers` both give uvicorn."""
    from uvicorn.config import LOGGING_CONFIG

    from discreet.ops.masking import json_log_config

    return {
        # No access log: request lines carry conversation ids chosen by clients.
        "access_log": False,
        "log_level": "info",
        # A dictConfig uvicorn applies in each process it starts, workers included.
        "log_config": json_log_config() if json_logs else LOGGING_CONFIG,
        "ssl_certfile": tls.cert if tls else None,
        "ssl_keyfile": tls.key if tls else None,
        # On SIGTERM: stop accepting at once, then give in-flight requests (a turn whose
        # upstream drips, a stream) this long before cancelling them, so a stop or a
        # rolling restart takes seconds, not the upstream's pace.
        "timeout_graceful_shutdown": settings.shutdown_timeout_s,
    }


def run_server(
    app: FastAPI,
    *,
    host: str,
    port: int,
    json_logs: bool = False,
    tls: Tls | None = None,
    settings: Settings | None = None,
) -> None:
    """Serve `app` in this process until interrupted (`discreet serve`, `discreet demo`).

    `json_logs`: one masked JSON object per log line (see discreet.ops.masking);
    `settings`: those `app` was built with (default: the environment's)."""
    import uvicorn

    tune_for_serving()
    options = _uvicorn_options(json_logs, tls, settings or Settings())
    uvicorn.run(app, host=host, port=port, **options)


WORKER_HEALTHCHECK_S = 120


def run_workers(
    config: Config,
    workers: int,
    *,
    host: str,
    port: int,
    json_logs: bool = False,
    tls: Tls | None = None,
) -> None:
    """``discreet serve --workers N``: N processes, each building :func:`worker_app` from
    `config`, with the same logging (masked JSON lines with `json_logs`) and shutdown as
    `run_server`.

    uvicorn pickles its configuration, the app factory included, into each worker process
    it starts; the factory is `worker_app` bound to `config`, so the workers get the
    supervisor's settings and validated policy as an argument, and no process's
    environment is changed to pass them. (`uvicorn.run` takes only an import string with
    workers, so this starts uvicorn's supervisor the way `uvicorn.run` does.)"""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    server_config = uvicorn.Config(
        partial(worker_app, config),
        factory=True,
        workers=workers,
        host=host,
        port=port,
        # uvicorn pings each worker and kills one that does not answer in time (default
        # 5 s); a worker loading its detection model on a busy machine holds the GIL
        # longer than that, and was killed and restarted over and over.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
        **_uvicorn_options(json_logs, tls, config.settings),
    )
    with suppress(KeyboardInterrupt):  # as `uvicorn.run`: Ctrl-C stops quietly
        Multiprocess(server_config, sockets=[server_config.bind_socket()]).run()


# How long a thread may keep the GIL while another waits for it (Python's default: 5 ms).
SERVING_SWITCH_INTERVAL_S = 0.001


def tune_for_serving() -> None:
    """Set up this process to serve turns; call it once the app is built, before serving.

    - The detection model, the recognizers, the database metadata and the policy are
      ~200,000 objects that live as long as the process, and each full garbage collection
      walked them all: 126 ms, stalling whichever turn triggered it. Frozen (`gc.freeze`)
      they are still freed by reference counting, and a full collection walks only what
      requests allocate.
    - A turn's thread that holds SQLite's writer lock gives up the GIL inside each
      statement, and with Python's default switch interval another turn's thread (say,
      running the NER model) could keep it for 5 ms before handing it back, while other
      processes waited for the lock. With 1 ms, 32 concurrent conversations on 2
      processes went from ~145 to ~200 turns/s (benchmarks/bench_gateway.py).
    """
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(SERVING_SWITCH_INTERVAL_S)


@asynccontextmanager
async def _closing(retention: Retention) -> AsyncGenerator[Retention, None]:
    """Release retention's database connections at shutdown (entered first, left last)."""
    try:
        yield retention
    finally:
        retention.close()
