"""Anomaly detection on a seeded week of normal traffic plus a day with injected abuse,
discreet's per-actor baselines side by side with static thresholds (the peer: the same
floors, no baselines, as a hand-set alerting rule would be).

    .venv/bin/python benchmarks/bench_anomaly.py --seeds 5

Prints, per seed and detector, minutes from each attack's start to its first alert and
the false alerts per normal day (see discreet.ops.simulation for traffic and attacks).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from discreet.evaluation.bench import machine_info
from discreet.ops.anomaly import AnomalyConfig, SignalRule
from discreet.ops.simulation import ATTACKS, SimulationResult, simulate
from discreet.store import DATA, Database, upgrade

_STATIC = dict(warmup=10**9, cold_factor=1.0)  # never learns: thresholds = floors
DETECTORS = {
    "baselines": AnomalyConfig(),
    # The peer, a hand-set rule: fixed thresholds at the same floors...
    "static, floors": AnomalyConfig(**_STATIC),  # type: ignore[arg-type]
    # ...or raised above the busiest key's normal day, as one would after the false alerts.
    "static, above busiest": AnomalyConfig(
        **_STATIC,  # type: ignore[arg-type]
        rules={
            **AnomalyConfig().rules,
            "subject_reads": SignalRule(100, what="distinct subjects touched"),
        },
    ),
}


def run(
    seed: int, days: int, interval: int, config: AnomalyConfig
) -> tuple[SimulationResult, float]:
    with tempfile.TemporaryDirectory(prefix="discreet-bench-") as home:
        db = Database(f"sqlite:///{Path(home) / 'discreet.db'}", name="data store")
        upgrade(db, DATA)
        started = time.perf_counter()
        result = simulate(db, seed=seed, normal_days=days, interval_minutes=interval, config=config)
        elapsed = time.perf_counter() - started
        db.dispose()
    return result, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--days", type=int, default=7, help="normal days before the attacks")
    parser.add_argument("--interval", type=int, default=2, help="minutes between checks")
    args = parser.parse_args()
    print(machine_info())
    names = list(ATTACKS)
    print(
        "| seed | detector | audit records | "
        + " | ".join(names)
        + " | false alerts / normal day | run time |"
    )
    print("|---" * (len(names) + 5) + "|")
    summary: dict[str, list[SimulationResult]] = {d: [] for d in DETECTORS}
    for seed in range(1, args.seeds + 1):
        for detector, config in DETECTORS.items():
            result, elapsed = run(seed, args.days, args.interval, config)
            summary[detector].append(result)
            cells = [
                "not raised"
                if result.time_to_raise[n] is None
                else f"{result.time_to_raise[n]:.0f} min"
                for n in names
            ]
            by_signal = (
                " (" + ", ".join(f"{k} {v}" for k, v in result.false_alerts_by_signal.items()) + ")"
                if result.false_alerts_by_signal
                else ""
            )
            print(
                f"| {seed} | {detector} | {result.entries:,} | "
                + " | ".join(cells)
                + f" | {result.false_alerts_per_day:.2f}{by_signal} | {elapsed:.1f} s |"
            )
    print()
    for detector, results in summary.items():
        worst = {
            n: max(
                (r.time_to_raise[n] if r.time_to_raise[n] is not None else float("inf"))
                for r in results
            )
            for n in names
        }
        false = [r.false_alerts_per_day for r in results]
        print(
            f"{detector}: worst time to raise "
            + ", ".join(f"{n} {v:.0f} min" for n, v in worst.items())
            + f"; false alerts per normal day mean {statistics.mean(false):.2f}, "
            f"max {max(false):.2f}"
        )


if __name__ == "__main__":
    main()
