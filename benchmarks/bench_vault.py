"""Vault throughput: subject import, audited reads and audit-log appends.

Runs on SQLite (temporary files) and, when a PostgreSQL URL is given (``--postgres`` or
DISCREET_TEST_POSTGRES_URL), on PostgreSQL in throw-away schemas. Prints a Markdown table
with the machine and date. Target: import >= 2,000 subjects/s on SQLite.

    .venv/bin/python benchmarks/bench_vault.py --subjects 20000 --audit 2000
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime

from common import machine, postgres_settings, sqlite_settings

from discreet.audit import AccessContext, AuditEvent, Outcome
from discreet.settings import Settings
from discreet.vault import MasterKey, SubjectRecord, Vault, open_vault, upgrade_databases

CTX = AccessContext("bench", "benchmark", "legitimate_interests")


def make_records(n: int) -> list[SubjectRecord]:
    """Synthetic subjects with the nine columns of a typical CRM export."""
    return [
        SubjectRecord(
            f"CUST-{i:08d}",
            {
                "name": f"Customer Number{i} Example",
                "email": f"customer.{i}@example.org",
                "phone": f"+3161{i % 10_000_000:07d}",
                "street_address": f"Voorbeeldstraat {i % 997 + 1}",
                "postal_code": f"{1000 + i % 8999} AB",
                "city": "Utrecht",
                "iban": f"NL{i % 97:02d}ABNA{i % 10**10:010d}",
                "customer_number": f"CN-{i:08d}",
            },
        )
        for i in range(n)
    ]


def rate(n: int, action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return n / (time.perf_counter() - start)


def measure(settings: Settings, subjects: int, audits: int, reads: int) -> dict[str, float]:
    upgrade_databases(settings)
    vault: Vault = open_vault(settings, master_key=MasterKey.generate())
    records = make_records(subjects)
    results = {"import subjects/s": rate(subjects, lambda: vault.import_subjects(records, ctx=CTX))}
    log = vault.audit_log

    def appends() -> None:
        for i in range(audits):
            log.append(
                AuditEvent(
                    ctx=CTX, tenant="default", action="bench", outcome=Outcome.OK, details={"i": i}
                )
            )

    results["audit appends/s"] = rate(audits, appends)

    def audited_reads() -> None:
        for i in range(reads):
            vault.get_subject(records[i % subjects].ref, fields=["email", "name"], ctx=CTX)

    results["audited reads/s"] = rate(reads, audited_reads)
    assert log.verify().ok
    vault.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=20_000)
    parser.add_argument("--audit", type=int, default=2_000, help="audit appends to time")
    parser.add_argument("--reads", type=int, default=1_000, help="audited reads to time")
    parser.add_argument("--postgres", default=os.environ.get("DISCREET_TEST_POSTGRES_URL"))
    args = parser.parse_args()

    rows: list[tuple[str, dict[str, float]]] = []
    with sqlite_settings() as settings:
        rows.append(("SQLite (WAL)", measure(settings, args.subjects, args.audit, args.reads)))
    if args.postgres:
        with postgres_settings(args.postgres) as settings:
            rows.append(("PostgreSQL", measure(settings, args.subjects, args.audit, args.reads)))

    print(f"Machine: {machine()}  ")
    print(f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  ")
    print(f"Subjects: {args.subjects}, audit appends: {args.audit}, reads: {args.reads}\n")
    columns = list(rows[0][1])
    print("| backend | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for backend, results in rows:
        print(f"| {backend} | " + " | ".join(f"{results[c]:,.0f}" for c in columns) + " |")


if __name__ == "__main__":
    main()
