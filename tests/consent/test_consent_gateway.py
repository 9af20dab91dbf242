"""The consent gate wired into a real gateway: what reaches the model, and what does not."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.conftest import StoreEnv
from tests.support.upstream import RecordingUpstream

from discreet.api import create_app
from discreet.audit import AccessContext
from discreet.consent import (
    AI_PROCESSING,
    CONSENT_REQUIRED,
    OBJECTED_AI,
    ConsentGate,
    ConsentService,
    ConsentState,
    LimitKind,
)
from discreet.detect import Detector
from discreet.gateway.factory import policy_field_categories
from discreet.gateway.settings import UpstreamSettings
from discreet.gateway.turn import Gateway
from discreet.gateway.upstream import AsyncUpstreamClient
from discreet.policy import parse_policy
from discreet.rights.erasure import ErasureJobRecords

ALICE = "CUST-48213"
POLICY = """\
version: 1
tenant: test-shop
data_categories:
  identity:
    fields: [name]
    types: {name: PERSON}
  contact:
    fields: [email, phone]
    types: {email: EMAIL_ADDRESS, phone: PHONE_NUMBER}
  location:
    fields: [street_address, postal_code, city]
    types: {street_address: STREET_ADDRESS, postal_code: POSTAL_CODE, city: LOCATION}
  order:
    fields: [customer_number]
    types: {customer_number: CUSTOMER_ID}
  financial:
    fields: [iban]
    types: {iban: IBAN}
purposes:
  customer_support:
    legal_basis: contract
  analytics:
    legal_basis: consent
assistants:
  support:
    purposes: [customer_support]
    categories: [identity, contact, order]
  insights:
    purposes: [analytics]
    categories: [order]
disclosure:
  text: You are chatting with an AI assistant.
handoff:
  message: A human colleague will take over.
detection:
  ner:
    backend: none
"""


@dataclass
class Wired:
    client: TestClient
    gateway: Gateway
    consent: ConsentService
    upstream: RecordingUpstream
    keys: dict[str, str]
    subject_id: str

    def chat(self, assistant: str, conversation: str, purpose: str) -> Any:  # a response
        return self.client.post(
            "/v1/chat/completions",
            json={
                "model": assistant,
                "messages": [{"role": "user", "content": "Where is my order?"}],
            },
            headers={
                "Authorization": f"Bearer {self.keys[assistant]}",
                "X-Discreet-Subject": ALICE,
                "X-Discreet-Conversation": conversation,
                "X-Discreet-Purpose": purpose,
            },
        )

    def handoff_reason(self, conversation: str) -> str | None:
        state = self.gateway.states.get(conversation)
        assert state is not None
        return state.handoff_reason


@pytest.fixture
def upstream() -> Iterator[RecordingUpstream]:
    with RecordingUpstream() as server:
        yield server


@pytest.fixture
def wired(
    store_env: StoreEnv,
    upstream: RecordingUpstream,
    ctx: AccessContext,
    sample_subjects: dict[str, dict[str, str]],
) -> Iterator[Wired]:
    policy = parse_policy(POLICY, "<consent test policy>")
    vault = store_env.open_vault(categories=policy_field_categories(policy))
    vault.put_subject(ALICE, sample_subjects[ALICE], ctx=ctx)
    backend = AsyncUpstreamClient(
        UpstreamSettings(base_url=upstream.base_url, model="m", max_attempts=1, read_timeout=2.0)
    )
    gateway = Gateway(
        policy=policy,
        vault=vault,
        detector=Detector(policy.detection),
        backend=backend,
        erasures=ErasureJobRecords(vault.data_store),
        consent=ConsentGate.for_vault(vault),
    )
    keys = {name: gateway.api_keys.create(name)[0] for name in ("support", "insights")}
    with TestClient(create_app(gateway)) as client:
        yield Wired(
            client,
            gateway,
            ConsentService(vault, policy=policy),
            upstream,
            keys,
            vault.subject_id(ALICE, ctx=ctx),
        )


def test_consent_purpose_reaches_the_model_only_with_a_grant(
    wired: Wired, ctx: AccessContext
) -> None:
    refused = wired.chat("insights", "conv-a1", "analytics")
    assert refused.status_code == 200
    assert refused.headers["X-Discreet-Handoff"] == "true"
    assert wired.handoff_reason("conv-a1") == CONSENT_REQUIRED
    assert wired.upstream.requests == []

    wired.consent.record(
        ALICE, "analytics", ConsentState.GRANTED, notice_version="v1", channel="web", ctx=ctx
    )
    served = wired.chat("insights", "conv-a2", "analytics")
    assert served.headers["X-Discreet-Handoff"] == "false"
    assert len(wired.upstream.requests) == 1


def test_restriction_and_ai_objection_keep_the_turn_from_the_model(
    wired: Wired, ctx: AccessContext
) -> None:
    assert (
        wired.chat("support", "conv-s1", "customer_support").headers["X-Discreet-Handoff"]
        == "false"
    )
    assert len(wired.upstream.requests) == 1

    limits = wired.consent.limits
    limits.set(wired.subject_id, LimitKind.RESTRICTION, reason="accuracy contested", ctx=ctx)
    refused = wired.chat("support", "conv-s2", "customer_support")
    # A restriction refuses the turn outright (403, with the reason), no handoff.
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "processing_restricted"
    assert "restricted" in refused.json()["error"]["message"]
    limits.lift(wired.subject_id, LimitKind.RESTRICTION, ctx=ctx)

    limits.set(
        wired.subject_id, LimitKind.OBJECTION, purpose=AI_PROCESSING, reason="human", ctx=ctx
    )
    wired.chat("support", "conv-s3", "customer_support")
    assert wired.handoff_reason("conv-s3") == OBJECTED_AI
    assert len(wired.upstream.requests) == 1  # neither turn reached the model
