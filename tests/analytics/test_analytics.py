"""Differentially private analytics: noise calibrated to epsilon, budgets that refuse."""

from __future__ import annotations

import math
import statistics
from datetime import UTC, datetime, timedelta

import pytest
from tests.export.conftest import OFFICER, Shop

from discreet.analytics import BudgetExhausted, BudgetLedger, NoBudget, QuerySpec, run_queries
from discreet.analytics.queries import histogram_mechanism
from discreet.analytics.releases import ReleaseRecords
from discreet.analytics.report import render_html
from discreet.audit.log import AuditLog
from discreet.policy import BUILTIN_SOURCE, builtin_policy_text, parse_policy

POLICY = parse_policy(builtin_policy_text(), BUILTIN_SOURCE)


@pytest.mark.parametrize(("epsilon", "d_in"), [(1.0, 1), (0.5, 5)])
def test_noise_scale_matches_epsilon(epsilon: float, d_in: int) -> None:
    mechanism = histogram_mechanism(["a", "b"], epsilon, d_in)
    # Laplace noise at epsilon with sensitivity d_in has scale d_in / epsilon.
    assert mechanism.scale == pytest.approx(d_in / epsilon, rel=0.02)
    data = ["a"] * 100 + ["b"] * 50
    # OpenDP samples from the OS's secure generator (it cannot be seeded), so the bounds
    # are wide enough to fail with probability below 1e-6 yet catch a scale off by 25%.
    draws = [mechanism.measurement(data)[0] - 100 for _ in range(4000)]
    # Integer counts get discrete Laplace noise: with p = exp(-1/b), E|X| = 2p / (1 - p^2).
    p = math.exp(-epsilon / d_in)
    mad = statistics.fmean(abs(x) for x in draws)
    assert mad == pytest.approx(2 * p / (1 - p * p), rel=0.12)
    assert abs(statistics.fmean(draws)) < 6 * (d_in / epsilon) * 1.42 / 4000**0.5


HANDED_OVER = ("handoff", "guard_blocked")


def period() -> tuple[datetime, datetime]:
    now = datetime.now(UTC)
    return now - timedelta(days=1), now + timedelta(days=1)


def test_budget_exhaustion_refuses_and_is_audited(shop: Shop) -> None:
    for i in range(6):
        shop.conversation(f"c{i}", f"s{i}", [("Where is my order?", "On its way.")])
        shop.grant(f"s{i}", "analytics")
    ledger = BudgetLedger(shop.db)
    with pytest.raises(NoBudget, match="no privacy budget is set"):
        ledger.status("support")
    ledger.set_budget("support", epsilon=1.0, ctx=OFFICER)
    since, until = period()
    spec = QuerySpec("outcomes", epsilon=0.6)
    report = run_queries(
        shop.db,
        POLICY,
        [spec],
        tenant="default",
        dataset="support",
        since=since,
        until=until,
        ctx=OFFICER,
    )
    assert report["budget"]["left_epsilon"] == pytest.approx(0.4)
    cells = report["releases"][0]["cells"]
    # Public categories only: every assistant x language x outcome, present or not.
    assert len(cells) == len(POLICY.assistants) * 4 * 4
    with pytest.raises(BudgetExhausted, match=r"needs epsilon 0.6.*only epsilon 0.4 of 1"):
        run_queries(
            shop.db,
            POLICY,
            [spec],
            tenant="default",
            dataset="support",
            since=since,
            until=until,
            ctx=OFFICER,
        )
    assert ledger.status("support").releases == 1
    entries = [e for e in AuditLog(shop.db).entries() if e.action.startswith("analytics.")]
    assert [(e.action, e.outcome) for e in entries] == [
        ("analytics.budget.set", "ok"),
        ("analytics.release", "ok"),
        ("analytics.release", "denied"),
    ]
    assert entries[1].details["query"] == "outcomes"
    assert AuditLog(shop.db).verify().ok


def test_only_subjects_allowing_analytics_are_counted(shop: Shop) -> None:
    # 30 consenting conversations in English, 30 of customers without consent: with a
    # large epsilon the noise is small, so the count tells which were included.
    for i in range(30):
        shop.conversation(f"yes{i}", f"y{i}", [("Where is my order?", "On its way.")])
        shop.grant(f"y{i}", "analytics")
        shop.conversation(f"no{i}", f"n{i}", [("Where is my order?", "On its way.")])
    shop.restrict("y0")
    BudgetLedger(shop.db).set_budget("all", epsilon=50.0, ctx=OFFICER)
    since, until = period()
    report = run_queries(
        shop.db,
        POLICY,
        [QuerySpec("volume", epsilon=40.0, by=(), grain="week")],
        tenant="default",
        dataset="all",
        since=since,
        until=until,
        ctx=OFFICER,
    )
    total = sum(c["count"] for c in report["releases"][0]["cells"])
    assert abs(total - 29) <= 3
    html = render_html(report)
    assert "<svg" in html and "volume" in html


def test_released_results_are_kept_as_released_and_cost_nothing_to_show(shop: Shop) -> None:
    for i in range(10):
        shop.conversation(f"c{i}", f"s{i}", [("Where is my order?", "On its way.")])
        shop.grant(f"s{i}", "analytics")
    ledger = BudgetLedger(shop.db)
    ledger.set_budget("support", epsilon=50.0, ctx=OFFICER)
    kept = ReleaseRecords(shop.db, tenant="default")
    assert kept.latest("volume") is None
    since, until = period()
    report = run_queries(
        shop.db,
        POLICY,
        [QuerySpec("volume", epsilon=20.0, by=()), QuerySpec("outcomes", epsilon=20.0)],
        tenant="default",
        dataset="support",
        since=since,
        until=until,
        ctx=OFFICER,
    )
    volume, outcomes = kept.latest("volume"), kept.latest("outcomes")
    assert volume is not None and outcomes is not None
    assert volume.result == report["releases"][0] and outcomes.result == report["releases"][1]
    assert volume.since == since and volume.dataset == "support"
    assert abs(volume.total() - 10) <= 3
    # The overall handoff rate sums the per-assistant and per-language cells.
    handed = sum(max(0, c["count"]) for c in outcomes.result["cells"] if c["value"] in HANDED_OVER)
    total = sum(max(0, c["count"]) for c in outcomes.result["cells"])
    assert outcomes.handoff_rate() == pytest.approx(min(1.0, handed / total) if total else 0)
    spent = ledger.status("support").releases
    kept.latest("outcomes")  # reading again spends nothing
    assert ledger.status("support").releases == spent == 2


def test_contributions_are_bounded_per_subject(shop: Shop) -> None:
    for i in range(20):
        shop.conversation(f"c{i}", "heavy-user", [("Where is my order?", "On its way.")])
    shop.grant("heavy-user", "analytics")
    BudgetLedger(shop.db).set_budget("d", epsilon=50.0, ctx=OFFICER)
    since, until = period()
    report = run_queries(
        shop.db,
        POLICY,
        [QuerySpec("outcomes", epsilon=40.0, by=(), max_contributions=3)],
        tenant="default",
        dataset="d",
        since=since,
        until=until,
        ctx=OFFICER,
    )
    release = report["releases"][0]
    assert release["max_contributions_per_subject"] == 3
    assert abs(sum(c["count"] for c in release["cells"]) - 3) <= 3


def test_a_report_the_budget_cannot_cover_is_refused_whole(shop: Shop) -> None:
    shop.conversation("c1", "s1", [("Where is my order?", "On its way.")])
    shop.grant("s1", "analytics")
    ledger = BudgetLedger(shop.db)
    ledger.set_budget("d", epsilon=0.5, ctx=OFFICER)
    since, until = period()
    specs = [QuerySpec("volume", epsilon=0.3), QuerySpec("outcomes", epsilon=0.3)]
    with pytest.raises(BudgetExhausted, match=r"needs epsilon 0\.6"):
        run_queries(
            shop.db,
            POLICY,
            specs,
            tenant="default",
            dataset="d",
            since=since,
            until=until,
            ctx=OFFICER,
        )
    status = ledger.status("d")
    assert (status.releases, status.left_epsilon) == (0, 0.5)  # nothing was charged


def test_budgets_are_per_tenant(shop: Shop) -> None:
    BudgetLedger(shop.db, tenant="default").set_budget("d", epsilon=1.0, ctx=OFFICER)
    with pytest.raises(NoBudget):
        BudgetLedger(shop.db, tenant="other").status("d")
