"""Anomaly detection on a seeded week of normal traffic plus a day with injected abuse.

    .venv/bin/python benchmarks/bench_anomaly.py --seeds 5

Prints, per seed, minutes from each attack's start to its first alert and the false
alerts per normal day (see discreet.ops.simulation for the traffic and the attacks).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from discreet.ops.simulation import ATTACKS, simulate
from discreet.store import DATA, Database, upgrade


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--days", type=int, default=7, help="normal days before the attacks")
    parser.add_argument("--interval", type=int, default=2, help="minutes between checks")
    args = parser.parse_args()
    rows = []
    for seed in range(1, args.seeds + 1):
        with tempfile.TemporaryDirectory(prefix="discreet-bench-") as home:
            db = Database(f"sqlite:///{Path(home) / 'discreet.db'}", name="data store")
            upgrade(db, DATA)
            started = time.perf_counter()
            result = simulate(db, seed=seed, normal_days=args.days, interval_minutes=args.interval)
            elapsed = time.perf_counter() - started
            db.dispose()
        rows.append((seed, result, elapsed))
    names = list(ATTACKS)
    print(
        "| seed | audit records | "
        + " | ".join(names)
        + " | false alerts / normal day | run time |"
    )
    print("|---" * (len(names) + 4) + "|")
    for seed, result, elapsed in rows:
        cells = [
            "not raised"
            if result.time_to_raise[n] is None
            else f"{result.time_to_raise[n]:.0f} min"
            for n in names
        ]
        print(
            f"| {seed} | {result.entries:,} | "
            + " | ".join(cells)
            + f" | {result.false_alerts_per_day:.2f} {result.false_alerts_by_signal or ''} | {elapsed:.1f} s |"
        )
    worst = {n: max((r.time_to_raise[n] or float("inf")) for _, r, _ in rows) for n in names}
    print()
    print("worst time to raise: " + ", ".join(f"{n} {v:.0f} min" for n, v in worst.items()))
    print(
        "false alerts per normal day: mean "
        f"{statistics.mean(r.false_alerts_per_day for _, r, _ in rows):.2f}, max "
        f"{max(r.false_alerts_per_day for _, r, _ in rows):.2f}"
    )


if __name__ == "__main__":
    main()
