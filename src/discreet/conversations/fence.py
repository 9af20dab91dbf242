"""Erasure and in-flight turns, serialised per subject.

A turn reads the subject, waits for the model, then stores its transcript and audit
record. An erasure that completes while the model thinks must not be followed by that
turn writing the erased customer's (pseudonymised) messages back. So the turn's final
transaction calls `fence_subject` before it writes anything:

* the subject's row is locked for share (PostgreSQL; SQLite serialises writers anyway),
  and the erasure locks it for update when it creates its job (`Eraser._new_job`), so
  one of the two transactions waits for the other;
* a subject whose row is gone, or with an erasure job that is running, refuses the
  write (`SubjectErasing`): the turn writes nothing and answers 409.

The erasure jobs belong to `rights/`, above this package: their owner answers "is an
erasure of this subject running" (`RunningErasures`, implemented by
`rights.erasure.ErasureJobRecords`), and the wiring (`discreet.wiring.build_services`)
hands it to the gateway, which passes it to every `ConversationStates.record_turn`.

A blocked erasure (a legal hold) does not stop turns: nothing is being erased.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Connection

from discreet.errors import Conflict
from discreet.vault.records import lock_subject


class SubjectErasing(Conflict, code="subject_erased"):
    """The subject was erased, or is being erased, while the turn ran."""


class RunningErasures(Protocol):
    """Whether an erasure of a subject is running (its jobs' owner answers)."""

    def erasing(self, conn: Connection, tenant: str, subject_id: str) -> bool:
        """True while an erasure of the subject runs, read in `conn`'s transaction."""
        ...


def fence_subject(
    conn: Connection, tenant: str, subject_id: str, erasures: RunningErasures
) -> None:
    """Raise `SubjectErasing` unless the subject exists and no erasure of it runs; holds
    a share lock on its row until `conn`'s transaction ends."""
    if not lock_subject(conn, subject_id, exclusive=False):
        raise SubjectErasing("the customer's data was erased while this turn ran")
    if erasures.erasing(conn, tenant, subject_id):
        raise SubjectErasing("the customer's data is being erased; the turn was not stored")


__all__ = ["RunningErasures", "SubjectErasing", "fence_subject"]
