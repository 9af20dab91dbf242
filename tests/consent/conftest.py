"""Consent fixtures: a fake clock and a consent service over the sample customers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.consent.fakes import FakeClock

from discreet.audit import AccessContext, ActorKind, LegalBasis
from discreet.consent import ConsentService
from discreet.policy import BUILTIN_SOURCE, Policy, builtin_policy_text, parse_policy
from discreet.vault import Vault


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2027, 1, 31, 9, 30, tzinfo=UTC))


@pytest.fixture
def policy() -> Policy:
    return parse_policy(builtin_policy_text(), BUILTIN_SOURCE)


@pytest.fixture
def clerk() -> AccessContext:
    return AccessContext(
        actor="clerk-3",
        purpose="consent_management",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        actor_kind=ActorKind.USER,
    )


@pytest.fixture
def consent(filled_vault: Vault, clock: FakeClock, policy: Policy) -> ConsentService:
    return ConsentService(filled_vault, clock=clock, policy=policy)
