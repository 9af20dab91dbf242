"""The hash chain: vault calls are recorded without values; tampering is found and named."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, select, update

from discreet.audit import AccessContext, ActorKind, AuditEvent, AuditLog, Outcome
from discreet.store.models import AuditHead, AuditRecord, table_of
from discreet.vault import SubjectNotFound, Vault

LOG = table_of(AuditRecord)
HEAD = table_of(AuditHead)


@pytest.fixture
def log_with_records(store_env, ctx: AccessContext) -> AuditLog:
    log = AuditLog(store_env.data_db())
    for i in range(6):
        log.append(
            AuditEvent(
                ctx=ctx,
                tenant="default",
                action=f"test.{i}",
                outcome=Outcome.OK,
                fields=("email",),
                categories=("contact",),
                details={"n": i},
            )
        )
    return log


def test_vault_calls_are_recorded_without_values(
    filled_vault: Vault, ctx: AccessContext, sample_subjects
) -> None:
    filled_vault.get_subject("CUST-48213", fields=["email", "iban"], ctx=ctx)
    with pytest.raises(SubjectNotFound):
        filled_vault.get_subject("CUST-99999", ctx=ctx)
    entries = list(filled_vault.audit_log.entries())
    assert [e.action for e in entries] == [
        "subject.create",
        "subject.create",
        "subject.read",
        "subject.read",
    ]
    read, missing = entries[2], entries[3]
    assert read.fields == ("email", "iban") and read.categories == ("contact", "financial")
    assert read.subject == filled_vault.subject_id("CUST-48213", ctx=ctx)
    assert (read.actor, read.actor_kind, read.purpose, read.legal_basis) == (
        "agent-7",
        "user",
        "customer_service",
        "contract",
    )
    assert read.outcome == "ok" and missing.outcome == "not_found" and missing.subject is None
    text = json.dumps([e.as_dict() for e in filled_vault.audit_log.entries()])
    for ref, fields in sample_subjects.items():
        assert ref not in text and "99999" not in text
        for value in fields.values():
            assert value not in text
    assert filled_vault.audit_log.verify().ok


def test_intact_chain_verifies(log_with_records: AuditLog) -> None:
    result = log_with_records.verify()
    assert result.ok and result.records == 6 and result.first_bad_seq is None


def test_empty_log_verifies(store_env) -> None:
    assert AuditLog(store_env.data_db()).verify().ok


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("outcome", "denied"),
        ("actor", "someone-else"),
        ("fields", '["iban"]'),
        ("ts", "2020-01-01T00:00:00.000000Z"),
    ],
)
def test_edited_record_is_named(
    store_env, log_with_records: AuditLog, column: str, value: str
) -> None:
    with store_env.data_db().begin() as conn:
        conn.execute(update(LOG).where(LOG.c.seq == 4).values({column: value}))
    result = log_with_records.verify()
    assert not result.ok and result.first_bad_seq == 4 and "hash" in (result.reason or "")


def test_edited_record_with_recomputed_hash_breaks_the_next_link(
    store_env, log_with_records: AuditLog
) -> None:
    entry = list(log_with_records.entries())[2]  # seq 3
    forged = type(entry)(**{**entry.as_dict(), "outcome": "denied", "categories": (), "fields": ()})
    new_hash = forged.computed_hash()
    with store_env.data_db().begin() as conn:
        conn.execute(
            update(LOG)
            .where(LOG.c.seq == 3)
            .values(outcome="denied", categories="[]", fields="[]", hash=new_hash)
        )
    result = log_with_records.verify()
    assert not result.ok and result.first_bad_seq == 4 and "prev_hash" in (result.reason or "")


def test_deleted_record_is_named(store_env, log_with_records: AuditLog) -> None:
    with store_env.data_db().begin() as conn:
        conn.execute(delete(LOG).where(LOG.c.seq == 3))
    result = log_with_records.verify()
    assert not result.ok and result.first_bad_seq == 4 and "missing" in (result.reason or "")


def test_deleted_tail_is_found_via_the_chain_head(store_env, log_with_records: AuditLog) -> None:
    with store_env.data_db().begin() as conn:
        conn.execute(delete(LOG).where(LOG.c.seq >= 5))
    result = log_with_records.verify()
    assert not result.ok and result.first_bad_seq == 5 and result.records == 4


def test_reordered_records_are_named(store_env, log_with_records: AuditLog) -> None:
    with store_env.data_db().begin() as conn:
        rows = {r.seq: dict(r._mapping) for r in conn.execute(select(LOG)).all()}
        conn.execute(delete(LOG).where(LOG.c.seq.in_([2, 3])))
        swapped = [{**rows[3], "seq": 2}, {**rows[2], "seq": 3}]
        conn.execute(LOG.insert(), swapped)
    result = log_with_records.verify()
    assert not result.ok and result.first_bad_seq == 2


def test_appends_continue_after_a_verified_chain(
    log_with_records: AuditLog, ctx: AccessContext
) -> None:
    system = AccessContext("retention-job", "retention", "legal_obligation", ActorKind.SYSTEM)
    entry = log_with_records.append(
        AuditEvent(ctx=system, tenant="default", action="x", outcome=Outcome.OK)
    )
    assert entry.seq == 7 and entry.actor_kind == "system"
    assert log_with_records.verify().ok
    assert log_with_records.head() == (7, entry.hash)
