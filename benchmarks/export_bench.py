"""Training-export throughput: rows (conversations) per second for 1 and 2 local worker
processes and for a local Ray instance of 2 workers, on generated conversations.

    .venv/bin/python benchmarks/export_bench.py --conversations 5000

Conversations are written through the gateway's own stores (ConversationStates with
its transcript) into a fresh SQLite data store, each with a consent for model_training;
the detector runs with patterns only (``ner: none``) unless ``--ner`` is given.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from discreet.audit import AccessContext, ActorKind, LegalBasis
from discreet.audit.log import AuditLog
from discreet.consent.records import ConsentRegistry
from discreet.export.config import ExportConfig
from discreet.export.training import TrainingRequest, run_training
from discreet.conversations.states import ConversationStates, TurnUpdate
from discreet.store import DATA, Database, upgrade

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


def seed(db: Database, n: int) -> None:
    states = ConversationStates(db, AuditLog(db), "default")
    consents = ConsentRegistry(db)
    rng = random.Random(7)
    for i in range(n):
        subject = f"subj-{i:07d}"
        turns = tuple(
            pair
            for _ in range(rng.randint(1, 3))
            for pair in (("user", rng.choice(USER)), ("assistant", rng.choice(ANSWER)))
        )
        states.record_turn(TurnUpdate(f"conv-{i:07d}", "support", subject, None, turns), [])
        consents.grant(subject, "model_training", notice_version="v1", channel="web", ctx=CTX)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=5000)
    parser.add_argument("--ner", action="store_true")
    parser.add_argument("--skip-ray", action="store_true")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="export-bench-"))
    db = Database(f"sqlite:///{home / 'data.db'}", name="data store")
    upgrade(db, DATA)
    started = time.perf_counter()
    seed(db, args.conversations)
    print(f"seeded {args.conversations} conversations in {time.perf_counter() - started:.1f} s")
    now = datetime.now(UTC)
    detector = {} if args.ner else {"ner": {"backend": "none"}}
    config = ExportConfig.model_validate({"k": 5, "partition_size": 250, "detector": detector})
    runs: list[tuple[str, str, int]] = [("local", "local", 1), ("local", "local", 2)]
    if not args.skip_ray:
        runs.append(("ray", "ray", 2))
    base = None
    for label, engine, workers in runs:
        out = home / f"out-{label}-{workers}"
        request = TrainingRequest(
            "default", now - timedelta(days=1), now + timedelta(days=1), out, config=config
        )
        t0 = time.perf_counter()
        result = run_training(db, request, ctx=CTX, engine=engine, workers=workers)  # type: ignore[arg-type]
        seconds = time.perf_counter() - t0
        rows = int(result.card["conversations"])
        rate = rows / seconds
        base = base or rate
        print(
            f"{label:5s} workers={workers}: {rows} rows in {seconds:.1f} s = {rate:.0f} rows/s, "
            f"{rate / base:.2f}x of 1 worker, per-worker efficiency {rate / base / workers:.0%}"
        )
    print(f"cpu count {os.cpu_count()}")


if __name__ == "__main__":
    main()
