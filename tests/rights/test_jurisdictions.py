"""The policy names the jurisdictions: their deadlines and request kinds apply (GDPR: one
month, extendable by two; CCPA/CPRA: 45 days, extendable once by 45; know, delete,
correct, and opting out of sale/sharing recorded as an objection)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.consent.fakes import FakeClock
from tests.rights.conftest import ALICE

from discreet.audit import AccessContext
from discreet.errors import InvalidInput
from discreet.policy import Policy, PolicyError, parse_policy
from discreet.rights import RequestError, RequestKind, RightsService
from discreet.rights.jurisdictions import SALE_SHARING, Deadlines, parse_request
from discreet.vault import Vault
from discreet.wiring import vault_holders

RECEIVED = datetime(2027, 1, 31, 9, 30, tzinfo=UTC)


def _with(policy: Policy, *names: str) -> Policy:
    return policy.model_copy(update={"jurisdictions": names})


def _service(vault: Vault, clock: FakeClock, policy: Policy, *names: str) -> RightsService:
    return RightsService(
        vault, holders=vault_holders(vault, clock=clock), clock=clock, policy=_with(policy, *names)
    )


def test_ccpa_answers_within_45_days_extendable_once_by_45(
    filled_vault: Vault, clock: FakeClock, policy: Policy, officer: AccessContext
) -> None:
    rights = _service(filled_vault, clock, policy, "ccpa")
    request = rights.submit(ALICE, RequestKind.ACCESS, channel="web", ctx=officer)
    assert request.due_at == request.received_at + timedelta(days=45)
    extended = rights.book.extend(request.id, 1, "complex request", ctx=officer)
    assert extended.due_at == request.received_at + timedelta(days=90)
    with pytest.raises(RequestError, match="one extension of 45 days"):
        rights.book.extend(request.id, 1, "still busy", ctx=officer)


def test_ccpa_knows_no_restriction_and_records_an_opt_out_as_an_objection(
    filled_vault: Vault, clock: FakeClock, policy: Policy, officer: AccessContext
) -> None:
    rights = _service(filled_vault, clock, policy, "ccpa")
    with pytest.raises(RequestError, match="not a right under CCPA"):
        rights.submit(ALICE, RequestKind.RESTRICTION, channel="web", ctx=officer)
    kind, scope = parse_request("opt_out", None, ("ccpa",))
    assert (kind, scope) == (RequestKind.OBJECTION, SALE_SHARING)
    opted = rights.submit(ALICE, kind, channel="web", scope=scope, ctx=officer)
    assert opted.kind is RequestKind.OBJECTION and opted.scope == SALE_SHARING
    assert parse_request("know", None) == (RequestKind.ACCESS, None)
    assert parse_request("delete", None) == (RequestKind.ERASURE, None)
    assert parse_request("correct", None) == (RequestKind.RECTIFICATION, None)
    with pytest.raises(InvalidInput, match="unknown request kind"):  # a 400 in the API
        parse_request("forget-me", None)


def test_under_both_laws_the_earlier_deadline_applies() -> None:
    both = Deadlines(("gdpr", "ccpa"))
    # 31 January + one month is 28 February (28 days), earlier than 45 days.
    assert both.initial_due(RECEIVED) == datetime(2027, 2, 28, 9, 30, tzinfo=UTC)
    # The latest: GDPR's three months (30 April) against the CCPA's 90 days (1 May).
    assert both.latest_due(RECEIVED) == RECEIVED + timedelta(days=89)
    gdpr = Deadlines(("gdpr",))
    assert gdpr.latest_due(RECEIVED) == datetime(2027, 4, 30, 9, 30, tzinfo=UTC)
    both.check_kind(RequestKind.RESTRICTION)  # a GDPR right, so served


def test_the_policy_names_known_jurisdictions_only(policy: Policy) -> None:
    text = "version: 1\ntenant: t\njurisdictions: [gdpr, ccpa]\n"
    assert parse_policy(text, "<p>").jurisdictions == ("gdpr", "ccpa")
    assert parse_policy("version: 1\ntenant: t\n", "<p>").jurisdictions == ("gdpr",)
    with pytest.raises(PolicyError, match="jurisdictions"):
        parse_policy("version: 1\ntenant: t\njurisdictions: [hipaa]\n", "<p>")
