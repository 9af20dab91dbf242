"""Consent fixtures: a fake clock and a consent service over the sample customers."""

from __future__ import annotations

import pytest
from tests.consent.fakes import FakeClock

from discreet.audit import AccessContext, ActorKind, LegalBasis
from discreet.consent import ConsentService
from discreet.policy import Policy
from discreet.vault import Vault


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
