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

A blocked erasure (a legal hold) does not stop turns: nothing is being erased.
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, select

from discreet.errors import Conflict
from discreet.store.driver import DriverStatement
from discreet.store.governance_models import ErasureJobRow
from discreet.store.models import table_of
from discreet.vault.records import lock_subject

_J = table_of(ErasureJobRow)
# Every chat turn's last transaction runs it: built once, on the driver's cursor.
_RUNNING = DriverStatement(
    select(_J.c.id).where(
        _J.c.tenant == bindparam("tenant"),
        _J.c.subject_id == bindparam("subject"),
        _J.c.state == "running",
    )
)


class SubjectErasing(Conflict, code="subject_erased"):
    """The subject was erased, or is being erased, while the turn ran."""


def fence_subject(conn: Connection, tenant: str, subject_id: str) -> None:
    """Raise `SubjectErasing` unless the subject exists and no erasure of it runs; holds
    a share lock on its row until `conn`'s transaction ends."""
    if not lock_subject(conn, subject_id, exclusive=False):
        raise SubjectErasing("the customer's data was erased while this turn ran")
    running = _RUNNING.first(conn, {"tenant": tenant, "subject": subject_id})
    if running is not None:
        raise SubjectErasing("the customer's data is being erased; the turn was not stored")


__all__ = ["SubjectErasing", "fence_subject"]
