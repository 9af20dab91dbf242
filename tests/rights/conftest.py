"""Rights fixtures: a fake clock, an operator, and a rights service over the samples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.consent.fakes import FakeClock

from discreet.audit import AccessContext, ActorKind, LegalBasis
from discreet.conversations.transcripts import TranscriptStore
from discreet.policy import Policy
from discreet.rights import RequestKind, RightsRequest, RightsService
from discreet.vault import Vault
from discreet.wiring import vault_holders

ALICE, BOB = "CUST-48213", "CUST-77120"


@pytest.fixture
def officer() -> AccessContext:
    return AccessContext(
        actor="dpo-1",
        purpose="data_subject_request",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        actor_kind=ActorKind.USER,
    )


@pytest.fixture
def rights(filled_vault: Vault, clock: FakeClock, policy: Policy) -> RightsService:
    return RightsService(
        filled_vault, holders=vault_holders(filled_vault, clock=clock), clock=clock, policy=policy
    )


T0 = datetime(2027, 1, 30, 14, 0, tzinfo=UTC)
USER_TEXT = "I am [PERSON_1], mail me at [EMAIL_1] <please>"
ANSWER_TEXT = "Thanks [PERSON_1], done."


def add_conversations(vault: Vault, ref: str, ctx: AccessContext, count: int) -> list[str]:
    """Bind `count` conversations to `ref`, each with a token map holding real values and
    a stored two-message transcript (pseudonymised, as the gateway stores it)."""
    transcripts = TranscriptStore(vault.audit_log.db, vault.tenant)
    ids = []
    for number in range(count):
        # Ids carry no customer data (a reference in an id would outlive erasure).
        conversation_id = f"chat-{ref[-2:]}-{number}"
        subject = vault.bind_conversation(conversation_id, ref, ctx=ctx)
        vault.save_token_map(
            conversation_id,
            {"[PERSON_1]": "Marieke van Oosterhout", "[EMAIL_1]": f"mvo{number}@voorbeeld.nl"},
            ctx=ctx,
        )
        transcripts.append(
            conversation_id,
            [("user", USER_TEXT), ("assistant", ANSWER_TEXT)],
            T0 + timedelta(minutes=number),
            subject=subject,
        )
        ids.append(conversation_id)
    return ids


def verified(
    rights: RightsService, ref: str, kind: RequestKind, ctx: AccessContext, **kw: str
) -> RightsRequest:
    request = rights.submit(ref, kind, channel="email", ctx=ctx, **kw)
    return rights.book.verify(request.id, ctx=ctx)
