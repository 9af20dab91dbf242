"""The incident register: the 72-hour clock across time zones and DST, the lifecycle,
drafts in four languages, opening from guard blocks, and its subject-data holder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from tests.consent.fakes import FakeClock

from discreet.audit import AccessContext, ActorKind, LegalBasis
from discreet.audit.context import Outcome
from discreet.audit.log import AuditEvent, AuditLog
from discreet.errors import Conflict, InvalidInput
from discreet.ops.incidents import (
    IncidentRegister,
    IncidentSubjects,
    Kind,
    Severity,
    State,
    clock_status,
    parse_local_time,
)
from discreet.ops.notifications import LANGUAGES, draft
from discreet.store.models import table_of
from discreet.store.ops_models import IncidentEventRow
from discreet.subjectdata import NOTHING_HELD, Held, SubjectScope


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock(datetime(2026, 10, 23, 9, 0, tzinfo=UTC))


@pytest.fixture
def register(store_env, fake_clock) -> IncidentRegister:
    return IncidentRegister(store_env.data_db(), tenant="default", clock=fake_clock)


def test_clock_counts_elapsed_hours_across_the_autumn_dst_change() -> None:
    # Aware Friday 23 Oct 2026 10:00 in Amsterdam (CEST, +02:00); clocks go back on Sunday
    # 25 Oct. 72 elapsed hours later is Monday 09:00 CET on the wall clock, not 10:00.
    aware = parse_local_time("2026-10-23T10:00", "Europe/Amsterdam")
    assert aware == datetime(2026, 10, 23, 8, 0, tzinfo=UTC)
    status = clock_status(aware, None, aware)
    assert status.deadline == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    assert "2026-10-26 09:00 CET" in status.describe("Europe/Amsterdam")


def test_clock_across_the_spring_dst_change_in_new_york() -> None:
    # 7 Mar 2026 12:00 EST; clocks go forward on 8 Mar: the deadline reads 13:00 EDT.
    aware = parse_local_time("2026-03-07T12:00", "America/New_York")
    status = clock_status(aware, None, aware)
    assert "2026-03-10 13:00 EDT" in status.describe("America/New_York")
    assert status.deadline - aware == timedelta(hours=72)


def test_same_instant_typed_in_two_zones_gives_one_deadline() -> None:
    tokyo = parse_local_time("2026-12-01T18:00", "Asia/Tokyo")
    london = parse_local_time("2026-12-01T09:00", "Europe/London")
    explicit = parse_local_time("2026-12-01T09:00:00+00:00", "Asia/Tokyo")  # offset wins
    assert tokyo == london == explicit


def test_nonexistent_and_ambiguous_local_times_are_refused() -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        parse_local_time("2026-03-29T02:30", "Europe/Amsterdam")
    with pytest.raises(InvalidInput, match="ambiguous"):
        parse_local_time("2026-10-25T02:30", "Europe/Amsterdam")
    with pytest.raises(InvalidInput, match="time zone"):
        parse_local_time("2026-10-25T02:30", "Mars/Olympus")
    with pytest.raises(InvalidInput, match="ISO-8601"):
        parse_local_time("yesterday", "UTC")
    # With the offset, the repeated hour is fine.
    assert parse_local_time("2026-10-25T02:30+01:00", "Europe/Amsterdam") == datetime(
        2026, 10, 25, 1, 30, tzinfo=UTC
    )


def test_lifecycle_overdue_notify_close(register, fake_clock) -> None:
    incident = register.open(
        title="Mailing list export sent to the wrong partner",
        kind=Kind.CONFIDENTIALITY,
        severity=Severity.HIGH,
        actor="dpo",
        aware_at=fake_clock.now - timedelta(hours=2),
        categories=["contact", "identity"],
        subjects=["subj-a", "subj-b"],
        subject_count=120,
    )
    assert incident.state == State.OPEN and incident.subject_count == 120
    assert incident.clock(fake_clock.now).remaining == timedelta(hours=70)
    assert register.overdue() == []
    fake_clock.advance(hours=71)
    assert [i.id for i in register.overdue()] == [incident.id]
    # Closing without a notification or a recorded decision is refused.
    with pytest.raises(Conflict, match="decision"):
        register.close(incident.id, actor="dpo", summary="done")
    notified = register.notify(incident.id, to="authority", actor="dpo", reference="AP-1")
    assert notified.state == State.NOTIFIED and notified.clock(fake_clock.now).late
    assert register.overdue() == []
    assert "after the 72-hour deadline" in notified.timeline[-1].text
    closed = register.close(incident.id, actor="dpo", summary="partner deleted the file")
    assert closed.state == State.CLOSED
    assert [e.kind for e in closed.timeline] == ["opened", "notified_authority", "closed"]
    with pytest.raises(Conflict):
        register.note(incident.id, "late note", actor="dpo")


def test_decision_not_to_notify_allows_closing(register) -> None:
    incident = register.open(
        title="Laptop lost, disk encrypted",
        kind=Kind.AVAILABILITY,
        severity=Severity.LOW,
        actor="dpo",
    )
    register.note(incident.id, "No notification: encrypted, no risk", actor="dpo", decision=True)
    assert register.close(incident.id, actor="dpo", summary="closed").state == State.CLOSED


def test_notes_are_masked_before_they_are_stored(register, store_env) -> None:
    incident = register.open(
        title="Wrong recipient for marieke.oosterhout@voorbeeld.nl",
        kind=Kind.CONFIDENTIALITY,
        severity=Severity.MEDIUM,
        actor="dpo",
    )
    register.note(incident.id, "Customer called from +31 6 48213577 about it", actor="dpo")
    dump = store_env.raw_dump()
    assert b"marieke.oosterhout" not in dump and b"48213577" not in dump
    shown = register.get(incident.id)
    assert "<EMAIL_ADDRESS>" in shown.title
    assert "<PHONE_NUMBER>" in shown.timeline[-1].text


def test_notification_before_awareness_or_in_future_is_refused(register, fake_clock) -> None:
    incident = register.open(title="t", kind=Kind.INTEGRITY, severity=Severity.LOW, actor="dpo")
    with pytest.raises(InvalidInput, match="before"):
        register.notify(
            incident.id, to="authority", actor="dpo", at=fake_clock.now - timedelta(days=1)
        )
    with pytest.raises(InvalidInput, match="future"):
        register.notify(
            incident.id, to="authority", actor="dpo", at=fake_clock.now + timedelta(days=1)
        )
    with pytest.raises(InvalidInput, match="authority or subjects"):
        register.notify(incident.id, to="press", actor="dpo")


@pytest.mark.parametrize("language", LANGUAGES)
def test_drafts_in_four_languages_carry_the_facts(register, fake_clock, language) -> None:
    incident = register.open(
        title="t",
        kind=Kind.CONFIDENTIALITY,
        severity=Severity.HIGH,
        actor="dpo",
        categories=["financial"],
        subject_count=37,
    )
    fake_clock.advance(hours=80)
    authority = draft(incident, to="authority", language=language, now=fake_clock.now)
    customer = draft(incident, to="subjects", language=language, now=fake_clock.now)
    heading = {"en": "article 33", "nl": "artikel 33", "de": "Artikel 33", "fr": "article 33"}
    assert heading[language] in authority
    assert incident.id in authority and "37" in authority and "financial" in authority
    # Notified late: the art. 33(1) reasons for the delay are asked for.
    assert authority.count("[TO COMPLETE") == 4
    assert "financial" in customer and "37" not in customer
    assert customer.count("[TO COMPLETE") == 3


def test_drafts_refuse_unknown_language(register) -> None:
    incident = register.open(title="t", kind=Kind.INTEGRITY, severity=Severity.LOW, actor="d")
    with pytest.raises(InvalidInput, match="en, nl, de, fr"):
        draft(incident, to="authority", language="es")


def test_guard_blocks_in_the_audit_log_open_incidents_once(store_env) -> None:
    # The audit log stamps real time, so this register runs on the system clock.
    register = IncidentRegister(store_env.data_db(), tenant="default")
    log = AuditLog(store_env.data_db())
    ctx = AccessContext(
        actor="support",
        purpose="customer_support",
        legal_basis=LegalBasis.CONTRACT,
        actor_kind=ActorKind.ASSISTANT,
    )
    log.append(
        AuditEvent(
            ctx=ctx,
            tenant="default",
            action="incident.cross_subject_leak",
            outcome=Outcome.DENIED,
            subject="subj-owner",
            details={
                "conversation": "c1",
                "entity_types": "EMAIL_ADDRESS,IBAN",
                "other_subjects": 2,
            },
        )
    )
    log.append(AuditEvent(ctx=ctx, tenant="default", action="gateway.turn", outcome=Outcome.OK))
    opened = register.open_from_guard_blocks(log.entries())
    assert len(opened) == 1
    incident = opened[0]
    assert incident.source == "guard_block" and incident.subject_count == 3
    assert set(incident.categories) == {"contact", "financial"}
    assert register.open_from_guard_blocks(log.entries()) == []  # not twice


def test_holder_exports_erases_and_expires(register, store_env, fake_clock) -> None:
    holder = IncidentSubjects(store_env.data_db(), clock=fake_clock)
    incident = register.open(
        title="t",
        kind=Kind.CONFIDENTIALITY,
        severity=Severity.LOW,
        actor="dpo",
        subjects=["subj-a", "subj-b"],
    )
    scope = SubjectScope("default", "subj-a")
    assert [r["incident"] for r in holder.export(scope)] == [incident.id]
    assert holder.erase(scope, Held(subjects=frozenset({"subj-a"}))) == 0
    assert holder.erase(scope, NOTHING_HELD) == 1
    assert holder.export(scope) == []
    # The incident keeps its count after an erasure (art. 33(5) documentation).
    assert register.get(incident.id).subject_count == 2

    def days(kind: str, category: str | None) -> int | None:
        return 30 if kind == "audit_records" else None

    later = fake_clock.now + timedelta(days=31)
    assert holder.forecast("default", fake_clock.now, 40, days, NOTHING_HELD)[0].count == 1
    dry = holder.expire("default", later, days, NOTHING_HELD, dry_run=True)
    assert dry[0].deleted == 1
    assert holder.export(SubjectScope("default", "subj-b")) != []
    holder.expire("default", later, days, NOTHING_HELD)
    assert holder.export(SubjectScope("default", "subj-b")) == []
    # Timeline entries survive (they name no subject).
    with store_env.data_db().read() as conn:
        assert conn.execute(select(table_of(IncidentEventRow))).first() is not None


def test_cli_open_list_notify_draft_close(store_env, cli) -> None:
    env = {**store_env.environ(), "DISCREET_TENANT": "default"}
    opened = cli(
        [
            "incidents",
            "open",
            "--title",
            "Export mailed to wrong partner",
            "--severity",
            "high",
            "--aware",
            "2026-12-01T10:00",
            "--tz",
            "Europe/Amsterdam",
            "--category",
            "contact",
            "--subjects",
            "12",
            "--actor",
            "dpo",
        ],
        env,
    )
    assert opened.exit_code == 0, opened.output
    incident_id = opened.output.split()[1].rstrip(":")
    listed = cli(["incidents", "list", "--json"], env)
    [item] = __import__("json").loads(listed.output)
    assert item["id"] == incident_id and item["subject_count"] == 12
    assert item["aware_at"].startswith("2026-12-01T09:00:00")
    drafted = cli(
        [
            "incidents",
            "notify",
            incident_id,
            "--draft",
            "--language",
            "nl",
            "--tz",
            "Europe/Amsterdam",
        ],
        env,
    )
    assert "Melding van een datalek" in drafted.output and "12" in drafted.output
    bad = cli(["incidents", "open", "--title", "x", "--kind", "theft"], env)
    assert bad.exit_code == 2 and "confidentiality, integrity, availability" in bad.output
    missing = cli(["incidents", "show", "INC-nope"], env)
    assert missing.exit_code == 3
    notified = cli(["incidents", "notify", incident_id, "--actor", "dpo"], env)
    assert notified.exit_code == 0, notified.output
    # "INC-...: authority notified <when>", said once (it used to repeat "authority notified")
    assert notified.output.startswith(f"{incident_id}: authority notified ")
    assert notified.output.count("notified") == 1, notified.output
    closed = cli(["incidents", "close", incident_id, "Partner deleted the file"], env)
    assert closed.exit_code == 0
    shown = cli(["incidents", "show", incident_id], env)
    assert "closed" in shown.output and "notified_authority" in shown.output


def test_holder_follows_the_policys_audit_record_retention(
    register, store_env, fake_clock, policy
) -> None:
    from discreet.policy import RecordKind

    register.open(title="t", kind=Kind.INTEGRITY, severity=Severity.LOW, actor="d", subjects=["s1"])
    holder = IncidentSubjects(store_env.data_db(), clock=fake_clock)

    def days(kind: str, category: str | None) -> int | None:
        return policy.retention_days(RecordKind(kind), category)

    [due] = holder.forecast("default", fake_clock.now, 400, days, NOTHING_HELD)
    assert due.days == policy.retention_days(RecordKind.AUDIT_RECORDS) and due.count == 1
