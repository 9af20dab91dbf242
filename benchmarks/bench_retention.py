"""A retention run over 100,000 stored messages, on SQLite and PostgreSQL.

Setup (not timed): ``--messages`` pseudonymised transcript messages spread over
conversations of 10 messages, ``--due`` percent of them older than the 90-day message
retention; ``--closed`` of those conversations closed with a token map each (under their
own key, so closing shreds a key); ``--holds`` conversation legal holds. Then it times a
dry run (counting only) and the real run (batches of 5,000, one audit record each), and
checks the audit chain afterwards. Markdown table with machine and date.

    .venv/bin/python benchmarks/bench_retention.py
    .venv/bin/python benchmarks/bench_retention.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import machine, postgres_settings, sqlite_settings

from discreet.audit import AccessContext, LegalBasis
from discreet.audit.log import AuditLog
from discreet.conversations.states import ConversationStates, TurnUpdate
from discreet.policy import BUILTIN_SOURCE, builtin_policy_text, parse_policy
from discreet.rights.erasure import ErasureJobRecords
from discreet.rights.holds import set_hold
from discreet.settings import Settings
from discreet.store.models import table_of
from discreet.store.retention_models import ConversationMessage
from discreet.vault import MasterKey, open_vault
from discreet.wiring import open_retention

CTX = AccessContext(actor="bench", purpose="benchmark", legal_basis=LegalBasis.LEGAL_OBLIGATION)
PER_CONVERSATION = 10


def setup(settings: Settings, key: MasterKey, args: argparse.Namespace) -> None:
    vault = open_vault(settings, master_key=key, migrate=True)
    db = vault.audit_log.db
    now = datetime.now(UTC)
    table = table_of(ConversationMessage)
    conversations = args.messages // PER_CONVERSATION
    due_conversations = conversations * args.due // 100
    rows = []
    for c in range(conversations):
        at = now - timedelta(days=120 if c < due_conversations else 10)
        rows.extend(
            {
                "tenant": "default",
                "conversation_id": f"conv-{c}",
                "subject_id": None,
                "seq": seq,
                "role": "user" if seq % 2 else "assistant",
                "text": f"My order [ORDER_ID_1] for [PERSON_1] message {seq}",
                "created_at": at + timedelta(seconds=seq),
            }
            for seq in range(1, PER_CONVERSATION + 1)
        )
    with db.begin() as conn:
        for start in range(0, len(rows), 10_000):
            conn.execute(table.insert(), rows[start : start + 10_000])
    states = ConversationStates(db, vault.audit_log, "default")
    erasures = ErasureJobRecords(db)
    for c in range(args.closed):
        vault.save_token_map(f"conv-{c}", {"[PERSON_1]": "Jan Jansen"}, ctx=CTX)
        states.record_turn(TurnUpdate(f"conv-{c}", "support", None), [], erasures=erasures)
    for c in range(args.holds):
        set_hold(
            db, tenant="default", reason="benchmark hold", ctx=CTX, conversation_id=f"conv-{c}"
        )
    vault.close()


def measure(settings: Settings, args: argparse.Namespace) -> dict[str, str]:
    key = MasterKey.generate()
    settings = Settings(**{**settings.model_dump(), "master_key": key.to_base64()})
    setup(settings, key, args)
    text = builtin_policy_text()
    policy = parse_policy(
        text.replace("  - record: token_maps\n    days: 90\n", ""), BUILTIN_SOURCE
    )
    # The conversations went idle "an hour ago": the clock runs ahead so idle closing and
    # token-map shredding are part of the run.
    retention = open_retention(
        policy, settings, master_key=key, clock=lambda: datetime.now(UTC) + timedelta(hours=1)
    )
    start = time.perf_counter()
    dry = retention.runner.run(dry_run=True)
    dry_s = time.perf_counter() - start
    start = time.perf_counter()
    real = retention.runner.run()
    real_s = time.perf_counter() - start
    verified = AuditLog(retention.data).verify()
    retention.close()
    messages = real.count("conversation_messages")
    assert dry.count("conversation_messages").deleted == messages.deleted
    return {
        "messages": f"{args.messages:,}",
        "deleted": f"{messages.deleted:,}",
        "held": f"{messages.held:,}",
        "closed + token maps shredded": f"{real.count('idle_conversations').deleted:,}",
        "dry run": f"{dry_s:.2f} s",
        "run": f"{real_s:.2f} s",
        "messages deleted/s": f"{messages.deleted / real_s:,.0f}",
        "audit verify": "ok" if verified.ok else f"FAILED: {verified.reason}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=80, help="percent past retention")
    parser.add_argument("--closed", type=int, default=500)
    parser.add_argument("--holds", type=int, default=20)
    parser.add_argument("--postgres", default=os.environ.get("DISCREET_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    results: list[tuple[str, dict[str, str]]] = []
    with sqlite_settings() as settings:
        results.append(("SQLite (WAL)", measure(settings, args)))
    if args.postgres:
        with postgres_settings(args.postgres) as settings:
            results.append(("PostgreSQL", measure(settings, args)))
    print(f"Machine: {machine()}  ")
    print(f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  ")
    print("Command: `.venv/bin/python benchmarks/bench_retention.py`\n")
    columns = list(results[0][1])
    print("| backend | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for backend, row in results:
        print(f"| {backend} | " + " | ".join(row[c] for c in columns) + " |")


if __name__ == "__main__":
    main()
