"""Request life cycle: states, deadlines, extensions and the overdue list (fake clock)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.consent.fakes import FakeClock
from tests.rights.conftest import ALICE, BOB

from discreet.audit import AccessContext
from discreet.rights import (
    RequestError,
    RequestKind,
    RequestState,
    RightsService,
    add_months,
)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime(2027, 1, 31, tzinfo=UTC), 1, datetime(2027, 2, 28, tzinfo=UTC)),
        (datetime(2028, 1, 31, tzinfo=UTC), 1, datetime(2028, 2, 29, tzinfo=UTC)),
        (datetime(2027, 1, 31, tzinfo=UTC), 3, datetime(2027, 4, 30, tzinfo=UTC)),
        (datetime(2027, 11, 15, tzinfo=UTC), 2, datetime(2028, 1, 15, tzinfo=UTC)),
    ],
)
def test_months_follow_the_calendar(start: datetime, months: int, expected: datetime) -> None:
    assert add_months(start, months) == expected


def test_due_one_month_after_receipt_and_extension_up_to_two_more(
    rights: RightsService, officer: AccessContext
) -> None:
    request = rights.submit(ALICE, RequestKind.ACCESS, channel="email", ctx=officer)
    assert request.state is RequestState.RECEIVED
    assert request.due_at == datetime(2027, 2, 28, 9, 30, tzinfo=UTC)

    extended = rights.book.extend(request.id, 1, "complex request", ctx=officer)
    # Counted from receipt: 31 January + 2 months is 31 March, not 28 March.
    assert extended.due_at == datetime(2027, 3, 31, 9, 30, tzinfo=UTC)
    assert extended.extension_reason == "complex request"
    again = rights.book.extend(request.id, 1, "many requests at once", ctx=officer)
    assert again.due_at == datetime(2027, 4, 30, 9, 30, tzinfo=UTC)
    assert again.extension_reason == "complex request; many requests at once"
    with pytest.raises(RequestError, match="at most two months"):
        rights.book.extend(request.id, 1, "still busy", ctx=officer)
    with pytest.raises(ValueError, match="reason"):
        rights.book.extend(request.id, 1, " ", ctx=officer)
    assert rights.book.get(request.id).due_at == again.due_at


def test_overdue_lists_open_requests_past_their_deadline(
    rights: RightsService, officer: AccessContext, clock: FakeClock
) -> None:
    late = rights.submit(ALICE, RequestKind.ACCESS, channel="email", ctx=officer)
    clock.advance(days=10)
    extended = rights.submit(BOB, RequestKind.RECTIFICATION, channel="web", ctx=officer)
    rights.book.extend(extended.id, 1, "waiting for documents", ctx=officer)
    done = rights.submit(BOB, RequestKind.OBJECTION, channel="web", ctx=officer, scope="analytics")
    rights.book.verify(done.id, ctx=officer)
    rights.execute(done.id, BOB, ctx=officer)

    clock.advance(days=18)  # 28 days after the first: nothing is late yet
    assert rights.book.overdue() == []
    clock.advance(days=1)  # 1 March 09:30, past 28 February 09:30
    assert [r.id for r in rights.book.overdue()] == [late.id]
    clock.advance(days=60)
    assert [r.id for r in rights.book.overdue()] == [late.id, extended.id]
    rights.book.reject(late.id, "identity could not be verified", ctx=officer)
    assert [r.id for r in rights.book.overdue()] == [extended.id]


def test_states_move_forward_only(rights: RightsService, officer: AccessContext) -> None:
    request = rights.submit(ALICE, RequestKind.RESTRICTION, channel="email", ctx=officer)
    with pytest.raises(RequestError, match="verified first"):
        rights.execute(request.id, ALICE, ctx=officer)
    rejected = rights.book.reject(request.id, "requester is not the customer", ctx=officer)
    assert rejected.state is RequestState.REJECTED
    assert rejected.rejection_reason == "requester is not the customer"
    assert rejected.closed_by == "dpo-1"
    with pytest.raises(RequestError, match="cannot become verified"):
        rights.book.verify(request.id, ctx=officer)
    with pytest.raises(RequestError, match="only an objection takes a scope"):
        rights.submit(ALICE, RequestKind.ERASURE, channel="email", ctx=officer, scope="x")
    actions = [e.action for e in rights.vault.audit_log.entries() if e.action.startswith("rights.")]
    assert actions == ["rights.receive", "rights.rejected"]
