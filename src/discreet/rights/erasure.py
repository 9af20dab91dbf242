"""Erasure (GDPR art. 17), idempotent and resumable.

An erasure runs as a job of named steps. Before each step the job row records it as the
current step (committed), and after it the step moves to ``steps_done`` with its counts.
A crash therefore always leaves a record saying how far the erasure got, and running the
same erasure again skips what is done and repeats the interrupted step -- every step is
safe to repeat.

Steps:

1. ``plan``: find the subject's conversations (bound to it, or with transcript messages
   or gateway state attributed to it) and the legal holds on them or on the subject. A
   hold on the subject blocks the whole erasure (the job says which hold); held
   conversations are kept by every following step.
2. one step per registered subject-data holder (:mod:`discreet.wiring`), named after it
   and run in registration order: each erases what it holds about the subject, keeping
   what the held conversations need (the vault keeps the subject's key while a held
   conversation's map is under it). Records kept as evidence (the request, this job,
   legal holds) erase nothing.

Each step appends an ``erasure.step`` audit record with its counts; audit records keep
only the pseudonymous id, which resolves to nothing afterwards.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, bindparam, select, update

from discreet.audit.context import AccessContext, Outcome
from discreet.audit.log import AuditEvent, AuditLog
from discreet.clock import Clock, as_utc, now_from, system_clock
from discreet.conversations.states import subject_conversations
from discreet.conversations.transcripts import attributed_conversations
from discreet.errors import Conflict
from discreet.rights.holds import LegalHold, active_holds
from discreet.store.driver import DriverStatement
from discreet.store.governance_models import ErasureJobRow
from discreet.store.holder import TableHolder
from discreet.store.models import table_of
from discreet.subjectdata import Held, Holders, SubjectScope
from discreet.vault import SubjectNotFound, Vault
from discreet.vault.bindings import bound_conversations
from discreet.vault.records import lock_subject

_J = table_of(ErasureJobRow)
# Every chat turn's last transaction asks it (the fence): built once, on the driver's cursor.
_RUNNING = DriverStatement(
    select(_J.c.id)
    .where(
        _J.c.tenant == bindparam("tenant"),
        _J.c.subject_id == bindparam("subject"),
        _J.c.state == "running",
    )
    .limit(1)
)
PLAN = "plan"
STEP_ACTION = "erasure.step"
StepCounts = dict[str, Any]


class ErasureMismatch(Conflict, ValueError):
    """The reference given does not belong to the subject the erasure is for."""

    code = "subject_mismatch"


class ErasureBlocked(Conflict):
    """Legal holds on the subject block its erasure: nothing was erased, and the request
    is blocked_by_hold until they are released."""

    code = "legal_hold"


@dataclass(frozen=True, slots=True)
class ErasureOutcome:
    job_id: str
    subject_id: str
    completed: bool
    blocked_by: tuple[LegalHold, ...] = ()
    """Holds on the subject that stopped the erasure (nothing was erased)."""
    steps: dict[str, StepCounts] = field(default_factory=dict)

    @property
    def held_conversations(self) -> list[str]:
        plan = self.steps.get("plan", {})
        return list(plan.get("held_conversations", []))

    def summary(self) -> dict[str, Any]:
        """The completion record's content: what was done, counts, what was kept and why."""
        return {
            "erasure_job": self.job_id,
            "completed": self.completed,
            "steps": self.steps,
            "blocked_by_holds": [hold.as_dict() for hold in self.blocked_by],
        }


@dataclass(slots=True)
class _Job:
    id: str
    subject_id: str
    state: str
    current_step: str | None
    steps_done: dict[str, StepCounts]
    started_at: datetime


def _job(row: Any) -> _Job:
    return _Job(
        row.id,
        row.subject_id,
        row.state,
        row.current_step,
        json.loads(row.steps_done),
        as_utc(row.started_at),
    )


class Eraser:
    """Runs erasure jobs of one vault's tenant over the registered holders."""

    def __init__(self, vault: Vault, holders: Holders, *, clock: Clock = system_clock) -> None:
        self._vault = vault
        self._db = vault.data_store
        self._holders = holders
        self._clock = clock
        self._audit = AuditLog(self._db)

    @property
    def steps(self) -> tuple[str, ...]:
        return (PLAN, *(holder.name for holder in self._holders))

    # --- job rows ----------------------------------------------------------------------

    def job_for(self, *, request_id: str | None, subject_id: str) -> _Job | None:
        """The unfinished (or finished) job of this request, or of this subject."""
        query = select(_J).where(_J.c.tenant == self._vault.tenant)
        if request_id is not None:
            query = query.where(_J.c.request_id == request_id)
        else:
            query = query.where(_J.c.subject_id == subject_id, _J.c.state != "completed")
        with self._db.begin() as conn:
            row = conn.execute(query.order_by(_J.c.started_at.desc()).limit(1)).first()
        return None if row is None else _job(row)

    def _new_job(self, subject_id: str, request_id: str | None) -> _Job:
        now = now_from(self._clock)
        job = _Job("era_" + secrets.token_hex(12), subject_id, "running", None, {}, now)
        with self._db.begin() as conn:
            # In-flight turns hold this row for share until they have stored their
            # transcript (conversations/fence.py): wait for them, then fence them out.
            lock_subject(conn, subject_id, exclusive=True)
            conn.execute(
                _J.insert(),
                {
                    "id": job.id,
                    "tenant": self._vault.tenant,
                    "subject_id": subject_id,
                    "request_id": request_id,
                    "state": job.state,
                    "current_step": None,
                    "steps_done": "{}",
                    "started_at": now,
                    "updated_at": now,
                },
            )
        return job

    def _save(self, job: _Job, *, completed: bool = False) -> None:
        now = now_from(self._clock)
        values: dict[str, Any] = {
            "state": job.state,
            "current_step": job.current_step,
            "steps_done": json.dumps(job.steps_done, sort_keys=True),
            "updated_at": now,
        }
        if completed:
            values["completed_at"] = now
        with self._db.begin() as conn:
            conn.execute(update(_J).where(_J.c.id == job.id).values(**values))

    # --- running -----------------------------------------------------------------------

    def _resolve(self, ref: str, ctx: AccessContext, job: _Job | None) -> str | None:
        """The subject id behind `ref`, or None when it is gone after our steps began."""
        try:
            return self._vault.subject_id(ref, ctx=ctx)
        except SubjectNotFound:
            if job is not None and PLAN in job.steps_done:
                return None
            raise

    def erase(
        self,
        ref: str | None,
        *,
        ctx: AccessContext,
        subject_id: str,
        request_id: str | None = None,
    ) -> ErasureOutcome:
        """Erase the subject `ref` (which must be `subject_id`), or finish an earlier run.

        `ref` None resumes an earlier run only (one whose reference was checked when it
        began, e.g. an erasure a released legal hold had blocked)."""
        job = self.job_for(request_id=request_id, subject_id=subject_id)
        if ref is None and job is None:
            raise ErasureMismatch("an erasure begins with the customer's reference")
        found = self._resolve(ref, ctx, job) if ref is not None else None
        if found is not None and found != subject_id:
            raise ErasureMismatch("that reference belongs to another subject than the request's")
        if job is None:
            job = self._new_job(subject_id, request_id)
        if job.state == "completed":
            return ErasureOutcome(job.id, subject_id, True, (), job.steps_done)
        for step in self.steps:
            if step in job.steps_done:
                continue
            job.current_step, job.state = step, "running"
            self._save(job)  # the record of what is about to happen comes first
            counts = self._run_step(step, job, ctx)
            if step == PLAN and counts["blocked_by"]:
                # Not recorded as done: the next run looks at the holds afresh.
                job.current_step, job.state = None, "blocked"
                self._save(job)
                holds = active_holds(self._db, tenant=self._vault.tenant, subject_id=subject_id)
                return ErasureOutcome(job.id, subject_id, False, tuple(holds), job.steps_done)
            job.steps_done[step] = counts
            job.current_step = None
            self._save(job)
        job.state = "completed"
        self._save(job, completed=True)
        return ErasureOutcome(job.id, subject_id, True, (), job.steps_done)

    def _run_step(self, step: str, job: _Job, ctx: AccessContext) -> StepCounts:
        """One step's work; its "done" record is the caller's (a crash test kills the
        process right after this returns)."""
        return self._plan(job) if step == PLAN else self._erase_with(step, job, ctx)

    def _conversations(self, subject_id: str) -> list[str]:
        """Bound conversations, then any others with messages or state attributed to the
        subject (ids only, found afresh so a rerun sees what a turn added meanwhile)."""
        tenant = self._vault.tenant
        with self._db.begin() as conn:
            found = bound_conversations(conn, tenant, [subject_id])
            found += attributed_conversations(conn, tenant, subject_id)
            found += sorted(subject_conversations(conn, tenant, [subject_id]))
        return list(dict.fromkeys(found))

    def _plan(self, job: _Job) -> StepCounts:
        tenant = self._vault.tenant
        conversations = self._conversations(job.subject_id)
        subject_holds = active_holds(self._db, tenant=tenant, subject_id=job.subject_id)
        held = (
            active_holds(self._db, tenant=tenant, conversation_ids=conversations)
            if conversations
            else []
        )
        return {
            "blocked_by": [hold.id for hold in subject_holds],
            "conversations": len(conversations),
            "held_conversations": sorted({h.conversation_id for h in held if h.conversation_id}),
            "holds": [hold.id for hold in held],
        }

    def _erase_with(self, name: str, job: _Job, ctx: AccessContext) -> StepCounts:
        kept = frozenset(job.steps_done[PLAN]["held_conversations"])
        scope = SubjectScope(
            self._vault.tenant, job.subject_id, frozenset(self._conversations(job.subject_id))
        )
        erased = self._holders[name].erase(scope, Held(conversations=kept))
        counts: StepCounts = {"erased": erased, "kept_for_holds": len(kept)}
        with self._db.begin() as conn:
            self._audit.append(
                AuditEvent(
                    ctx=ctx,
                    tenant=self._vault.tenant,
                    action=STEP_ACTION,
                    outcome=Outcome.OK,
                    subject=job.subject_id,
                    details={"step": name, **counts},
                ),
                conn=conn,
            )
        return counts


class ErasureJobRecords(TableHolder):
    """Holder of ``erasure_jobs``: kept after the erasure they record; an
    ``erasure_jobs`` rule expires completed jobs, counted from their completion.

    Also the turns' fence (`conversations.fence.RunningErasures`): the table's owner
    answers whether an erasure runs, and the wiring hands this object to the gateway."""

    name = "erasure_jobs"
    table = _J
    kind = "erasure_jobs"
    erasable = False

    def stamp(self) -> Column[Any]:
        return _J.c.completed_at

    def erasing(self, conn: Connection, tenant: str, subject_id: str) -> bool:
        """Whether an erasure of the subject is running, read in `conn`'s transaction (a
        turn's last one, after it locked the subject: conversations/fence.py)."""
        return _RUNNING.first(conn, {"tenant": tenant, "subject": subject_id}) is not None
