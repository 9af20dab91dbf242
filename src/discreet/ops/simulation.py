"""A seeded simulation of a support team's traffic with injected abuse, to measure the
anomaly signals: how soon each attack is raised and how many false alerts a normal day
brings. Used by ``benchmarks/bench_anomaly.py`` and by the tests (shorter).

Normal traffic: three assistant keys serving customers with a working-day curve (busy
08:00-20:00, quiet at night, about half on weekends), each turn touching one customer.
The two support keys hold conversations (most turns continue one, so distinct customers
per window are fewer than turns); the billing key is three times as busy and mostly
writes to a new customer each turn (payment reminders), so what is normal differs by key
-- the point of per-key baselines. Now and then a prompt-injection signal or a withheld
value; rarely a guard block; two console users reading a few customers during office
hours; a few 401s a day from scattered addresses.

Injected on the last day (times from that day's midnight, UTC):

* ``stolen_key``: at 14:03 one support key sweeps 500 customers in 25 minutes while
  its normal traffic goes on;
* ``slow_sweep``: at 10:00 the other support key reads 7 new customers a minute for an
  hour (420 in all): below what the busy billing key does every day;
* ``leaking_model``: from 16:00 the billing key's answers start carrying other
  customers' values: one guard block every 2 minutes for an hour;
* ``credential_stuffing``: at 03:10 one address is refused 120 times in 6 minutes;
* ``night_export``: at 02:20 a console user reads 40 customers one by one.

The detector runs every ``interval`` minutes (as from cron) on the records so far.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from discreet.ops.anomaly import AnomalyConfig, AnomalyDetector
from discreet.store.db import Database

START = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday
ATTACKS = {
    "night_export": (timedelta(hours=2, minutes=20), "user:mallory"),
    "credential_stuffing": (timedelta(hours=3, minutes=10), "addr:attacker"),
    "slow_sweep": (timedelta(hours=10), "key:k-support-2"),
    "stolen_key": (timedelta(hours=14, minutes=3), "key:k-support-1"),
    "leaking_model": (timedelta(hours=16), "key:k-billing"),
}


@dataclass
class SimEntry:
    ts: str
    action: str
    actor: str
    actor_kind: str = "assistant"
    subject: str | None = None
    outcome: str = "ok"
    details: dict[str, Any] = field(default_factory=dict)
    at: datetime = START


def _entry(at: datetime, action: str, actor: str, **kw: Any) -> SimEntry:
    return SimEntry(at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), action, actor, at=at, **kw)


def _rate(moment: datetime) -> float:
    """Turns per minute per key at `moment` (a working-day curve)."""
    hour = moment.hour + moment.minute / 60
    busy = 3.0 if 8 <= hour < 20 else (0.8 if 7 <= hour < 22 else 0.1)
    return busy * (0.5 if moment.weekday() >= 5 else 1.0)


def normal_traffic(rng: random.Random, days: int, customers: int = 20_000) -> Iterator[SimEntry]:
    # (busyness, share of turns continuing an open conversation)
    keys = {"k-support-1": (1.0, 0.6), "k-support-2": (1.0, 0.6), "k-billing": (3.0, 0.2)}
    minute = timedelta(minutes=1)
    open_conversations: dict[str, list[str]] = {k: [] for k in keys}
    for m in range(days * 24 * 60):
        now = START + m * minute
        for key, (busy, continuing) in keys.items():
            for _ in range(_poisson(rng, busy * _rate(now))):
                convs = open_conversations[key]
                if convs and rng.random() < continuing:
                    subject = rng.choice(convs)
                else:
                    subject = f"s{rng.randrange(customers)}"
                    convs.append(subject)
                    del convs[:-8]
                details: dict[str, Any] = {"key_id": key}
                if rng.random() < 0.004:
                    details["signals"] = "prompt_injection"
                if rng.random() < 0.002:
                    details["withheld"] = 1
                at = now + timedelta(seconds=rng.randrange(60))
                yield _entry(at, "gateway.turn", "assistant", subject=subject, details=details)
                if rng.random() < 0.0003:
                    yield _entry(
                        at, "incident.cross_subject_leak", "assistant", details={"key_id": key}
                    )
        if now.weekday() < 5 and 9 <= now.hour < 17:
            for user in ("alice", "bob"):
                if rng.random() < 0.1:
                    yield _entry(
                        now,
                        "subject.read",
                        user,
                        actor_kind="user",
                        subject=f"s{rng.randrange(customers)}",
                    )
        if rng.random() < 3 / 1440:
            yield _entry(
                now,
                "auth.failures",
                "discreet-gateway",
                actor_kind="system",
                details={"address": f"addr:{rng.randrange(10**6):06x}", "count": rng.randint(1, 3)},
            )


def attacks(day: datetime, rng: random.Random) -> Iterator[SimEntry]:
    start, _ = ATTACKS["stolen_key"]
    for i in range(500):
        yield _entry(
            day + start + timedelta(seconds=3 * i),
            "gateway.turn",
            "assistant",
            subject=f"victim{i}",
            details={"key_id": "k-support-1"},
        )
    start, _ = ATTACKS["slow_sweep"]
    for i in range(420):
        yield _entry(
            day + start + timedelta(seconds=60 * i / 7),
            "gateway.turn",
            "assistant",
            subject=f"slow{i}",
            details={"key_id": "k-support-2"},
        )
    start, _ = ATTACKS["leaking_model"]
    for i in range(30):
        yield _entry(
            day + start + timedelta(minutes=2 * i),
            "incident.cross_subject_leak",
            "assistant",
            details={"key_id": "k-billing"},
        )
    start, _ = ATTACKS["credential_stuffing"]
    for i in range(6):
        yield _entry(
            day + start + timedelta(minutes=i, seconds=59),
            "auth.failures",
            "discreet-gateway",
            actor_kind="system",
            details={"address": "addr:attacker", "count": 20},
        )
    start, _ = ATTACKS["night_export"]
    for i in range(40):
        yield _entry(
            day + start + timedelta(seconds=20 * i),
            "subject.read",
            "mallory",
            actor_kind="user",
            subject=f"s{rng.randrange(20_000)}",
        )


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method; lam is small here.
    limit, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


@dataclass(frozen=True)
class SimulationResult:
    normal_days: int
    entries: int
    false_alerts: int
    false_alerts_by_signal: dict[str, int]
    time_to_raise: dict[str, float | None]
    """Minutes from each attack's start to its first alert (None: never raised)."""

    @property
    def false_alerts_per_day(self) -> float:
        return self.false_alerts / self.normal_days


def simulate(
    db: Database,
    *,
    seed: int = 7,
    normal_days: int = 7,
    interval_minutes: int = 2,
    config: AnomalyConfig | None = None,
    tenant: str = "sim",
) -> SimulationResult:
    """Run the detector over `normal_days` of normal traffic and one more day with the
    attacks, every `interval_minutes`; `db` must be a migrated data store."""
    rng = random.Random(seed)
    attack_day = START + timedelta(days=normal_days)
    traffic = list(normal_traffic(rng, normal_days + 1))
    traffic += list(attacks(attack_day, rng))
    traffic.sort(key=lambda e: e.at)
    detector = AnomalyDetector(db, tenant=tenant, config=config or AnomalyConfig())
    step = timedelta(minutes=interval_minutes)
    raised: list[Any] = []
    pointer = 0
    now = START + step
    end = attack_day + timedelta(days=1)
    while now <= end:
        # Entries before `now` not yet counted into a finished window.
        floor = detector.done_until or START
        while pointer < len(traffic) and traffic[pointer].at < floor:
            pointer += 1
        batch: list[SimEntry] = []
        i = pointer
        while i < len(traffic) and traffic[i].at < now:
            batch.append(traffic[i])
            i += 1
        for alert in detector.process(batch, now=now):
            raised.append((now, alert))
        now += step
    attackers = {actor: name for name, (_, actor) in ATTACKS.items()}
    first: dict[str, float | None] = dict.fromkeys(ATTACKS)
    false_by_signal: dict[str, int] = {}
    false_alerts = 0
    for when, alert in raised:
        name = attackers.get(alert.actor) if when >= attack_day else None
        if name is not None and when >= attack_day + ATTACKS[name][0]:
            minutes = (when - (attack_day + ATTACKS[name][0])).total_seconds() / 60
            if first[name] is None:
                first[name] = minutes
        elif when < attack_day:
            false_alerts += 1
            false_by_signal[alert.signal] = false_by_signal.get(alert.signal, 0) + 1
    return SimulationResult(normal_days, len(traffic), false_alerts, false_by_signal, first)
