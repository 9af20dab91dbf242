"""Filling the demo tenant: synthetic customers in the vault and a few past conversations.

Both steps are idempotent. Customers go through the vault's bulk importer with
``skip_bad``: a reference that already exists is skipped, so a second run (or a run with
more customers) adds only what is missing. Past conversations are stored as
*pseudonymised* transcripts (`TranscriptStore`): tokens such as ``[PERSON_1]`` in place of
values, exactly what the gateway itself keeps after a turn, bound to their customer in the
vault so access requests, erasure and retention find them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from discreet.audit.context import AccessContext, ActorKind, LegalBasis
from discreet.conversations.transcripts import TranscriptStore
from discreet.demo.synthetic import Locale, SyntheticCustomer
from discreet.errors import InvalidInput
from discreet.vault import SubjectRecord, Vault

SEED_CONTEXT = AccessContext(
    actor="discreet-demo",
    purpose="demo_setup",
    legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
    actor_kind=ActorKind.SYSTEM,
)
"""Who seeds the demo tenant, as the audit log records it."""

_EXISTS = "already exists"
"""How the vault's importer words a reference it already holds (see `Vault.import_subjects`)."""

PAST_CONVERSATION_EVERY = 10
"""One customer in ten has a past conversation: a few, like a shop's real history."""

_PAST_TURNS: dict[Locale, tuple[tuple[str, str], ...]] = {
    "en": (
        ("user", "Hi, this is [PERSON_1]. Where is my order [ORDER_ID_1]?"),
        (
            "assistant",
            "Hello [PERSON_1], your order [ORDER_ID_1] is on its way and should arrive "
            "within two working days.",
        ),
        ("user", "Great, thanks!"),
        ("assistant", "You're welcome, [PERSON_1]. Have a nice day."),
    ),
    "nl": (
        ("user", "Hoi, met [PERSON_1]. Waar blijft mijn bestelling [ORDER_ID_1]?"),
        (
            "assistant",
            "Hallo [PERSON_1], je bestelling [ORDER_ID_1] is onderweg en wordt binnen "
            "twee werkdagen bezorgd.",
        ),
        ("user", "Top, bedankt!"),
        ("assistant", "Graag gedaan, [PERSON_1]. Fijne dag nog."),
    ),
}


class DemoSetupError(InvalidInput, ValueError):
    """The demo cannot be set up as asked: its directory is not usable, or an edited
    ``discreet.yaml`` no longer fits the synthetic customers (messages name the path,
    lines and fields, never values)."""


@dataclass(frozen=True, slots=True)
class SeedReport:
    """Counts only (the demo prints them)."""

    imported: int
    already_present: int
    conversations_added: int
    conversations_present: int


def import_customers(
    vault: Vault,
    customers: Iterable[SyntheticCustomer],
    *,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Import `customers`; returns (imported, already present).

    Raises DemoSetupError when a row fails for another reason than existing already (for
    example an edited ``discreet.yaml`` that no longer names a field): the demo would be
    half-seeded otherwise. The reasons name lines and fields, never values.
    """
    report = vault.import_subjects(
        (_record(c) for c in customers), ctx=SEED_CONTEXT, skip_bad=True, progress=progress
    )
    other = [error for error in report.skipped if _EXISTS not in error.reason]
    if other:
        raise DemoSetupError(
            f"{len(other)} demo customer(s) could not be imported; first: {other[0]}"
        )
    return report.imported, len(report.skipped)


def _record(customer: SyntheticCustomer) -> SubjectRecord:
    return SubjectRecord(customer.ref, customer.fields)


def past_conversation_id(customer: SyntheticCustomer) -> str:
    return f"demo-past-{customer.ref.lower()}"


def seed_conversations(
    vault: Vault,
    customers: Iterable[SyntheticCustomer],
    *,
    now: datetime | None = None,
    progress: Callable[[], None] | None = None,
) -> tuple[int, int]:
    """Store a past conversation for every `PAST_CONVERSATION_EVERY`-th customer (by
    number); returns (added, already present)."""
    store = TranscriptStore(vault.data_store, vault.tenant)
    now = now or datetime.now(UTC)
    added = present = 0
    for customer in customers:
        number = int(customer.ref.rsplit("-", 1)[-1])
        if number % PAST_CONVERSATION_EVERY != 1:
            continue
        conversation = past_conversation_id(customer)
        if store.messages(conversation):
            present += 1
        else:
            subject = vault.bind_conversation(conversation, customer.ref, ctx=SEED_CONTEXT)
            # Spread over the last weeks, inside every retention window of the example.
            at = now - timedelta(days=3 + number % 40, hours=number % 9)
            store.append(conversation, _PAST_TURNS[customer.locale], at, subject=subject)
            added += 1
        if progress:
            progress()
    return added, present
