"""Differentially private analytics: noise calibrated to epsilon, budgets that refuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.export.conftest import OFFICER, Shop

from discreet.analytics import (
    BudgetExhausted,
    BudgetLedger,
    NoBudget,
    QuerySpec,
    latest_releases,
    run_queries,
)
from discreet.analytics.releases import ReleaseRecords
from discreet.analytics.report import render_html
from discreet.audit.log import AuditLog
from discreet.errors import InvalidInput
from discreet.policy import BUILTIN_SOURCE, builtin_policy_text, parse_policy

POLICY = parse_policy(builtin_policy_text(), BUILTIN_SOURCE)


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
    with pytest.raises(BudgetExhausted, match=r"needs epsilon 0.6, but only epsilon 0.4 of 1 is"):
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


def test_delta_is_spent_recorded_and_refused_when_short(shop: Shop) -> None:
    for i in range(5):
        shop.conversation(f"c{i}", f"s{i}", [("Where is my order?", "On its way.")])
        shop.grant(f"s{i}", "analytics")
    ledger = BudgetLedger(shop.db)
    since, until = period()

    def run(dataset: str, spec: QuerySpec) -> dict[str, object]:
        return run_queries(
            shop.db,
            POLICY,
            [spec],
            tenant="default",
            dataset=dataset,
            since=since,
            until=until,
            ctx=OFFICER,
        )

    # A budget without delta refuses a Gaussian release, and says how to set one.
    ledger.set_budget("pure", epsilon=5.0, ctx=OFFICER)
    gaussian = QuerySpec("volume", epsilon=0.5, grain="day", delta=1e-6)
    with pytest.raises(BudgetExhausted, match=r"needs delta 1e-06, but only delta 0 of 0.*--delta"):
        run("pure", gaussian)
    ledger.set_budget("mixed", epsilon=2.0, delta=1.5e-6, ctx=OFFICER)
    report = run("mixed", gaussian)
    released = report["releases"][0]  # type: ignore[index]
    assert (released["noise"], released["delta"]) == ("gaussian", 1e-6)
    assert "delta 1e-06, gaussian noise of scale" in render_html(report)
    status = ledger.status("mixed")
    assert (status.spent_epsilon, status.spent_delta) == (0.5, 1e-6)
    assert status.left_delta == pytest.approx(0.5e-6)
    assert status.as_dict()["left_delta"] == pytest.approx(0.5e-6)
    # Epsilon is left (1.5) but delta is not: refused for delta alone, and audited.
    with pytest.raises(BudgetExhausted, match=r"\(volume\): it needs delta 1e-06, but only delta"):
        run("mixed", gaussian)
    # A Laplace release spends no delta and still fits.
    assert run("mixed", QuerySpec("outcomes", epsilon=0.5))["budget"]["spent_delta"] == 1e-6  # type: ignore[index]
    spends = [e for e in AuditLog(shop.db).entries() if e.action == "analytics.release"]
    assert [(e.details["delta"], e.outcome) for e in spends] == [
        ("1e-06", "denied"),
        ("1e-06", "ok"),
        ("1e-06", "denied"),
        ("0.0", "ok"),
    ]


def test_delta_is_refused_for_queries_it_does_not_apply_to(shop: Shop) -> None:
    BudgetLedger(shop.db).set_budget("d", epsilon=5.0, delta=1e-5, ctx=OFFICER)
    since, until = period()
    with pytest.raises(InvalidInput, match="--delta applies to the volume query only"):
        run_queries(
            shop.db,
            POLICY,
            [QuerySpec("outcomes", epsilon=0.5, delta=1e-6)],
            tenant="default",
            dataset="d",
            since=since,
            until=until,
            ctx=OFFICER,
        )


def test_latest_releases_per_tenant_for_the_console(shop: Shop) -> None:
    shop.conversation("c1", "s1", [("Where is my order?", "On its way.")])
    shop.grant("s1", "analytics")
    BudgetLedger(shop.db).set_budget("d", epsilon=5.0, ctx=OFFICER)
    since, until = period()
    assert latest_releases(shop.db, "default") == []
    reports = [
        run_queries(
            shop.db,
            POLICY,
            [QuerySpec(query, epsilon=0.5, by=())],
            tenant="default",
            dataset="d",
            since=since,
            until=until,
            ctx=OFFICER,
        )
        for query in ("volume", "outcomes", "volume")
    ]
    latest = latest_releases(shop.db, "default")
    assert [(r["dataset"], r["query"]) for r in latest] == [("d", "volume"), ("d", "outcomes")]
    assert latest[0]["result"]["cells"] == reports[2]["releases"][0]["cells"]
    assert latest[1]["result"]["rates"] == reports[1]["releases"][0]["rates"]
    assert latest[0]["result"]["period"] == reports[2]["period"]
    assert latest[0]["epsilon"] == 0.5
    assert latest_releases(shop.db, "other") == []
