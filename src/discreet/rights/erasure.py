"""Erasure (GDPR art. 17), idempotent and resumable.

An erasure runs as a job of named steps. Before each step the job row records it as the
current step (committed), and after it the step moves to ``steps_done`` with its counts.
A crash therefore always leaves a record saying how far the erasure got, and running the
same erasure again skips what is done and repeats the interrupted step -- every step is
safe to repeat.

Steps:

1. ``plan``: find the subject's conversations (bound to it, or with transcript messages
   attributed to it) and the legal holds on them or on the subject. A hold on the
   subject blocks the whole erasure (the job says which hold); held conversations are
   left out of the following steps.
2. ``consents``: delete the subject's consent history and processing limits.
3. ``conversations``: only when some conversations are held -- empty the token maps of
   the others (their gateway state goes with the vault step's cascade otherwise).
4. ``transcripts``: delete the stored (pseudonymised) messages of the subject's
   conversations, except held ones. It runs before the vault step because that step
   deletes the bindings this one uses to find messages stored before the conversation
   was bound.
5. ``vault``: with nothing held, the vault's crypto-shredding (data key destroyed; fields,
   blind-index entries, conversations and token maps deleted). With held conversations
   the key must survive to keep them readable, so only the fields and their blind-index
   entries are deleted.

Audit records keep only the pseudonymous id, which resolves to nothing afterwards.
For tests, ``DISCREET_TEST_ERASURE_CRASH_AFTER`` names a step after whose work (before
its "done" record) the process exits at once.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from discreet.audit.context import AccessContext
from discreet.clock import Clock, as_utc, now_from, system_clock
from discreet.consent.limits import ProcessingLimits
from discreet.consent.records import ConsentRegistry
from discreet.gateway.erasure_fence import lock_subject
from discreet.gateway.transcripts import TranscriptStore
from discreet.rights.export import subject_conversations, transcript_conversations
from discreet.rights.holds import LegalHold, active_holds
from discreet.store.governance_models import ErasureJobRow
from discreet.store.models import Subject, table_of
from discreet.vault import SubjectNotFound, Vault

_J = table_of(ErasureJobRow)
_S = table_of(Subject)
CRASH_ENV = "DISCREET_TEST_ERASURE_CRASH_AFTER"
CRASH_EXIT_CODE = 86
STEPS = ("plan", "consents", "conversations", "transcripts", "vault")
StepCounts = dict[str, Any]


class ErasureMismatch(ValueError):
    """The reference given does not belong to the subject the erasure is for."""


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
    """Runs erasure jobs over one vault."""

    def __init__(
        self,
        vault: Vault,
        consents: ConsentRegistry,
        limits: ProcessingLimits,
        *,
        clock: Clock = system_clock,
    ) -> None:
        self._vault = vault
        self._db = vault.audit_log.db
        self._consents = consents
        self._limits = limits
        self._clock = clock
        self._transcripts = TranscriptStore(self._db, vault.tenant)

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
            # transcript (gateway/erasure_fence.py): wait for them, then fence them out.
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
        """The subject id behind `ref`, or None when it is gone after our vault step."""
        try:
            return self._vault.subject_id(ref, ctx=ctx)
        except SubjectNotFound:
            if job is not None and (job.current_step == "vault" or "vault" in job.steps_done):
                return None
            raise

    def erase(
        self, ref: str, *, ctx: AccessContext, subject_id: str, request_id: str | None = None
    ) -> ErasureOutcome:
        """Erase the subject `ref` (which must be `subject_id`), or finish an earlier run."""
        job = self.job_for(request_id=request_id, subject_id=subject_id)
        found = self._resolve(ref, ctx, job)
        if found is not None and found != subject_id:
            raise ErasureMismatch("that reference belongs to another subject than the request's")
        if job is None:
            job = self._new_job(subject_id, request_id)
        if job.state == "completed":
            return ErasureOutcome(job.id, subject_id, True, (), job.steps_done)
        steps: dict[str, Callable[[str, AccessContext, _Job], StepCounts]] = {
            "plan": self._step_plan,
            "consents": self._step_consents,
            "conversations": self._step_conversations,
            "transcripts": self._step_transcripts,
            "vault": self._step_vault,
        }
        for step in STEPS:
            if step in job.steps_done:
                continue
            job.current_step, job.state = step, "running"
            self._save(job)  # the record of what is about to happen comes first
            counts = steps[step](ref, ctx, job)
            if os.environ.get(CRASH_ENV) == step:
                os._exit(CRASH_EXIT_CODE)
            if step == "plan" and counts["blocked_by"]:
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

    def _all_conversations(self, subject_id: str) -> list[str]:
        """Bound conversations, then any others holding messages attributed to the subject."""
        bound = subject_conversations(self._vault, subject_id)
        known = set(bound)
        extra = transcript_conversations(self._db, self._vault.tenant, subject_id)
        return bound + [c for c in extra if c not in known]

    def _step_plan(self, ref: str, ctx: AccessContext, job: _Job) -> StepCounts:
        conversations = self._all_conversations(job.subject_id)
        subject_holds = active_holds(self._db, tenant=self._vault.tenant, subject_id=job.subject_id)
        held = (
            active_holds(self._db, tenant=self._vault.tenant, conversation_ids=conversations)
            if conversations
            else []
        )
        return {
            "blocked_by": [hold.id for hold in subject_holds],
            "conversations": len(conversations),
            "held_conversations": sorted({h.conversation_id for h in held if h.conversation_id}),
            "holds": [hold.id for hold in held],
        }

    def _step_consents(self, ref: str, ctx: AccessContext, job: _Job) -> StepCounts:
        with self._db.begin() as conn:
            records = self._consents.delete_subject(conn, job.subject_id)
            limits = self._limits.delete_subject(conn, job.subject_id)
        return {"consent_records": records, "processing_limits": limits}

    def _held(self, job: _Job) -> set[str]:
        return set(job.steps_done["plan"]["held_conversations"])

    def _step_conversations(self, ref: str, ctx: AccessContext, job: _Job) -> StepCounts:
        held = self._held(job)
        if not held:
            return {"emptied_token_maps": 0, "note": "all conversations go with the vault step"}
        emptied = 0
        for conversation_id in subject_conversations(self._vault, job.subject_id):
            if conversation_id not in held:
                self._vault.save_token_map(conversation_id, {}, ctx=ctx)
                emptied += 1
        return {"emptied_token_maps": emptied, "kept_for_holds": len(held)}

    def _step_transcripts(self, ref: str, ctx: AccessContext, job: _Job) -> StepCounts:
        # Found afresh (not from the plan), so a rerun after a crash also finds messages a
        # turn stored between the plan and this step; deleting is safe to repeat.
        held = self._held(job)
        conversations = self._all_conversations(job.subject_id)
        messages = 0
        with self._db.begin() as conn:
            for conversation_id in conversations:
                if conversation_id not in held:
                    messages += self._transcripts.delete_conversation(conversation_id, conn=conn)
            if not held:
                messages += self._transcripts.delete_subject(job.subject_id, conn=conn)
        return {"messages": messages, "kept_for_holds": len(held)}

    def _step_vault(self, ref: str, ctx: AccessContext, job: _Job) -> StepCounts:
        if self._held(job):
            try:
                view = self._vault.get_subject(ref, ctx=ctx)
            except SubjectNotFound:
                return {"fields": 0, "key_destroyed": False}
            if view.fields:
                self._vault.update_fields(ref, dict.fromkeys(view.fields), ctx=ctx)
            return {"fields": len(view.fields), "key_destroyed": False}
        try:
            receipt = self._vault.erase_subject(ref, ctx=ctx)
        except SubjectNotFound:
            if self._subject_exists(job.subject_id):
                raise
            return {"fields": 0, "conversations": 0, "key_destroyed": True, "resumed": True}
        return {
            "fields": receipt.fields,
            "conversations": receipt.conversations,
            "key_destroyed": True,
        }

    def _subject_exists(self, subject_id: str) -> bool:
        with self._db.begin() as conn:
            return conn.execute(select(_S.c.id).where(_S.c.id == subject_id)).first() is not None
