"""Exporting audit records for auditors, as JSON lines or CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from enum import StrEnum
from typing import TextIO

from discreet.audit.log import AuditEntry, canonical_json

CSV_COLUMNS = (
    "seq",
    "ts",
    "tenant",
    "actor",
    "actor_kind",
    "action",
    "subject",
    "categories",
    "fields",
    "purpose",
    "legal_basis",
    "outcome",
    "details",
    "prev_hash",
    "hash",
)


class ExportFormat(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"


def export_entries(entries: Iterable[AuditEntry], out: TextIO, fmt: ExportFormat) -> int:
    """Write `entries` to `out`; returns how many were written.

    JSONL keeps every column as stored, so an auditor can recompute each hash. CSV joins
    the lists with ``;`` and keeps ``details`` as JSON.
    """
    count = 0
    if fmt is ExportFormat.JSONL:
        for entry in entries:
            out.write(json.dumps(entry.as_dict(), sort_keys=True, ensure_ascii=False) + "\n")
            count += 1
        return count
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for entry in entries:
        row = entry.as_dict()
        row["categories"] = ";".join(entry.categories)
        row["fields"] = ";".join(entry.fields)
        row["details"] = canonical_json(dict(entry.details))
        row["subject"] = entry.subject or ""
        writer.writerow(row)
        count += 1
    return count
