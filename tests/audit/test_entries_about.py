"""Reading one subject's audit records: all of them, only theirs, in chain order, by index."""

from __future__ import annotations

from sqlalchemy import inspect

from discreet.audit import AccessContext, AuditEvent, AuditLog, Outcome


def _append(log: AuditLog, ctx: AccessContext, subject: str | None, n: int) -> None:
    log.append(
        AuditEvent(
            ctx=ctx,
            tenant="default",
            action="test.read",
            outcome=Outcome.OK,
            subject=subject,
            details={"n": n},
        )
    )


def test_entries_about_returns_the_subjects_records_across_pages(
    store_env, ctx: AccessContext
) -> None:
    log = AuditLog(store_env.data_db())
    for n in range(7):
        _append(log, ctx, "sub_a" if n % 2 == 0 else "sub_b", n)
    _append(log, ctx, None, 7)

    about_a = list(log.entries_about("sub_a", page=2))  # several pages
    assert [e.details["n"] for e in about_a] == [0, 2, 4, 6]
    assert {e.subject for e in about_a} == {"sub_a"}
    assert [e.seq for e in about_a] == sorted(e.seq for e in about_a)
    assert [e.details["n"] for e in log.entries_about("sub_b")] == [1, 3, 5]
    assert list(log.entries_about("sub_unknown")) == []
    assert log.verify().ok


def test_the_subject_column_is_indexed(store_env) -> None:
    db = store_env.data_db()
    with db.begin() as conn:
        indexes = inspect(conn).get_indexes("audit_log")
    assert {"name": "ix_audit_log_subject", "columns": ["subject"]} in [
        {"name": i["name"], "columns": i["column_names"]} for i in indexes
    ]
