"""`discreet export snapshot`: the consent-filtered, pseudonymised transcripts as Parquet.

A snapshot is the input of a cluster run (``discreet export training --snapshot DIR
--engine ray``): workers then read Parquet from shared storage and need no access to the
data store. It holds what the data store holds (pseudonymised text, pseudonymous
conversation ids, no token map and no key), so it is personal data: keep it where the
data store's backups are kept, and delete it after the export. It is written atomically
per partition, like an export, and its run is recorded (not its content) in the data
store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from discreet.audit.context import AccessContext, Outcome
from discreet.audit.log import AuditEvent, AuditLog
from discreet.clock import Clock, as_utc, system_clock
from discreet.conversations.transcripts import StoredMessage, TranscriptStore
from discreet.export.errors import ExportInputError
from discreet.export.files import atomic_write, part_name, write_json
from discreet.export.records import ExportRecords
from discreet.export.training import PURPOSE, TrainingRequest, plan
from discreet.store.db import Database

AUDIT_ACTION = "export.snapshot"


def _schema() -> Any:
    import pyarrow as pa  # imported where used: the default install stays light

    return pa.schema(
        [
            ("conversation_id", pa.string()),
            ("seq", pa.int32()),
            ("role", pa.string()),
            ("text", pa.string()),
            ("created_at", pa.timestamp("us", tz="UTC")),
        ]
    )


def write_snapshot(
    db: Database,
    request: TrainingRequest,
    *,
    ctx: AccessContext,
    clock: Clock = system_clock,
    purpose: str = PURPOSE,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Write the snapshot of `request` (period, assistant, consent for `purpose`)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = request.out
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise ExportInputError(f"{out} is not empty; a snapshot needs a new directory")
    run_id, selection, _ = plan(
        db, request, actor=ctx.actor, clock=clock, kind="snapshot", purpose=purpose
    )
    records = ExportRecords(db, clock=clock)
    info = records.run(run_id)
    assert info is not None
    store = TranscriptStore(db, request.tenant)
    messages = 0
    for partition in range(info.partitions):
        ids = [conversation for conversation, _ in records.items(run_id, partition)]
        found = store.messages_of(ids)
        rows = [
            {
                "conversation_id": m.conversation_id,
                "seq": m.seq,
                "role": m.role,
                "text": m.text,
                "created_at": as_utc(m.created_at),
            }
            for conversation in ids
            for m in found.get(conversation, [])
        ]
        messages += len(rows)
        table = pa.Table.from_pylist(rows, schema=_schema())
        path = out / f"{part_name(partition)}.parquet"
        atomic_write(path, _parquet_writer(table, pq))
        if progress is not None:
            progress(partition + 1, info.partitions)
    summary = {
        "snapshot": run_id,
        "purpose": purpose,
        "partitions": info.partitions,
        "messages": messages,
        "selection": selection.as_dict(),
    }
    write_json(out / "_snapshot.json", summary)
    AuditLog(db).append(
        AuditEvent(
            ctx,
            request.tenant,
            AUDIT_ACTION,
            Outcome.OK,
            details={"snapshot": run_id, "conversations": selection.selected, "messages": messages},
        )
    )
    records.finish(run_id, "done", {"selection": selection.as_dict(), "messages": messages})
    return summary


def _parquet_writer(table: Any, pq: Any) -> Callable[[Any], None]:
    def write(handle: Any) -> None:
        pq.write_table(table, handle)

    return write


def read_snapshot(directory: Path, ids: Sequence[str]) -> dict[str, list[StoredMessage]]:
    """The messages of `ids` from a snapshot, each conversation in order."""
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    if not (directory / "_snapshot.json").exists():
        raise ExportInputError(f"{directory} is not a finished snapshot (no _snapshot.json)")
    dataset = ds.dataset(str(directory), format="parquet")
    table = dataset.to_table(filter=pc.field("conversation_id").isin(list(ids)))
    found: dict[str, list[StoredMessage]] = {}
    for row in sorted(table.to_pylist(), key=lambda r: (r["conversation_id"], r["seq"])):
        found.setdefault(row["conversation_id"], []).append(
            StoredMessage(
                row["conversation_id"], row["seq"], row["role"], row["text"], row["created_at"]
            )
        )
    return found
