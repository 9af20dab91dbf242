"""The export plan's holder (erase, expire, forecast) and the snapshot round trip."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
from tests.export.conftest import OFFICER, Shop, today_request

from discreet.export.records import ExportRecords, PlannedItem
from discreet.export.snapshot import write_snapshot
from discreet.export.training import run_training
from discreet.subjectdata import NOTHING_HELD, Held, SubjectScope


def days(n: int | None) -> object:
    return lambda kind, category: n if kind == "export_items" else None


def test_plans_expire_by_retention_and_keep_held_subjects(shop: Shop) -> None:
    clock_now = datetime(2026, 1, 1, tzinfo=UTC)
    records = ExportRecords(shop.db, clock=lambda: clock_now)
    records.create(
        "exp_1",
        tenant="default",
        kind="training",
        params={},
        partitions=1,
        actor="t",
        items=[PlannedItem("c1", "s1", 0, {}), PlannedItem("c2", "s2", 0, {})],
    )
    later = clock_now + timedelta(days=40)
    held = Held(subjects=frozenset({"s2"}))
    forecast = records.forecast("default", clock_now, 60, days(30), held)  # type: ignore[arg-type]
    # Both fall due on one day (held rows are told apart once due, as every holder does).
    assert [(d.on, d.count) for d in forecast] == [(datetime(2026, 1, 31).date(), 2)]
    overdue = records.forecast("default", later, 60, days(30), held)  # type: ignore[arg-type]
    assert [(d.on, d.count, d.held) for d in overdue] == [(None, 2, 1)]
    dry = records.expire("default", later, days(30), held, dry_run=True)  # type: ignore[arg-type]
    assert [(e.deleted, e.held) for e in dry] == [(1, 1)]
    assert records.expire("default", later, days(None), held) == []  # type: ignore[arg-type]
    done = records.expire("default", later, days(30), held)  # type: ignore[arg-type]
    assert [(e.deleted, e.held) for e in done] == [(1, 1)]
    assert records.export(SubjectScope("default", "s1")) == []
    assert len(records.export(SubjectScope("default", "s2"))) == 1
    assert records.erase(SubjectScope("default", "s2"), held) == 0  # held: kept
    assert records.erase(SubjectScope("default", "s2"), NOTHING_HELD) == 1


def test_training_from_a_snapshot_reads_no_transcript_from_the_store(
    shop: Shop, tmp_path: Path
) -> None:
    for i in range(3):
        shop.conversation(f"c{i}", f"s{i}", [("I am [PERSON_1], where is my parcel?", "Sorry")])
        shop.grant(f"s{i}")
    shop.conversation("c-no", "s-no", [("No consent here", "Hi")])
    summary = write_snapshot(shop.db, today_request(tmp_path / "snap"), ctx=OFFICER)
    assert summary["selection"]["selected"] == 3
    stored = pq.read_table(tmp_path / "snap" / "part-00000.parquet").to_pylist()
    assert {r["conversation_id"] for r in stored} == {"c0", "c1", "c2"}
    # The transcripts are gone from the store; the export still finds them in the snapshot.
    for i in range(3):
        shop.states.transcripts.delete_conversation(f"c{i}")
    request = today_request(tmp_path / "out")
    request = dataclasses.replace(request, snapshot=tmp_path / "snap")
    # The plan reads the store (consent, metadata): give it the rows back for the plan only.
    for i in range(3):
        shop.states.transcripts.append(
            f"c{i}", [("user", "placeholder")], datetime.now(UTC), subject=f"s{i}"
        )
    result = run_training(shop.db, request, ctx=OFFICER)
    contents = [
        json.loads(line)["messages"][0]["content"]
        for line in (tmp_path / "out" / "part-00000.jsonl").read_text().splitlines()
    ]
    assert result.card["conversations"] == 3
    assert all(c.endswith(", where is my parcel?") and "[PERSON_1]" not in c for c in contents)
