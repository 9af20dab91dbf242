"""The gateway's consent hook: consent-based purposes, AI objections, restrictions."""

from __future__ import annotations

import pytest

from discreet.audit import AccessContext
from discreet.consent import (
    AI_PROCESSING,
    CONSENT_REQUIRED,
    NO_AI_CONSENT,
    OBJECTED,
    OBJECTED_AI,
    RESTRICTED,
    ConsentGate,
    ConsentService,
    ConsentState,
    LimitKind,
    is_refusal,
)
from discreet.consent.decision import ConsentChecker
from discreet.policy import AccessGrant, Policy

ALICE = "CUST-48213"


def _grant(policy: Policy, purpose: str) -> AccessGrant:
    spec = policy.purpose(purpose)
    return AccessGrant(
        assistant="support",
        purpose=purpose,
        legal_basis=spec.legal_basis,
        requires_consent=spec.requires_consent,
        fields=frozenset(),
        categories=frozenset(),
        history_window_days=30,
        max_context_messages=10,
    )


@pytest.fixture
def alice(consent: ConsentService, clerk: AccessContext) -> str:
    return consent.vault.subject_id(ALICE, ctx=clerk)


def test_gate_is_the_gateways_consent_checker(consent: ConsentService) -> None:
    assert isinstance(consent.gate, ConsentChecker)
    assert isinstance(ConsentGate.for_vault(consent.vault), ConsentChecker)


def test_consent_purpose_is_refused_without_a_current_grant(
    consent: ConsentService, clerk: AccessContext, policy: Policy, alice: str
) -> None:
    training = _grant(policy, "model_training")
    decision = consent.gate.check(alice, training)
    assert (decision.allowed, decision.reason) == (False, CONSENT_REQUIRED)
    assert not is_refusal(decision)  # a person may still help

    consent.record(
        ALICE,
        "model_training",
        ConsentState.GRANTED,
        notice_version="v1",
        channel="web",
        ctx=clerk,
    )
    assert consent.gate.check(alice, training).allowed
    consent.record(
        ALICE,
        "model_training",
        ConsentState.WITHDRAWN,
        notice_version="v1",
        channel="web",
        ctx=clerk,
    )
    assert consent.gate.check(alice, training).reason == CONSENT_REQUIRED
    # Nobody to hold a grant: anonymous conversations never get consent-based processing.
    assert not consent.gate.check(None, training).allowed
    assert consent.gate.check(None, _grant(policy, "customer_support")).allowed


def test_contract_purpose_is_served_until_the_customer_says_no_to_ai(
    consent: ConsentService, clerk: AccessContext, policy: Policy, alice: str
) -> None:
    support = _grant(policy, "customer_support")
    assert consent.gate.check(alice, support).allowed

    consent.record(
        ALICE,
        AI_PROCESSING,
        ConsentState.WITHDRAWN,
        notice_version="v1",
        channel="chat",
        ctx=clerk,
    )
    assert consent.gate.check(alice, support).reason == NO_AI_CONSENT
    consent.record(
        ALICE,
        AI_PROCESSING,
        ConsentState.GRANTED,
        notice_version="v1",
        channel="chat",
        ctx=clerk,
    )
    assert consent.gate.check(alice, support).allowed

    consent.limits.set(
        alice, LimitKind.OBJECTION, purpose=AI_PROCESSING, reason="prefers a human", ctx=clerk
    )
    decision = consent.gate.check(alice, support)
    assert (decision.allowed, decision.reason) == (False, OBJECTED_AI)
    assert not is_refusal(decision)


def test_require_ai_consent_needs_an_explicit_grant(
    consent: ConsentService, clerk: AccessContext, policy: Policy, alice: str
) -> None:
    strict = ConsentGate(consent.registry, consent.limits, require_ai_consent=True)
    support = _grant(policy, "customer_support")
    assert strict.check(alice, support).reason == NO_AI_CONSENT
    consent.record(
        ALICE,
        AI_PROCESSING,
        ConsentState.GRANTED,
        notice_version="v1",
        channel="chat",
        ctx=clerk,
    )
    assert strict.check(alice, support).allowed


def test_restriction_refuses_every_purpose_until_lifted(
    consent: ConsentService, clerk: AccessContext, policy: Policy, alice: str
) -> None:
    consent.record(
        ALICE, "analytics", ConsentState.GRANTED, notice_version="v1", channel="web", ctx=clerk
    )
    consent.limits.set(alice, LimitKind.RESTRICTION, reason="accuracy contested", ctx=clerk)
    for purpose in ("customer_support", "billing", "analytics"):
        decision = consent.gate.check(alice, _grant(policy, purpose))
        assert (decision.allowed, decision.reason) == (False, RESTRICTED)
        assert is_refusal(decision)
    assert consent.limits.lift(alice, LimitKind.RESTRICTION, ctx=clerk) == 1
    assert consent.gate.check(alice, _grant(policy, "analytics")).allowed


def test_objection_covers_its_purpose_only(
    consent: ConsentService, clerk: AccessContext, policy: Policy, alice: str
) -> None:
    consent.limits.set(alice, LimitKind.OBJECTION, purpose="billing", reason="objection", ctx=clerk)
    assert consent.gate.check(alice, _grant(policy, "billing")).reason == OBJECTED
    assert consent.gate.check(alice, _grant(policy, "customer_support")).allowed
