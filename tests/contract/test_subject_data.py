"""The subject-data contract: every table of personal data has one holder, and every
holder honours export / erase / expire / forecast (ARCHITECTURE principle 7).

Each holder is run over real stores (SQLite, and PostgreSQL when configured) holding two
subjects, Alice and Bob, each with two conversations, seeded through the project's own
APIs. A holder registered without a seeder here fails the test: a new table of personal
data must show how its rows come about before it can claim to govern them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.conftest import StoreEnv

from discreet.audit import AccessContext
from discreet.consent.limits import LimitKind, ProcessingLimits
from discreet.consent.records import ConsentRegistry
from discreet.console.reveals import RevealGrants
from discreet.conversations.states import ConversationStates, TurnUpdate
from discreet.conversations.transcripts import Transcripts, TranscriptStore
from discreet.export.records import ExportRecords, PlannedItem
from discreet.ops.incidents import IncidentRegister, Kind, Severity
from discreet.policy import Policy
from discreet.retention import ConversationCloser
from discreet.rights.erasure import Eraser, ErasureJobRecords
from discreet.rights.holds import release_hold, set_hold
from discreet.rights.requests import RequestBook, RequestKind
from discreet.store.models import Base
from discreet.subjectdata import PERSONAL_DATA, Held, Holders, SubjectData, SubjectScope
from discreet.vault import Vault
from discreet.wiring import HOLDERS, vault_holders

TENANT = "default"
DAYS = 30
LATER = datetime.now(UTC) + timedelta(days=10 * DAYS)
"""Long after every seeded row's retention of DAYS."""


def every_kind(kind: str, category: str | None) -> int:
    return DAYS


@dataclass
class Person:
    ref: str
    email: str
    subject_id: str
    conversations: tuple[str, str]

    @property
    def scope(self) -> SubjectScope:
        return SubjectScope(TENANT, self.subject_id, frozenset(self.conversations))


@dataclass
class World:
    env: StoreEnv
    vault: Vault
    holders: Holders
    ctx: AccessContext
    policy: Policy
    alice: Person
    bob: Person


Seeder = Callable[[World, Person], None]


def _bindings(w: World, p: Person) -> None:
    for conversation in p.conversations:
        w.vault.bind_conversation(conversation, p.ref, ctx=w.ctx)
        w.vault.save_token_map(conversation, {"[EMAIL_1]": p.email}, ctx=w.ctx)


def _transcripts(w: World, p: Person) -> None:
    store = TranscriptStore(w.vault.data_store, TENANT)
    for conversation in p.conversations:
        store.append(
            conversation,
            [("user", "mail me at [EMAIL_1]"), ("assistant", "done")],
            at=datetime.now(UTC),
            subject=p.subject_id,
        )


def _states(w: World, p: Person) -> None:
    db = w.vault.data_store
    states = ConversationStates(db, w.vault.audit_log, TENANT)
    for conversation in p.conversations:
        states.record_turn(
            TurnUpdate(conversation, "support", p.subject_id), [], erasures=ErasureJobRecords(db)
        )
    closer = ConversationCloser(db, w.vault.key_store, w.policy, tenant=TENANT)
    closer.close_many(list(p.conversations), ctx=w.ctx)


def _consents(w: World, p: Person) -> None:
    registry = ConsentRegistry(w.vault.data_store, tenant=TENANT)
    registry.grant(p.subject_id, "marketing", notice_version="v1", channel="web", ctx=w.ctx)
    registry.withdraw(p.subject_id, "marketing", notice_version="v1", channel="web", ctx=w.ctx)


def _limits(w: World, p: Person) -> None:
    limits = ProcessingLimits(w.vault.data_store, tenant=TENANT)
    limits.set(p.subject_id, LimitKind.RESTRICTION, reason="contested accuracy", ctx=w.ctx)
    limits.lift(p.subject_id, LimitKind.RESTRICTION, ctx=w.ctx)


def _requests(w: World, p: Person) -> None:
    book = RequestBook(w.vault.data_store, tenant=TENANT)
    request = book.receive(p.subject_id, RequestKind.ACCESS, channel="email", ctx=w.ctx)
    book.reject(request.id, "identity not confirmed", ctx=w.ctx)


def _erasure_jobs(w: World, p: Person) -> None:
    Eraser(w.vault, w.holders).erase(p.ref, ctx=w.ctx, subject_id=p.subject_id)


def _holds(w: World, p: Person) -> None:
    db = w.vault.data_store
    hold = set_hold(db, tenant=TENANT, reason="litigation", ctx=w.ctx, subject_id=p.subject_id)
    release_hold(db, hold.id, tenant=TENANT, ctx=w.ctx)


def _incidents(w: World, p: Person) -> None:
    register = IncidentRegister(w.vault.data_store, tenant=TENANT)
    register.open(
        title="misdirected answer",
        kind=Kind.CONFIDENTIALITY,
        severity=Severity.LOW,
        actor="contract-test",
        subjects=[p.subject_id],
    )


def _exports(w: World, p: Person) -> None:
    items = [PlannedItem(c, p.subject_id, 0, {"language": "nl"}) for c in p.conversations]
    ExportRecords(w.vault.data_store).create(
        f"run-{p.ref}",
        tenant=TENANT,
        kind="training",
        params={},
        partitions=1,
        actor="contract-test",
        items=items,
    )


def _reveals(w: World, p: Person) -> None:
    grants = RevealGrants(w.vault.data_store)
    for conversation in p.conversations:
        grants.grant(
            TENANT,
            "lead",
            item="[EMAIL_1]",
            reason="caller_verification",
            note="caller asked",
            minutes=15,
            conversation_id=conversation,
        )
    grants.grant(
        TENANT,
        "lead",
        item="email",
        reason="caller_verification",
        note="caller asked",
        minutes=15,
        subject_id=p.subject_id,
    )


SEEDERS: dict[str, Seeder] = {
    "subject_records": lambda w, p: None,  # every world's subjects have fields
    "conversation_bindings": _bindings,
    "transcripts": _transcripts,
    "conversation_states": _states,
    "consent_records": _consents,
    "processing_limits": _limits,
    "rights_requests": _requests,
    "erasure_jobs": _erasure_jobs,
    "legal_holds": _holds,
    "ops_incident_subjects": _incidents,
    "exports": _exports,
    "console_reveal_grants": _reveals,
}
NAMES = list(SEEDERS)


def _dump(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, sort_keys=True, default=str)


def _world(store_env: StoreEnv, ctx: AccessContext, policy: Policy) -> World:
    vault = store_env.open_vault()
    people = []
    for name in ("alice", "bob"):
        ref, email = f"CUST-{name.upper()}-1", f"{name}.contract@voorbeeld.nl"
        subject_id = vault.put_subject(ref, {"email": email}, ctx=ctx)
        people.append(Person(ref, email, subject_id, (f"conv-{name}-1", f"conv-{name}-2")))
    holders = vault_holders(vault)
    return World(store_env, vault, holders, ctx, policy, people[0], people[1])


@pytest.fixture
def world(store_env: StoreEnv, ctx: AccessContext, policy: Policy) -> World:
    return _world(store_env, ctx, policy)


def test_every_table_of_personal_data_has_exactly_one_holder(world: World) -> None:
    marked = {t.name for t in Base.metadata.tables.values() if t.info.get(PERSONAL_DATA)}
    owners = world.holders.owners()
    assert set(owners) == marked, "a table of personal data without a holder, or the reverse"
    assert len(world.holders) == len(HOLDERS)
    assert sorted(h.name for h in world.holders) == sorted(SEEDERS), "a holder without a seeder"
    for holder in world.holders:
        assert isinstance(holder, SubjectData)


def test_a_table_cannot_be_claimed_twice(world: World) -> None:
    class Again(Transcripts):
        name = "transcripts_again"

    with pytest.raises(ValueError, match="'conversation_messages' is owned by 'transcripts'"):
        world.holders.register(Again(world.vault.data_store))
    with pytest.raises(ValueError, match="already registered"):
        world.holders.register(vault_holders(world.vault)["transcripts"])


def _seeded(world: World, name: str) -> SubjectData:
    for person in (world.alice, world.bob):
        SEEDERS[name](world, person)
    return world.holders[name]


@pytest.mark.parametrize("name", NAMES)
def test_export_holds_the_subjects_rows_and_only_theirs(world: World, name: str) -> None:
    holder = _seeded(world, name)
    alice, bob = world.alice, world.bob
    mine = _dump(holder.export(alice.scope))
    assert holder.export(alice.scope), f"{name} exported nothing of Alice's"
    for foreign in (bob.subject_id, bob.email, *bob.conversations):
        assert foreign not in mine, f"{name} exported Bob's data for Alice"


@pytest.mark.parametrize("name", NAMES)
def test_erase_deletes_the_subjects_rows_keeping_held_ones(world: World, name: str) -> None:
    holder = _seeded(world, name)
    alice, bob = world.alice, world.bob
    before_alice, before_bob = holder.export(alice.scope), holder.export(bob.scope)

    # A hold on the subject keeps everything.
    assert holder.erase(alice.scope, Held(subjects=frozenset({alice.subject_id}))) == 0
    assert holder.export(alice.scope) == before_alice

    kept = alice.conversations[0]
    erased = holder.erase(alice.scope, Held(conversations=frozenset({kept})))
    after = holder.export(alice.scope)
    if holder.erasable:
        assert erased > 0
        assert all(kept in _dump([row]) for row in after), f"{name} kept unheld rows"
        assert len(after) < len(before_alice)
        assert holder.erase(alice.scope, Held(conversations=frozenset({kept}))) == 0
    else:  # evidence the law makes us keep: it holds the pseudonym only
        assert erased == 0 and after == before_alice
    assert holder.export(bob.scope) == before_bob, f"{name} erased Bob's rows for Alice"


@pytest.mark.parametrize("name", NAMES)
def test_expire_deletes_past_retention_rows_except_held(world: World, name: str) -> None:
    holder = _seeded(world, name)
    alice, bob = world.alice, world.bob
    held = Held(subjects=frozenset({bob.subject_id}), conversations=frozenset(bob.conversations))
    before_alice, before_bob = holder.export(alice.scope), holder.export(bob.scope)

    # Nothing is due yet.
    now = datetime.now(UTC)
    assert sum(line.deleted for line in holder.expire(TENANT, now, every_kind, held)) == 0

    dry = holder.expire(TENANT, LATER, every_kind, held, dry_run=True)
    assert sum(line.deleted for line in dry) > 0, f"{name} found nothing due"
    assert sum(line.held for line in dry) > 0, f"{name} did not count Bob's held rows"
    assert holder.export(alice.scope) == before_alice, "a dry run changed something"
    assert holder.export(bob.scope) == before_bob

    done = holder.expire(TENANT, LATER, every_kind, held)
    assert [(x.kind, x.category, x.deleted) for x in done] == [
        (x.kind, x.category, x.deleted) for x in dry
    ], "the dry run did not count what the run deleted"
    assert holder.export(alice.scope) != before_alice, f"{name} expired none of Alice's rows"
    assert holder.export(bob.scope) == before_bob, f"{name} expired held rows"
    # No retention rule for a kind: its rows are kept.
    assert holder.expire(TENANT, LATER, lambda kind, category: None, Held()) == []


@pytest.mark.parametrize("name", NAMES)
def test_forecast_says_when_rows_fall_due(world: World, name: str) -> None:
    holder = _seeded(world, name)
    held = Held(subjects=frozenset({world.bob.subject_id}))
    now = datetime.now(UTC)
    soon = holder.forecast(TENANT, now, 2 * DAYS, every_kind, held)
    days = [line for line in soon if line.on is not None]
    assert days and sum(line.count for line in days) > 0, f"{name} forecast nothing"
    assert all(now.date() < line.on <= (now + timedelta(days=2 * DAYS)).date() for line in days)
    assert not [line for line in soon if line.on is None and not line.later]

    overdue = holder.forecast(TENANT, LATER, DAYS, every_kind, held)
    due = [line for line in overdue if line.on is None and not line.later]
    assert sum(line.count for line in due) > 0 and all(line.days == DAYS for line in due[:1])
    assert sum(line.held for line in due) > 0, f"{name} forecast Bob's held rows as free"
    assert sum(line.count for line in holder.forecast(TENANT, now, 1, every_kind, held)) > 0
