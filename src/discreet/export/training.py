"""`discreet export training`: plan, anonymise in parallel, check, describe, audit.

1. **Plan** (this process, the data store): conversations started in the period (of one
   assistant, or all), of subjects whose processing for ``model_training`` is allowed now
   (:meth:`discreet.consent.ConsentGate.subjects_for_export`: a current grant, no
   restriction or objection; anonymous conversations have nobody to consent and never
   leave). Their quasi-identifiers are made k-anonymous (:mod:`discreet.export.kanon`),
   and the plan (conversation → partition, generalised metadata) is stored
   (:class:`~discreet.export.records.ExportRecords`). The output directory gets
   ``_export.json`` naming the run, so a rerun finds the plan.
2. **Anonymise** each partition that has no ``part-NNNNN.json`` yet, on all cores
   (processes; each builds its detectors once) or on Ray (:mod:`discreet.export.ray_engine`)
   with the same :func:`process_partition`. Each writes ``part-NNNNN.parquet`` and
   ``part-NNNNN.jsonl`` (OpenAI fine-tuning chat format) and then its stats file, each
   atomically (:mod:`discreet.export.files`).
3. **Check**: residual findings over all messages; above ``max_residual_rate`` every
   output file is deleted and the export fails. Otherwise the dataset card is written.
   Either way one audit record says what happened (counts only).

Rows are shuffled within their partition and get a fresh random id: nothing in the
output (id, position, time) can be joined back to the data store.
"""

from __future__ import annotations

import json
import os
import random
import secrets
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import IO, Any, Literal

from discreet.audit.context import AccessContext, Outcome
from discreet.audit.log import AuditEvent, AuditLog
from discreet.clock import Clock, as_utc, now_from, system_clock
from discreet.consent.checker import ConsentGate
from discreet.consent.limits import ProcessingLimits
from discreet.consent.records import ConsentRegistry
from discreet.conversations.states import ConversationStates
from discreet.conversations.transcripts import StoredMessage, TranscriptStore
from discreet.detect.config import DetectorConfig
from discreet.detect.detector import Detector
from discreet.detect.language import detect_language
from discreet.export.anonymise import TOKEN_RE, Anonymiser, Message, Stats
from discreet.export.config import ExportConfig
from discreet.export.errors import ExportInputError, ExportRejected, ExportStateError
from discreet.export.files import atomic_write, part_name, write_json
from discreet.export.kanon import Row, anonymise_groups
from discreet.export.records import ExportRecords, PlannedItem
from discreet.store.db import Database

PURPOSE = "model_training"
STATE_FILE = "_export.json"
CARD_JSON = "dataset_card.json"
CARD_MD = "DATASET_CARD.md"
AUDIT_ACTION = "export.training"
Engine = Literal["local", "ray"]
_SYSTEM_RANDOM = random.SystemRandom()


@dataclass(frozen=True, slots=True)
class TrainingRequest:
    tenant: str
    since: datetime
    until: datetime
    out: Path
    assistant: str | None = None
    config: ExportConfig = field(default_factory=ExportConfig)
    snapshot: Path | None = None
    """Read transcripts from this `discreet export snapshot` instead of the data store."""

    def params(self) -> dict[str, Any]:
        return {
            "since": as_utc(self.since).isoformat(),
            "until": as_utc(self.until).isoformat(),
            "assistant": self.assistant,
            "config": self.config.model_dump(mode="json"),
        }


@dataclass(frozen=True, slots=True)
class WorkerSpec:
    """Everything a worker needs to anonymise a partition; picklable, holds no key."""

    data_url: str
    tenant: str
    run_id: str
    out: str
    config: dict[str, Any]
    snapshot: str | None = None


@dataclass(slots=True)
class Selection:
    """Counts of the selection step (for the card): no ids."""

    in_period: int = 0
    anonymous: int = 0
    no_consent: int = 0
    empty: int = 0
    selected: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "conversations_in_period": self.in_period,
            "excluded_anonymous": self.anonymous,
            "excluded_no_consent_or_limited": self.no_consent,
            "excluded_empty": self.empty,
            "selected": self.selected,
        }


# --- planning ----------------------------------------------------------------------------


def _initial_period_level(config: ExportConfig) -> str:
    return config.timestamps if config.timestamps in ("day", "week") else "any"


def user_language(messages: Sequence[StoredMessage]) -> str:
    return detect_language(
        " ".join(TOKEN_RE.sub(" ", m.text) for m in messages if m.role == "user")
    )


def plan(
    db: Database,
    request: TrainingRequest,
    *,
    actor: str,
    clock: Clock = system_clock,
    kind: str = "training",
    purpose: str = PURPOSE,
) -> tuple[str, Selection, dict[str, Any]]:
    """Select, k-anonymise and store the plan; returns (run id, selection, k report)."""
    if as_utc(request.until) <= as_utc(request.since):
        raise ExportInputError("--until must be after --since")
    states = ConversationStates(db, AuditLog(db), request.tenant).started_between(
        request.since, request.until
    )
    if request.assistant is not None:
        states = [s for s in states if s.assistant == request.assistant]
    gate = ConsentGate(
        ConsentRegistry(db, tenant=request.tenant, clock=clock),
        ProcessingLimits(db, tenant=request.tenant, clock=clock),
    )
    allowed = gate.subjects_for_export(purpose)
    selection = Selection(in_period=len(states))
    chosen = []
    for state in states:
        if state.subject is None:
            selection.anonymous += 1
        elif state.subject not in allowed:
            selection.no_consent += 1
        else:
            chosen.append(state)
    transcripts = TranscriptStore(db, request.tenant)
    rows: list[Row] = []
    kept_states = []
    level = _initial_period_level(request.config)
    for start in range(0, len(chosen), 2000):
        batch = chosen[start : start + 2000]
        found = transcripts.messages_of([s.conversation_id for s in batch])
        for state in batch:
            messages = found.get(state.conversation_id)
            if not messages:
                selection.empty += 1
                continue
            kept_states.append(state)
            rows.append(
                Row(
                    day=as_utc(state.created_at).date(),
                    period_level=level,
                    turns=state.turns,
                    turns_level=0,
                    language=user_language(messages),
                    assistant=state.assistant,
                )
            )
    if kind == "training":
        keep, report = anonymise_groups(
            rows, request.config.k, request.config.quasi_identifiers, request.config.max_suppressed
        )
        k_report: dict[str, Any] = report.as_dict()
    else:
        keep, k_report = [True] * len(rows), {}
    items = [(state, row) for state, row, kept in zip(kept_states, rows, keep, strict=True) if kept]
    selection.selected = len(items)
    size = request.config.partition_size
    partitions = (len(items) + size - 1) // size
    planned = [
        PlannedItem(state.conversation_id, state.subject, index // size, row.meta())
        for index, (state, row) in enumerate(items)
    ]
    run_id = f"exp_{secrets.token_hex(12)}"
    ExportRecords(db, clock=clock).create(
        run_id,
        tenant=request.tenant,
        kind=kind,
        params=request.params(),
        partitions=partitions,
        actor=actor,
        items=planned,
        counts={"selection": selection.as_dict(), "k_anonymity": k_report},
    )
    return run_id, selection, k_report


# --- one partition (any process, any engine) -----------------------------------------------


class PartitionWorker:
    """What one process holds: the detectors (loaded once) and the stores' handles."""

    def __init__(self, spec: WorkerSpec) -> None:
        self.spec = spec
        self.config = ExportConfig.model_validate(spec.config)
        first = self.config.detector
        second = DetectorConfig.model_validate(
            {
                **first.model_dump(mode="json"),
                "threshold": self.config.residual_threshold,
                # Every type: an anonymiser limited to some types is what the gate catches.
                "entities": None,
            }
        )
        detector = Detector(first)
        # Same recognizers and NER model, lower threshold: loaded once, not twice.
        residual = Detector(second, registry=detector.registry, ner=detector.ner)
        self.anonymiser = Anonymiser(detector, residual)
        self.db = Database(spec.data_url, name="data store")
        self.records = ExportRecords(self.db)

    def _transcripts(self, ids: list[str]) -> dict[str, list[StoredMessage]]:
        if self.spec.snapshot is None:
            return TranscriptStore(self.db, self.spec.tenant).messages_of(ids)
        from discreet.export.snapshot import read_snapshot

        return read_snapshot(Path(self.spec.snapshot), ids)

    def process(self, partition: int) -> dict[str, Any]:
        out = Path(self.spec.out)
        items = self.records.items(self.spec.run_id, partition)
        found = self._transcripts([conversation for conversation, _ in items])
        stats = Stats()
        rows: list[dict[str, Any]] = []
        for conversation, meta in items:
            messages = found.get(conversation)
            if not messages:  # erased since the plan was made
                continue
            anonymised, done, _language = self.anonymiser.conversation(
                [Message(m.role, m.text) for m in messages],
                meta["language"] if meta["language"] != "*" else None,
            )
            stats.add(done)
            times = _times(messages, meta["period_level"], self.config)
            rows.append(
                {
                    "id": secrets.token_hex(16),
                    "assistant": meta["assistant"],
                    "language": meta["language"],
                    "period": meta["period"],
                    "turns": meta["turns"],
                    "messages": [
                        {"role": m.role, "content": m.text, "time": t}
                        for m, t in zip(anonymised, times, strict=True)
                    ],
                }
            )
        _SYSTEM_RANDOM.shuffle(rows)  # no position to join on
        _write_partition(out, partition, rows)
        result = {"partition": partition, "rows": len(rows), "stats": stats.as_dict()}
        write_json(out / f"{part_name(partition)}.json", result)
        return result


def _times(messages: Sequence[StoredMessage], level: str, config: ExportConfig) -> list[str | None]:
    if config.timestamps == "shift":
        offset = timedelta(seconds=_SYSTEM_RANDOM.uniform(-1, 1) * config.shift_days * 86400)
        return [(as_utc(m.created_at) + offset).isoformat(timespec="minutes") for m in messages]
    out: list[str | None] = []
    for m in messages:
        day = as_utc(m.created_at).date()
        if level == "day":
            out.append(day.isoformat())
        elif level == "week":
            out.append((day - timedelta(days=day.weekday())).isoformat())
        elif level == "month":
            out.append(f"{day.year:04d}-{day.month:02d}")
        else:
            out.append(None)
    return out


def _write_partition(out: Path, partition: int, rows: list[dict[str, Any]]) -> None:
    import pyarrow as pa  # imported where used: the default install stays light
    import pyarrow.parquet as pq

    name = part_name(partition)
    table = pa.Table.from_pylist(rows, schema=_schema())
    atomic_write(out / f"{name}.parquet", lambda handle: pq.write_table(table, handle))

    def jsonl(handle: IO[bytes]) -> None:
        for row in rows:
            chat = {
                "messages": [{"role": m["role"], "content": m["content"]} for m in row["messages"]]
            }
            handle.write(json.dumps(chat, ensure_ascii=False).encode() + b"\n")

    atomic_write(out / f"{name}.jsonl", jsonl)


def _schema() -> Any:
    import pyarrow as pa

    message = pa.struct([("role", pa.string()), ("content", pa.string()), ("time", pa.string())])
    return pa.schema(
        [
            ("id", pa.string()),
            ("assistant", pa.string()),
            ("language", pa.string()),
            ("period", pa.string()),
            ("turns", pa.string()),
            ("messages", pa.list_(message)),
        ]
    )


_worker: PartitionWorker | None = None


def _init_worker(spec: WorkerSpec) -> None:
    global _worker
    _worker = PartitionWorker(spec)


def _run_partition(partition: int) -> dict[str, Any]:
    assert _worker is not None, "worker initializer did not run"
    return _worker.process(partition)


# --- running ---------------------------------------------------------------------------------


def pending_partitions(out: Path, partitions: int) -> list[int]:
    return [p for p in range(partitions) if not (out / f"{part_name(p)}.json").exists()]


def run_local(
    spec: WorkerSpec,
    partitions: Sequence[int],
    workers: int | None,
    on_done: Callable[[dict[str, Any]], None],
) -> None:
    """The partitions on this machine's cores: one process per core by default."""
    workers = max(1, min(workers or os.cpu_count() or 1, len(partitions)))
    if workers == 1:
        worker = PartitionWorker(spec)
        for partition in partitions:
            on_done(worker.process(partition))
        return
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("spawn"),
        initializer=_init_worker,
        initargs=(spec,),
    ) as pool:
        futures = [pool.submit(_run_partition, p) for p in partitions]
        for future in as_completed(futures):
            on_done(future.result())


@dataclass(frozen=True, slots=True)
class TrainingResult:
    run_id: str
    out: Path
    card: dict[str, Any]
    resumed: bool


def run_training(
    db: Database,
    request: TrainingRequest,
    *,
    ctx: AccessContext,
    engine: Engine = "local",
    workers: int | None = None,
    address: str | None = None,
    clock: Clock = system_clock,
    progress: Callable[[int, int], None] | None = None,
) -> TrainingResult:
    """Plan (or resume) and finish a training export into `request.out`."""
    out = request.out
    out.mkdir(parents=True, exist_ok=True)
    records = ExportRecords(db, clock=clock)
    state_path = out / STATE_FILE
    resumed = state_path.exists()
    if resumed:
        run_id = str(json.loads(state_path.read_text(encoding="utf-8"))["run"])
        info = records.run(run_id)
        if info is None or info.tenant != request.tenant:
            raise ExportStateError(f"{out} belongs to an export this data store does not know")
        if info.params != request.params():
            raise ExportStateError(
                f"{out} holds an export with other options; rerun it with the same options "
                "to finish it, or choose a new directory"
            )
        if info.state == "failed":
            raise ExportStateError(f"the export in {out} failed; choose a new directory")
        if info.state == "done":
            return TrainingResult(run_id, out, _read_card(out), resumed=True)
        partitions = info.partitions
        for stale in out.glob(".part-*.tmp"):  # a killed writer's unfinished file
            stale.unlink(missing_ok=True)
    else:
        if any(out.iterdir()):
            raise ExportInputError(f"{out} is not empty; an export needs a new directory")
        run_id, _selection, _k = plan(db, request, actor=ctx.actor, clock=clock)
        write_json(state_path, {"run": run_id})
        info = records.run(run_id)
        assert info is not None
        partitions = info.partitions
    spec = WorkerSpec(
        data_url=db.url.render_as_string(hide_password=False),
        tenant=request.tenant,
        run_id=run_id,
        out=str(out),
        config=request.config.model_dump(mode="json"),
        snapshot=str(request.snapshot) if request.snapshot else None,
    )
    todo = pending_partitions(out, partitions)
    finished = partitions - len(todo)
    if progress is not None:
        progress(finished, partitions)

    def on_done(result: dict[str, Any]) -> None:
        nonlocal finished
        finished += 1
        if progress is not None:
            progress(finished, partitions)

    if todo:
        if engine == "ray":
            from discreet.export.ray_engine import run_ray

            run_ray(spec, todo, workers, address, on_done)
        else:
            run_local(spec, todo, workers, on_done)
    return _finish(db, request, run_id, partitions, ctx=ctx, clock=clock, resumed=resumed)


def _read_card(out: Path) -> dict[str, Any]:
    value = json.loads((out / CARD_JSON).read_text(encoding="utf-8"))
    assert isinstance(value, dict)
    return value


def _finish(
    db: Database,
    request: TrainingRequest,
    run_id: str,
    partitions: int,
    *,
    ctx: AccessContext,
    clock: Clock,
    resumed: bool,
) -> TrainingResult:
    out = request.out
    records = ExportRecords(db, clock=clock)
    info = records.run(run_id)
    assert info is not None
    stats = Stats()
    rows = 0
    for p in range(partitions):
        result = json.loads((out / f"{part_name(p)}.json").read_text(encoding="utf-8"))
        stats.add(Stats.from_dict(result["stats"]))
        rows += int(result["rows"])
    config = request.config
    rate = stats.residual_rate
    passed = rate <= config.max_residual_rate
    card = {
        "dataset": "discreet training export",
        "export": run_id,
        "created": now_from(clock).date().isoformat(),
        "source_period": {"since": info.params["since"], "until": info.params["until"]},
        "assistant": request.assistant or "all",
        "consent_filter": (
            f"subjects with a current '{PURPOSE}' consent and no restriction or objection "
            "in force; anonymous conversations excluded"
        ),
        "selection": info.counts.get("selection", {}),
        "k_anonymity": info.counts.get("k_anonymity", {}),
        "conversations": rows,
        "messages": stats.messages,
        "replaced": {
            "tokens": dict(sorted(stats.tokens_replaced.items())),
            "detections": dict(sorted(stats.detections_replaced.items())),
        },
        "residual_scan": {
            "threshold": config.residual_threshold,
            "messages_with_findings": stats.messages_with_residuals,
            "rate": round(rate, 6),
            "max_rate": config.max_residual_rate,
            "findings_by_type": dict(sorted(stats.residual_findings.items())),
            "passed": passed,
        },
        "timestamps": config.timestamps,
        "files": {
            "parquet": [f"{part_name(p)}.parquet" for p in range(partitions)],
            "openai_chat_jsonl": [f"{part_name(p)}.jsonl" for p in range(partitions)],
        },
    }
    audit = AuditLog(db)
    details: dict[str, int | str | bool] = {
        "export": run_id,
        "conversations": rows,
        "messages": stats.messages,
        "replaced": sum(stats.tokens_replaced.values()) + sum(stats.detections_replaced.values()),
        "residual_messages": stats.messages_with_residuals,
        "k": config.k,
        "k_dropped": int(info.counts.get("k_anonymity", {}).get("dropped", 0)),
        "resumed": resumed,
    }
    if not passed:
        for p in range(partitions):
            for suffix in (".parquet", ".jsonl", ".json"):
                (out / f"{part_name(p)}{suffix}").unlink(missing_ok=True)
        write_json(out / "FAILED.json", {"export": run_id, "residual_scan": card["residual_scan"]})
        with db.begin() as conn:
            audit.append(
                AuditEvent(ctx, request.tenant, AUDIT_ACTION, Outcome.REJECTED, details=details),
                conn=conn,
            )
        records.finish(run_id, "failed", {**info.counts, "residual_scan": card["residual_scan"]})
        raise ExportRejected(
            f"{stats.messages_with_residuals} of {stats.messages} messages still had findings "
            f"after anonymisation (rate {rate:.4f} > allowed {config.max_residual_rate}); "
            "no output was kept (see FAILED.json for the counts per type)"
        )
    write_json(out / CARD_JSON, card)
    atomic_write(out / CARD_MD, lambda handle: handle.write(render_card(card).encode()))
    audit.append(AuditEvent(ctx, request.tenant, AUDIT_ACTION, Outcome.OK, details=details))
    records.finish(run_id, "done", {**info.counts, "conversations": rows})
    return TrainingResult(run_id, out, card, resumed)


def render_card(card: dict[str, Any]) -> str:
    """The dataset card as Markdown (counts and settings, never a value)."""
    lines = [
        "# Dataset card: anonymised customer-service conversations",
        "",
        f"- Export: `{card['export']}`, created {card['created']}",
        f"- Source period: {card['source_period']['since']} to {card['source_period']['until']}",
        f"- Assistant: {card['assistant']}",
        f"- Consent filter: {card['consent_filter']}",
        f"- Conversations: {card['conversations']}, messages: {card['messages']}",
        f"- Timestamps: {card['timestamps']}",
        "",
        "## Selection",
        "",
        *[f"- {k}: {v}" for k, v in card["selection"].items()],
        "",
        "## k-anonymity",
        "",
        *[f"- {k}: {v}" for k, v in card["k_anonymity"].items()],
        "",
        "## Replaced (surrogates, per type)",
        "",
        "| type | tokens | detections |",
        "|---|---|---|",
    ]
    tokens = card["replaced"]["tokens"]
    detections = card["replaced"]["detections"]
    for name in sorted(set(tokens) | set(detections)):
        lines.append(f"| {name} | {tokens.get(name, 0)} | {detections.get(name, 0)} |")
    residual = card["residual_scan"]
    lines += [
        "",
        "## Residual scan (second detection pass over the output)",
        "",
        f"- Threshold {residual['threshold']}; messages with findings: "
        f"{residual['messages_with_findings']} (rate {residual['rate']}, allowed "
        f"{residual['max_rate']})",
        *[f"- {k}: {v}" for k, v in residual["findings_by_type"].items()],
        "",
        "Surrogates are realistic and checksum-valid, consistent within a conversation and "
        "unrelated across conversations; they were made under a key that was never stored.",
        "",
    ]
    return "\n".join(lines)


def day_bounds(since: date, until: date) -> tuple[datetime, datetime]:
    """[since 00:00, until+1 00:00) in UTC: the CLI's inclusive day range."""
    start = datetime(since.year, since.month, since.day, tzinfo=UTC)
    end = datetime(until.year, until.month, until.day, tzinfo=UTC) + timedelta(days=1)
    return start, end
