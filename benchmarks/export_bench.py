"""Training-export throughput: rows (conversations) per second for 1 and 2 local worker
processes and for a local Ray cluster of 2 workers, on generated conversations.

    PYTHONPATH=src .venv/bin/python benchmarks/export_bench.py --conversations 100000 --rounds 3

Customers are imported into a fresh SQLite vault (benchmarks/bench_vault.py's records),
and their conversations written through the gateway's own stores (ConversationStates
with its transcript), each customer with a consent for model_training;
the detector runs with patterns only (``ner: none``) unless ``--ner`` is given.

The three engines run interleaved, ``--rounds`` times, each round in another order
(1-2-R, 2-R-1, R-1-2, ...), so a change of the machine's load during the run falls on
all of them alike; speed-ups are the median over rounds of the ratio to the 1-worker
run of the same round. The Ray cluster (2 CPUs, started once like a cluster that is
already up) is timed apart from the exports; a run with ``--address`` or a fresh
``ray.init`` per command would pay it again. Every run is the whole command: plan
(consent filter, language, k-anonymity, stored plan) plus anonymisation plus writing.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench_vault import make_records
from common import machine, machine_speed
from sqlalchemy import select

from discreet.audit import AccessContext, ActorKind, LegalBasis
from discreet.audit.log import AuditLog
from discreet.consent.records import ConsentRegistry
from discreet.conversations.states import ConversationStates, TurnUpdate
from discreet.export.config import ExportConfig
from discreet.export.training import TrainingRequest, run_training
from discreet.rights.erasure import ErasureJobRecords
from discreet.settings import Settings
from discreet.store import Database
from discreet.store.models import Subject, table_of
from discreet.vault import MasterKey, open_vault, upgrade_databases

CTX = AccessContext("bench", "model_training", LegalBasis.CONSENT, ActorKind.USER)
USER = [
    "Hi, I am [PERSON_1] and my order [ORDER_ID_1] has not arrived, call me on [PHONE_NUMBER_1]",
    "Can you refund to [IBAN_1]? My email is still [EMAIL_ADDRESS_1].",
    "I moved to [STREET_ADDRESS_1], [POSTAL_CODE_1] [LOCATION_1], please update it.",
    "Where is my parcel? It was due last week and nobody answers the phone.",
]
ANSWER = [
    "Thank you [PERSON_1], I am sorry about the delay of [ORDER_ID_1].",
    "I have started the refund; it reaches your account in three to five days.",
    "Your address is updated. Anything else I can help with?",
]
ENGINES = (("local processes", "local", 1), ("local processes", "local", 2), ("Ray Data", "ray", 2))


def seed(home: Path, n: int) -> Database:
    settings = Settings(home=home)
    upgrade_databases(settings)
    vault = open_vault(settings, master_key=MasterKey.generate())
    vault.import_subjects(make_records(n), ctx=CTX)
    vault.close()  # the export never opens the vault; the audit chain key stays registered
    db = Database(settings.data_url, name="data store")
    with db.read() as conn:
        subjects = list(conn.execute(select(table_of(Subject).c.id)).scalars())
    states = ConversationStates(db, AuditLog(db), "default")
    erasures = ErasureJobRecords(db)
    consents = ConsentRegistry(db)
    rng = random.Random(7)
    for i, subject in enumerate(subjects):
        turns = tuple(
            pair
            for _ in range(rng.randint(1, 3))
            for pair in (("user", rng.choice(USER)), ("assistant", rng.choice(ANSWER)))
        )
        turn = TurnUpdate(f"conv-{i:07d}", "support", subject, None, turns)
        states.record_turn(turn, [], erasures=erasures)
        consents.grant(subject, "model_training", notice_version="v1", channel="web", ctx=CTX)
    return db


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--partition-size", type=int, default=250)
    parser.add_argument("--ner", action="store_true", help="with the NER model (slower)")
    parser.add_argument("--skip-ray", action="store_true")
    args = parser.parse_args()
    engines = [e for e in ENGINES if not (args.skip_ray and e[1] == "ray")]
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {machine()}; {machine_speed()}")
    print(f"load average (1/5/15 min) at start: {load()}")
    home = Path(tempfile.mkdtemp(prefix="export-bench-"))
    try:
        started = time.perf_counter()
        db = seed(home, args.conversations)
        print(f"seeded {args.conversations} conversations in {time.perf_counter() - started:.0f} s")
        if not args.skip_ray:
            import ray

            started = time.perf_counter()
            ray.init(
                num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR"
            )
            ray.data.DataContext.get_current().enable_progress_bars = False
            print(f"local Ray cluster of 2 CPUs started in {time.perf_counter() - started:.1f} s")
        now = datetime.now(UTC)
        detector = {} if args.ner else {"ner": {"backend": "none"}}
        config = ExportConfig.model_validate(
            {"k": 5, "partition_size": args.partition_size, "detector": detector}
        )
        rates: dict[int, list[float]] = {i: [] for i in range(len(engines))}
        for round_no in range(args.rounds):
            order = [(round_no + j) % len(engines) for j in range(len(engines))]
            for index in order:
                label, engine, workers = engines[index]
                out = home / f"out-{round_no}-{index}"
                request = TrainingRequest(
                    "default", now - timedelta(days=1), now + timedelta(days=1), out, config=config
                )
                t0 = time.perf_counter()
                result = run_training(db, request, ctx=CTX, engine=engine, workers=workers)  # type: ignore[arg-type]
                seconds = time.perf_counter() - t0
                rows = int(result.card["conversations"])
                rates[index].append(rows / seconds)
                print(
                    f"round {round_no + 1} {label} x{workers}: {rows} rows in {seconds:.1f} s "
                    f"= {rows / seconds:.0f} rows/s (load {load()})"
                )
                shutil.rmtree(out)
        print(f"load average at end: {load()}")
        print()
        print("| engine | workers | rows/s (median) | min to max | vs 1 worker | per-worker eff. |")
        print("|---|---:|---:|---:|---:|---:|")
        for index, (label, _engine, workers) in enumerate(engines):
            own = rates[index]
            # Paired per round: the 1-worker run of the same round saw the same load.
            speedup = statistics.median(r / b for r, b in zip(own, rates[0], strict=True))
            print(
                f"| {label} | {workers} | {statistics.median(own):.0f} | "
                f"{min(own):.0f} to {max(own):.0f} | {speedup:.2f}x | {speedup / workers:.0%} |"
            )
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
