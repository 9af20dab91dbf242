"""Anomaly signals from the audit log, each with a rolling per-actor baseline.

Time is cut into windows (default 10 minutes). For every signal and actor the count in a
window is compared with that actor's baseline, an exponentially weighted moving average
(EWMA) of its earlier windows with an EWMA of the squared deviation (so a standard
deviation), updated once a window is complete:

    raise when  count >= floor  and  count > mean + z * max(std, min_std)

* ``z`` (default 4): how many standard deviations above its own habit an actor must go.
  A key that normally reads 20 customers per window with a deviation of 6 raises above
  20 + 4*6 = 44.
* ``min_std`` (default 2; 0.5 for guard events, which are rare): a
  quiet actor's deviation is tiny; without a floor a handful of extra reads would raise.
  The deviation is also never taken below sqrt(mean): counts of independent events vary
  at least that much (Poisson), however steady the windows seen so far.
* ``floor``: a count below it never raises, whatever the baseline (e.g. 30 distinct
  subjects), so rarely active actors do not raise on their first busy hour.
* an actor without a baseline yet (fewer than ``warmup`` windows) is judged against
  ``floor`` times ``cold_factor`` instead.

Traffic has a daily rhythm (the morning ramp-up would otherwise look like an attack
every day), so each actor has a baseline per hour of the day (in ``tz``) besides its
all-day one; until an hour's baseline has ``warmup`` windows, the larger of the all-day
threshold and the cold floor applies.

Windows in which an actor did nothing do not update its baseline (the number of actors
times windows would be large); the baseline is therefore the habit *when active*, which
errs on the side of raising less for bursty actors and is stated here for that reason.
The current, incomplete window is evaluated too (an alert can come minutes into an
attack), but only complete windows update baselines. An alert is stored once per signal,
actor and window, and a burst that goes on stays one alert while it is unacknowledged
(another comes only after an hour without one, or once it is acknowledged).

Signals (actor in brackets):

* ``subject_reads`` [API key or user]: distinct subjects touched (turns, reads, look-ups,
  exports) -- a stolen key sweeping customers.
* ``exports`` [user or key]: subject reads, access exports and audit exports; plus
  ``exports_off_hours``: any such burst (>= ``off_hours_floor``) outside working hours in
  the configured time zone or at weekends, without a baseline.
* ``guard_blocks`` [API key]: answers blocked as cross-subject leaks, fixed threshold
  (``guard_block_floor``, default 3 per window): a blocked leak is never routine, and a
  few in minutes from one key mean the model is leaking;
* ``guard_events`` [API key]: values withheld and prompt-injection / data-fishing
  signals, with a baseline -- a manipulated model or a probing client.
* ``auth_failures`` [address digest]: 401/403 responses from one address (recorded by
  :class:`discreet.ops.authwatch.AuthFailureRecorder`), fixed threshold per window.
* ``audit_chain``: verification of the audit chain failed (no baseline: always raised).
* ``incident_overdue``: an open incident is past its 72-hour deadline.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, select

from discreet.clock import Clock, as_utc, now_from, system_clock
from discreet.ops.alerts import Alert, AlertStore
from discreet.store.db import Database
from discreet.store.models import table_of
from discreet.store.ops_models import OpsStateRow

_STATE = table_of(OpsStateRow)
STATE_NAME = "anomaly"

READ_ACTIONS = frozenset(
    {
        "gateway.turn",
        "subject.read",
        "subject.lookup",
        "conversation.bind",
        "conversation.read",
        "token_map.read",
        "rights.export",
        "rights.access",
    }
)
EXPORT_ACTIONS = frozenset({"subject.read", "rights.export", "rights.access", "audit.export"})
AUTH_FAILURE_ACTION = "auth.failures"
GUARD_BLOCK_ACTION = "incident.cross_subject_leak"


@dataclass(frozen=True, slots=True)
class SignalRule:
    floor: float
    z: float = 4.0
    min_std: float = 2.0
    severity: str = "high"
    what: str = ""


@dataclass(frozen=True, slots=True)
class AnomalyConfig:
    window: timedelta = timedelta(minutes=10)
    alpha: float = 0.05
    """EWMA weight of a new window (0.05: roughly the last 20 active windows)."""
    warmup: int = 6
    cold_factor: float = 2.0
    rules: dict[str, SignalRule] = field(
        default_factory=lambda: {
            "subject_reads": SignalRule(30, what="distinct subjects touched"),
            "exports": SignalRule(10, what="subject reads and exports"),
            "guard_events": SignalRule(
                3, z=4.0, min_std=0.5, what="withheld values and injection signals"
            ),
        }
    )
    auth_failure_floor: int = 20
    guard_block_floor: int = 3
    off_hours_floor: int = 5
    work_start_hour: int = 7
    work_end_hour: int = 20
    tz: str = "UTC"


@dataclass
class Baseline:
    mean: float = 0.0
    var: float = 0.0
    n: int = 0

    def update(self, value: float, alpha: float) -> None:
        # Plain running mean and variance until there are 1/alpha windows (an EWMA that
        # starts from one value underestimates the spread for a long time), then EWMA.
        self.n += 1
        diff = value - self.mean
        if self.n <= 1 / alpha:
            self.mean += diff / self.n
            self.var += (diff * (value - self.mean) - self.var) / self.n
        else:
            self.mean += alpha * diff
            self.var = (1 - alpha) * (self.var + alpha * diff * diff)

    @property
    def std(self) -> float:
        return math.sqrt(max(self.var, 0.0))


def _actor(entry: Any) -> str:
    key = entry.details.get("key_id") if isinstance(entry.details, dict) else None
    if key:
        return f"key:{key}"
    return f"{entry.actor_kind}:{entry.actor}"


def _ts(entry: Any) -> datetime:
    return datetime.fromisoformat(str(entry.ts).replace("Z", "+00:00"))


@dataclass
class _Window:
    start: datetime
    reads: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    exports: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    guard: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    blocks: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    auth: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    chain_failures: int = 0

    def add(self, entry: Any) -> None:
        actor = _actor(entry)
        details = entry.details if isinstance(entry.details, dict) else {}
        if entry.action in READ_ACTIONS and entry.subject:
            self.reads[actor].add(entry.subject)
        if entry.action in EXPORT_ACTIONS and entry.actor_kind != "assistant":
            self.exports[actor] += 1
        if entry.action == GUARD_BLOCK_ACTION:
            self.blocks[actor] += 1
        elif entry.action == "gateway.turn":
            withheld = details.get("withheld", 0)
            signals = [s for s in str(details.get("signals", "")).split(",") if s]
            self.guard[actor] += (1 if isinstance(withheld, int) and withheld > 0 else 0) + len(
                signals
            )
        if entry.action == AUTH_FAILURE_ACTION:
            count = details.get("count", 1)
            self.auth[str(details.get("address", "addr:unknown"))] += (
                int(count) if isinstance(count, int) else 1
            )
        if entry.action == "audit.verify" and entry.outcome != "ok":
            self.chain_failures += 1

    def counts(self) -> dict[str, dict[str, float]]:
        return {
            "subject_reads": {a: float(len(s)) for a, s in self.reads.items()},
            "exports": {a: float(n) for a, n in self.exports.items()},
            "guard_events": {a: float(n) for a, n in self.guard.items() if n},
        }


class AnomalyDetector:
    """Reads the audit log since its last run, raises alerts, updates baselines."""

    def __init__(
        self,
        db: Database,
        *,
        tenant: str,
        config: AnomalyConfig | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self._db = db
        self.tenant = tenant
        self.config = config or AnomalyConfig()
        self._clock = clock
        self.alerts = AlertStore(db, tenant=tenant, clock=clock)
        self.baselines: dict[str, Baseline] = {}
        self.done_until: datetime | None = None
        self._load()

    # -- state ---------------------------------------------------------------------------

    def _mine(self) -> ColumnElement[bool]:
        """This tenant's row of the detector's state."""
        return and_(_STATE.c.tenant == self.tenant, _STATE.c.name == STATE_NAME)

    def _load(self) -> None:
        with self._db.read() as conn:
            value = conn.execute(select(_STATE.c.value).where(self._mine())).scalar_one_or_none()
        if value is None:
            return
        state = json.loads(value)
        self.done_until = (
            datetime.fromisoformat(state["done_until"]) if state["done_until"] else None
        )
        self.baselines = {k: Baseline(*v) for k, v in state["baselines"].items()}

    def _save(self) -> None:
        value = json.dumps(
            {
                "done_until": self.done_until.isoformat() if self.done_until else None,
                "baselines": {k: [b.mean, b.var, b.n] for k, b in self.baselines.items()},
            }
        )
        now = now_from(self._clock)
        with self._db.begin() as conn:
            exists = conn.execute(select(_STATE.c.name).where(self._mine())).first()
            if exists is None:
                conn.execute(
                    _STATE.insert(),
                    {"tenant": self.tenant, "name": STATE_NAME, "value": value, "updated_at": now},
                )
            else:
                conn.execute(
                    _STATE.update().where(self._mine()).values(value=value, updated_at=now)
                )

    # -- detection -----------------------------------------------------------------------

    def _window_start(self, moment: datetime) -> datetime:
        size = int(self.config.window.total_seconds())
        epoch = int(as_utc(moment).timestamp())
        return datetime.fromtimestamp(epoch - epoch % size, tz=as_utc(moment).tzinfo)

    def _hour(self, start: datetime) -> int:
        return start.astimezone(ZoneInfo(self.config.tz)).hour

    def _judge(self, rule: SignalRule, base: Baseline | None) -> tuple[float, float, float] | None:
        if base is None or base.n < self.config.warmup:
            return None
        # Counts vary at least like a Poisson count (std = sqrt(mean)).
        std = max(base.std, rule.min_std, math.sqrt(max(base.mean, 0.0)))
        return max(rule.floor, base.mean + rule.z * std), base.mean, std

    def threshold(
        self, signal: str, actor: str, start: datetime | None = None
    ) -> tuple[float, float, float]:
        """(threshold, baseline mean, std used) for `actor` on `signal` in the window
        starting at `start`: the actor's baseline for that hour of the day once it has
        `warmup` windows, else the larger of its all-day baseline and the cold floor."""
        rule = self.config.rules[signal]
        cold = (rule.floor * self.config.cold_factor, 0.0, 0.0)
        if start is not None:
            hourly = self._judge(rule, self.baselines.get(f"{signal}|{actor}|h{self._hour(start)}"))
            if hourly is not None:
                return hourly
        overall = self._judge(rule, self.baselines.get(f"{signal}|{actor}"))
        if overall is None:
            return cold
        if start is None:
            return overall
        return max(overall[0], cold[0]), overall[1], overall[2]

    def process(self, entries: Iterable[Any], *, now: datetime | None = None) -> list[Alert]:
        """Feed audit entries (in order, at or after `done_until`); returns new alerts."""
        moment = as_utc(now) if now is not None else now_from(self._clock)
        windows: dict[datetime, _Window] = {}
        for entry in entries:
            start = self._window_start(_ts(entry))
            if self.done_until is not None and start < self.done_until:
                continue  # already counted into the baselines
            windows.setdefault(start, _Window(start)).add(entry)
        raised: list[Alert] = []
        for start in sorted(windows):
            end = start + self.config.window
            raised.extend(self._evaluate(windows[start], end, complete=end <= moment))
        # Every window before the current one is complete: the next run starts there.
        current = self._window_start(moment)
        if self.done_until is None or self.done_until < current:
            self.done_until = current
        self._save()
        return raised

    def _evaluate(self, window: _Window, end: datetime, complete: bool) -> list[Alert]:
        raised: list[Alert] = []
        for signal, per_actor in window.counts().items():
            rule = self.config.rules[signal]
            for actor, value in per_actor.items():
                limit, mean, std = self.threshold(signal, actor, window.start)
                if value >= rule.floor and value > limit:
                    score = (value - mean) / std if std else value / max(rule.floor, 1)
                    reason = (
                        f"{value:g} {rule.what} in {self._minutes()} min; usual "
                        f"{mean:.1f} ± {std:.1f}, raises above {limit:.1f}"
                    )
                    raised.extend(
                        self._raise(
                            signal,
                            actor,
                            rule.severity,
                            window.start,
                            end,
                            value,
                            mean,
                            score,
                            reason,
                        )
                    )
                if complete:
                    hour = self._hour(window.start)
                    for key in (f"{signal}|{actor}", f"{signal}|{actor}|h{hour}"):
                        self.baselines.setdefault(key, Baseline()).update(value, self.config.alpha)
        # Signals with a fixed floor rather than a baseline: (signal, severity, counts per
        # actor or address, floor, whether it applies to this window, why, for a count).
        config = self.config
        floors: tuple[tuple[str, str, dict[str, int], int, bool, Callable[[int], str]], ...] = (
            (
                "exports_off_hours",
                "medium",
                window.exports,
                config.off_hours_floor,
                self._off_hours(window.start),
                lambda n: (
                    f"{n} subject reads/exports outside working hours "
                    f"({config.work_start_hour}:00-{config.work_end_hour}:00 "
                    f"{config.tz}, weekdays)"
                ),
            ),
            (
                "guard_blocks",
                "critical",
                window.blocks,
                config.guard_block_floor,
                True,
                lambda n: (
                    f"{n} answers blocked as cross-subject leaks in {self._minutes()} "
                    f"min (threshold {config.guard_block_floor}): the model may be leaking"
                ),
            ),
            (
                "auth_failures",
                "medium",
                window.auth,
                config.auth_failure_floor,
                True,
                lambda n: (
                    f"{n} refused requests (401/403) from one address in "
                    f"{self._minutes()} min (threshold {config.auth_failure_floor})"
                ),
            ),
        )
        for signal, severity, counts, floor, applies, why in floors:
            for actor, count in counts.items() if applies else ():
                if count >= floor:
                    raised.extend(
                        self._raise(
                            signal, actor, severity, window.start, end, count, 0, count, why(count)
                        )
                    )
        return raised

    def _minutes(self) -> int:
        return int(self.config.window.total_seconds() // 60)

    def _off_hours(self, start: datetime) -> bool:
        local = start.astimezone(ZoneInfo(self.config.tz))
        return (
            local.weekday() >= 5
            or local.hour < self.config.work_start_hour
            or local.hour >= self.config.work_end_hour
        )

    def _raise(
        self,
        signal: str,
        actor: str,
        severity: str,
        start: datetime,
        end: datetime,
        value: float,
        baseline: float,
        score: float,
        reason: str,
    ) -> list[Alert]:
        # One episode, one alert: while an alert for the same signal and actor raised in
        # the hour before is unacknowledged, a continuing burst raises nothing new.
        if self.alerts.ongoing(signal, actor, since=start - timedelta(hours=1)):
            return []
        alert = self.alerts.raise_alert(
            Alert(signal, actor, severity, start, end, float(value), baseline, float(score), reason)
        )
        return [alert] if alert is not None else []

    # -- whole-system checks ---------------------------------------------------------------

    def check_chain(self, ok: bool, reason: str | None) -> list[Alert]:
        if ok:
            return []
        now = now_from(self._clock)
        start = self._window_start(now)
        return self._raise(
            "audit_chain",
            "system",
            "critical",
            start,
            start + self.config.window,
            1,
            0,
            1,
            f"audit chain verification failed: {reason or 'unknown reason'}",
        )

    def check_incidents(self) -> list[Alert]:
        from discreet.ops.incidents import IncidentRegister

        register = IncidentRegister(self._db, tenant=self.tenant, clock=self._clock)
        now = now_from(self._clock)
        raised: list[Alert] = []
        for incident in register.overdue(now):
            status = incident.clock(now)
            raised += self._raise(
                "incident_overdue",
                incident.id,
                "critical",
                status.deadline,
                status.deadline,
                -status.remaining.total_seconds() / 3600,
                72,
                1,
                f"incident {incident.id} is past the 72-hour deadline for notifying the "
                "authority (GDPR art. 33)",
            )
        return raised

    def run(self, *, verify_chain: bool = True) -> list[Alert]:
        """One incremental pass: new audit records, the chain, overdue incidents."""
        from discreet.audit.log import AuditLog

        log = AuditLog(self._db)
        since = self.done_until
        raised = self.process(log.entries(since=since))
        if verify_chain:
            result = log.verify()
            raised += self.check_chain(result.ok, result.reason)
        raised += self.check_incidents()
        return raised
