"""Per-phase latency of a chat turn: the gateway's one telemetry hook.

A leaf module (it imports nothing of discreet's but the error tree), so the gateway can
time its phases without depending on the operations package that renders them
(:mod:`discreet.ops.metrics` serves ``/metrics``). Phases: ``prepare`` (vault read,
detection, pseudonymisation), ``upstream`` (the model), ``finish`` (output guard,
rehydration, the audit write).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from prometheus_client import CollectorRegistry, Histogram

PHASES = ("prepare", "upstream", "finish")
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class PhaseTimer:
    """Per-phase latency histograms, process-wide (the gateway's one hook)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        self.histogram = Histogram(
            "discreet_turn_phase_seconds",
            "Time spent in each phase of a chat turn.",
            ["phase"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        # One child per label, made once: `labels()` takes a lock and validates the
        # label values on every call, three times a turn.
        self._phases = {label: self.histogram.labels(label) for label in (*PHASES, "other")}

        self.tracer: Any = None
        """An OpenTelemetry tracer once `enable_tracing` ran; spans carry names only."""

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        label = name if name in PHASES else "other"
        child = self._phases[label]
        started = time.perf_counter()
        span = (
            self.tracer.start_as_current_span(f"discreet.turn.{label}")
            if self.tracer is not None
            else nullcontext()
        )
        try:
            with span:
                yield
        finally:
            child.observe(time.perf_counter() - started)

    def enable_tracing(self, provider: Any = None) -> None:
        """Open an OpenTelemetry span per phase (the ``otel`` extra). `provider`: a
        TracerProvider (default: the global one, which the operator configures with the
        usual OTEL_* variables or ``opentelemetry-instrument``). No attribute is set: a
        span says which phase took how long, never what was in it."""
        try:
            from opentelemetry import trace
        except ImportError:
            from discreet.errors import Unavailable

            raise Unavailable(
                "tracing needs the otel extra: pip install 'discreet[otel]'"
            ) from None
        self.tracer = trace.get_tracer("discreet", tracer_provider=provider)


PHASE_TIMER = PhaseTimer()


def phase(name: str) -> Any:
    """``with phase("upstream"): ...`` times one phase of a turn (see `PHASES`)."""
    return PHASE_TIMER.phase(name)
