"""Erasure of one subject with 100 conversations (and its access export), on SQLite and
PostgreSQL.

Each round creates a subject with ``--conversations`` bound conversations (each with a
token map) and a consent history, among ``--background`` other subjects, then times the
full erasure request (``RightsService.execute``: plan, consents, vault crypto-shredding,
job and completion records) and, for another such subject, the access export (zip).
Runs on SQLite (temporary files) and, when a PostgreSQL URL is given (``--postgres`` or
DISCREET_TEST_POSTGRES_URL), in throw-away schemas. Prints a Markdown table with the
machine and date.

    .venv/bin/python benchmarks/bench_governance.py --rounds 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, postgres_settings, sqlite_settings

from discreet.audit import AccessContext, LegalBasis
from discreet.consent import ConsentState
from discreet.rights import RequestKind, RightsService
from discreet.settings import Settings
from discreet.vault import MasterKey, SubjectRecord, Vault, open_vault, upgrade_databases

CTX = AccessContext("bench", "data_subject_request", LegalBasis.LEGAL_OBLIGATION)
FIELDS = {
    "name": "Bench Subject",
    "email": "bench.subject@example.org",
    "phone": "+31 6 12345678",
    "street_address": "Benchstraat 1",
    "postal_code": "1234 AB",
    "city": "Utrecht",
    "iban": "NL91ABNA0417164300",
}


def subject_with_history(vault: Vault, rights: RightsService, ref: str, conversations: int) -> None:
    vault.put_subject(ref, FIELDS, ctx=CTX)
    for number in range(conversations):
        conversation_id = f"bench-{ref}-{number}"
        vault.bind_conversation(conversation_id, ref, ctx=CTX)
        vault.save_token_map(
            conversation_id, {"[PERSON_1]": "Bench Subject", "[EMAIL_1]": "b@example.org"}, ctx=CTX
        )
    for state in (ConsentState.GRANTED, ConsentState.WITHDRAWN, ConsentState.GRANTED):
        rights.consent.record(ref, "analytics", state, notice_version="v1", channel="web", ctx=CTX)


def measure(settings: Settings, rounds: int, conversations: int, background: int) -> dict[str, str]:
    upgrade_databases(settings)
    vault = open_vault(settings, master_key=MasterKey.generate())
    rights = RightsService(vault)
    vault.import_subjects(
        [SubjectRecord(f"BG-{i}", {"email": f"bg{i}@example.org"}) for i in range(background)],
        ctx=CTX,
    )
    erase_ms: list[float] = []
    export_ms: list[float] = []
    for round_ in range(rounds):
        for kind, samples in ((RequestKind.ERASURE, erase_ms), (RequestKind.ACCESS, export_ms)):
            ref = f"R{round_}-{kind.value}"
            subject_with_history(vault, rights, ref, conversations)
            request = rights.submit(ref, kind, channel="bench", ctx=CTX)
            rights.book.verify(request.id, ctx=CTX)
            start = time.perf_counter()
            rights.execute(request.id, ref, ctx=CTX)
            samples.append((time.perf_counter() - start) * 1000)
    entries = sum(1 for _ in vault.audit_log.entries())
    assert vault.audit_log.verify().ok
    vault.close()

    def fmt(samples: list[float]) -> str:
        return f"{statistics.median(samples):,.0f} ms (max {max(samples):,.0f})"

    return {
        "erasure, 100 conversations": fmt(erase_ms),
        "access export (zip)": fmt(export_ms),
        "audit records at the end": f"{entries:,}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--conversations", type=int, default=100)
    parser.add_argument("--background", type=int, default=1000, help="other subjects")
    parser.add_argument("--postgres", default=os.environ.get("DISCREET_TEST_POSTGRES_URL"))
    args = parser.parse_args()

    rows: list[tuple[str, dict[str, str]]] = []
    with sqlite_settings() as settings:
        rows.append(
            ("SQLite (WAL)", measure(settings, args.rounds, args.conversations, args.background))
        )
    if args.postgres:
        with postgres_settings(args.postgres) as settings:
            rows.append(
                ("PostgreSQL", measure(settings, args.rounds, args.conversations, args.background))
            )

    print(f"Machine: {machine()}  ")
    print(f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  ")
    print(
        f"Rounds: {args.rounds}, conversations per subject: {args.conversations}, "
        f"other subjects: {args.background}; median (max) per request\n"
    )
    columns = list(rows[0][1])
    print("| backend | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for backend, results in rows:
        print(f"| {backend} | " + " | ".join(results[c] for c in columns) + " |")


if __name__ == "__main__":
    main()
