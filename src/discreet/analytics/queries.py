"""Differentially private aggregates over conversations, released with OpenDP.

**Who counts.** Conversations whose subjects' processing for ``analytics`` is allowed now:
with consent as the policy's legal basis, subjects with a current grant and no
restriction or objection (:meth:`discreet.consent.ConsentGate.subjects_for_export`);
with another basis (legitimate interests), everyone but restricted or objecting subjects,
anonymous conversations included (each its own contributor).

**Contributions bounded.** Each subject contributes at most ``max_contributions``
conversations to a query (a random choice of theirs when they have more), so adding or
removing one customer changes the data by at most that many rows: the symmetric
distance ``d_in`` OpenDP's privacy map is given.

**Noise calibrated by OpenDP.** Each query is a histogram over public categories (the
policy's assistants × the supported languages × the query's values: contact reasons, days or
weeks, outcomes), built as ``count_by_categories >> laplace`` on OpenDP's integer
domain; the noise scale is the smallest for which OpenDP's privacy map says the
measurement is ``epsilon``-DP at ``d_in`` (``binary_search_param``). With a ``delta``
(volume only), Gaussian noise on counts that hold each customer at most once per cell,
zero-concentrated DP converted by OpenDP to (epsilon, delta)-DP: see :func:`release`.
Intervals come from OpenDP's ``*_scale_to_accuracy``. Rates (handoff, guard block,
resolution without handoff) are post-processing of one outcome histogram: no extra cost.

Every query is charged to the :class:`~discreet.analytics.ledger.BudgetLedger` before
it runs.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from discreet.analytics.ledger import BudgetLedger
from discreet.analytics.reasons import categories as reason_categories
from discreet.analytics.reasons import contact_reason
from discreet.audit.context import AccessContext
from discreet.audit.log import AuditLog
from discreet.clock import Clock, as_utc, system_clock
from discreet.consent.checker import ConsentGate
from discreet.consent.limits import ProcessingLimits
from discreet.consent.records import ConsentRegistry
from discreet.conversations.states import ConversationState, ConversationStates
from discreet.conversations.transcripts import TranscriptStore
from discreet.detect.entities import SUPPORTED_LANGUAGES
from discreet.errors import InvalidInput
from discreet.export.training import user_language
from discreet.policy import Policy
from discreet.store.db import Database

PURPOSE = "analytics"
QUERIES = ("contact_reasons", "volume", "outcomes")
OUTCOMES = ("resolved", "handoff", "guard_blocked", "open")
"""resolved: closed without a handoff; guard_blocked: handed off because the output
guard blocked an answer; handoff: any other handoff; open: neither closed nor handed off."""
GUARD_REASON = "answer_blocked"
Query = Literal["contact_reasons", "volume", "outcomes"]
_SYSTEM_RANDOM = random.SystemRandom()


@dataclass(frozen=True, slots=True)
class Record:
    """One eligible conversation, reduced to what the queries count."""

    contributor: str
    assistant: str
    language: str
    day: date
    reason: str
    outcome: str


def outcome_of(state: ConversationState) -> str:
    if state.handoff and state.handoff_reason == GUARD_REASON:
        return "guard_blocked"
    if state.handoff:
        return "handoff"
    if state.closed_at is not None:
        return "resolved"
    return "open"


def eligible_records(
    db: Database,
    policy: Policy,
    *,
    tenant: str,
    since: datetime,
    until: datetime,
    clock: Clock = system_clock,
) -> list[Record]:
    """The conversations analytics may count (see the module docstring)."""
    states = ConversationStates(db, AuditLog(db), tenant).started_between(since, until)
    limits = ProcessingLimits(db, tenant=tenant, clock=clock)
    if policy.requires_consent(PURPOSE):
        gate = ConsentGate(ConsentRegistry(db, tenant=tenant, clock=clock), limits)
        allowed = gate.subjects_for_export(PURPOSE)
        states = [s for s in states if s.subject is not None and s.subject in allowed]
    else:
        limited = limits.subjects_limited_for(PURPOSE)
        states = [s for s in states if s.subject is None or s.subject not in limited]
    transcripts = TranscriptStore(db, tenant)
    records: list[Record] = []
    for start in range(0, len(states), 2000):
        batch = states[start : start + 2000]
        found = transcripts.messages_of([s.conversation_id for s in batch])
        for state in batch:
            messages = found.get(state.conversation_id, [])
            language = user_language(messages)
            records.append(
                Record(
                    contributor=state.subject or f"anonymous:{state.conversation_id}",
                    assistant=state.assistant,
                    language=language,
                    day=as_utc(state.created_at).date(),
                    reason=contact_reason(messages, language),
                    outcome=outcome_of(state),
                )
            )
    return records


def bound_contributions(records: Iterable[Record], limit: int) -> list[Record]:
    """At most `limit` records per contributor (a random choice when there are more)."""
    by: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        by[record.contributor].append(record)
    kept: list[Record] = []
    for own in by.values():
        kept.extend(own if len(own) <= limit else _SYSTEM_RANDOM.sample(own, limit))
    return kept


def _period(day: date, grain: str) -> str:
    if grain == "day":
        return day.isoformat()
    return (day - timedelta(days=day.weekday())).isoformat()


def _periods(since: datetime, until: datetime, grain: str) -> list[str]:
    day = as_utc(since).date()
    last = (as_utc(until) - timedelta(microseconds=1)).date()
    seen: list[str] = []
    while day <= last:
        label = _period(day, grain)
        if label not in seen:
            seen.append(label)
        day += timedelta(days=1)
    return seen


@dataclass(frozen=True, slots=True)
class Mechanism:
    """An OpenDP measurement for one histogram, with its calibrated noise."""

    measurement: Any
    noise: Literal["laplace", "gaussian"]
    scale: float
    epsilon: float
    delta: float
    d_in: float

    def accuracy(self, alpha: float) -> float:
        """Half-width of the (1 - alpha) interval of one noisy count (OpenDP)."""
        import opendp.prelude as dp

        if self.noise == "gaussian":
            return float(dp.gaussian_scale_to_accuracy(scale=self.scale, alpha=alpha))
        return float(dp.discrete_laplacian_scale_to_accuracy(scale=self.scale, alpha=alpha))


def histogram_mechanism(categories: Sequence[str], epsilon: float, d_in: int) -> Mechanism:
    """``count_by_categories >> laplace`` with the smallest scale that is
    `epsilon`-DP when one subject changes up to `d_in` rows (OpenDP's privacy map)."""
    import opendp.prelude as dp

    dp.enable_features("contrib")
    space = dp.vector_domain(dp.atom_domain(T=str)), dp.symmetric_distance()
    counts = space >> dp.t.then_count_by_categories(
        categories=list(categories), null_category=False
    )

    def make(scale: float) -> Any:
        return counts >> dp.m.then_laplace(scale=scale)

    scale = float(dp.binary_search_param(make, d_in=d_in, d_out=epsilon))
    measurement = make(scale)
    achieved = float(measurement.map(d_in))
    if achieved > epsilon:  # pragma: no cover - binary_search_param guarantees it
        raise RuntimeError("OpenDP could not calibrate the noise to the requested epsilon")
    return Mechanism(measurement, "laplace", scale, achieved, 0.0, d_in)


def gaussian_mechanism(size: int, epsilon: float, delta: float, l2: float) -> Mechanism:
    """Gaussian noise on a vector of `size` counts whose L2 distance between neighbouring
    data sets is at most `l2`: zero-concentrated DP, converted by OpenDP to
    (`epsilon`, `delta`)-DP, with the smallest scale OpenDP's map accepts."""
    import opendp.prelude as dp

    dp.enable_features("contrib")
    space = (
        dp.vector_domain(dp.atom_domain(T=float, nan=False), size=size),
        dp.l2_distance(T=float),
    )

    def make(scale: float) -> Any:
        zcdp = space >> dp.m.then_gaussian(scale=scale)
        return dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(zcdp), delta=delta)

    scale = float(dp.binary_search_param(make, d_in=l2, d_out=(epsilon, delta)))
    measurement = make(scale)
    achieved, achieved_delta = measurement.map(l2)
    if achieved > epsilon or achieved_delta > delta:  # pragma: no cover - see above
        raise RuntimeError("OpenDP could not calibrate the noise to the requested epsilon")
    return Mechanism(measurement, "gaussian", scale, float(achieved), float(achieved_delta), l2)


def cells_once(
    records: Iterable[Record], cell_of: Callable[[Record], str], limit: int
) -> Counter[str]:
    """Counts per cell where each contributor counts at most once per cell (a customer who
    writes twice on one day is one contact that day) and in at most `limit` cells (a
    random choice of theirs): one contributor more or less moves at most `limit` counts
    by one, an L2 distance of at most sqrt(`limit`)."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for record in records:
        key = (record.contributor, cell_of(record))
        if key not in seen:
            seen.add(key)
            kept.append(record)
    return Counter(cell_of(r) for r in bound_contributions(kept, limit))


def _key(*parts: str) -> str:
    return "\x1f".join(parts)


@dataclass(frozen=True, slots=True)
class QuerySpec:
    query: Query
    epsilon: float
    by: tuple[str, ...] = ("assistant", "language")
    grain: str = "week"
    max_contributions: int = 5
    confidence: float = 0.95
    delta: float = 0.0
    """Above 0 (volume only): Gaussian noise instead of Laplace (see :func:`release`)."""


def release(
    records: Sequence[Record],
    spec: QuerySpec,
    *,
    assistants: Sequence[str],
    since: datetime,
    until: datetime,
) -> dict[str, Any]:
    """Bound each contributor's records, run one query and describe the release.

    Without delta: each customer's conversations are cut to ``max_contributions`` and
    counted with OpenDP's ``count_by_categories``, Laplace noise at that many changed
    rows. With delta (volume): each customer counts at most once per cell (group and
    day or week) and in at most ``max_contributions`` cells, so adding or removing one
    changes at most k counts by 1: L2 distance sqrt(k), against L1 distance k for Laplace.
    Gaussian noise grows with sqrt(k) and Laplace with k, so over many days and with
    frequent customers (large k) the Gaussian release is the more accurate one.

    The caller has charged the budget (:func:`run_queries` does)."""
    if spec.query == "contact_reasons":
        values = reason_categories()

        def value_of(r: Record) -> str:
            return r.reason

    elif spec.query == "volume":
        values = _periods(since, until, spec.grain)

        def value_of(r: Record) -> str:
            return _period(r.day, spec.grain)

    else:
        values = list(OUTCOMES)

        def value_of(r: Record) -> str:
            return r.outcome

    dims: list[list[str]] = []
    if "assistant" in spec.by:
        dims.append(list(assistants))
    if "language" in spec.by:
        dims.append(list(SUPPORTED_LANGUAGES))
    groups: list[tuple[str, ...]] = [()]
    for dim in dims:
        groups = [(*g, v) for g in groups for v in dim]
    categories = [_key(*g, v) for g in groups for v in values]

    def group_of(r: Record) -> tuple[str, ...]:
        parts = []
        if "assistant" in spec.by:
            parts.append(r.assistant)
        if "language" in spec.by:
            parts.append(r.language)
        return tuple(parts)

    def cell_of(r: Record) -> str:
        return _key(*group_of(r), value_of(r))

    limit = spec.max_contributions
    mechanism: Mechanism
    if spec.delta > 0:
        tally = cells_once(records, cell_of, limit)
        mechanism = gaussian_mechanism(len(categories), spec.epsilon, spec.delta, limit**0.5)
        noisy = [round(x) for x in mechanism.measurement([float(tally[c]) for c in categories])]
    else:
        data = [cell_of(r) for r in bound_contributions(records, limit)]
        mechanism = histogram_mechanism(categories, spec.epsilon, limit)
        noisy = mechanism.measurement(data)
    half = mechanism.accuracy(1 - spec.confidence)
    cells = []
    for category, count in zip(categories, noisy, strict=True):
        *group, value = category.split("\x1f")
        cell: dict[str, Any] = {
            "value": value,
            "count": int(count),
            "ci": [int(count) - half, int(count) + half],
        }
        for name, part in zip(
            [d for d in ("assistant", "language") if d in spec.by], group, strict=True
        ):
            cell[name] = part
        cells.append(cell)
    result: dict[str, Any] = {
        "query": spec.query,
        "epsilon": mechanism.epsilon,
        "delta": mechanism.delta,
        "mechanism": (
            "OpenDP gaussian on counts, zCDP converted to (epsilon, delta)-DP; one count "
            "per customer and cell, L2 sensitivity sqrt(max contributions)"
            if mechanism.noise == "gaussian"
            else "OpenDP count_by_categories >> laplace (discrete, integer counts)"
        ),
        "noise": mechanism.noise,
        "noise_scale": mechanism.scale,
        "max_contributions_per_subject": spec.max_contributions,
        "confidence": spec.confidence,
        "ci_half_width": half,
        "by": list(spec.by),
        "cells": cells,
    }
    if spec.query == "volume":
        result["grain"] = spec.grain
    if spec.query == "outcomes":
        result["rates"] = outcome_rates(cells, half, spec.by)
    return result


def _ratio(num: float, den: float) -> float | None:
    return None if den <= 0 else min(1.0, max(0.0, num / den))


def outcome_rates(
    cells: Sequence[dict[str, Any]], half: float, by: Sequence[str]
) -> list[dict[str, Any]]:
    """Handoff, guard-block and resolution rates per group, from the noisy counts, with
    conservative intervals from the counts' intervals (post-processing: no budget).
    Dimensions of the cells left out of `by` are summed over (``by=()``: one overall
    line)."""
    groups: dict[tuple[str, ...], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for cell in cells:
        key = tuple(cell[d] for d in ("assistant", "language") if d in by)
        groups[key][cell["value"]] += max(0.0, float(cell["count"]))
    out = []
    for key, c in groups.items():
        total = sum(c.values())
        handed = c["handoff"] + c["guard_blocked"]
        closed = handed + c["resolved"]
        entry: dict[str, Any] = dict(
            zip([d for d in ("assistant", "language") if d in by], key, strict=True)
        )
        entry.update(
            {
                "conversations": total,
                "handoff_rate": _ratio(handed, total),
                "guard_block_rate": _ratio(c["guard_blocked"], total),
                "resolution_without_handoff": _ratio(c["resolved"], closed),
                "handoff_rate_ci": [
                    _ratio(max(0.0, handed - 2 * half), total + 2 * half),
                    _ratio(handed + 2 * half, max(0.0, total - 2 * half)),
                ],
            }
        )
        out.append(entry)
    return out


def run_queries(
    db: Database,
    policy: Policy,
    specs: Sequence[QuerySpec],
    *,
    tenant: str,
    dataset: str,
    since: datetime,
    until: datetime,
    ctx: AccessContext,
    clock: Clock = system_clock,
) -> dict[str, Any]:
    """Charge and release each query; a query the budget cannot cover is refused before
    anything of it is computed (earlier queries of the same call stay released)."""
    if as_utc(until) <= as_utc(since):
        raise InvalidInput("--until must be after --since")
    for spec in specs:
        if spec.query not in QUERIES:
            raise InvalidInput(f"--query: unknown query {spec.query!r}; use {', '.join(QUERIES)}")
        if spec.max_contributions < 1:
            raise InvalidInput("--max-contributions must be at least 1")
        if not 0 <= spec.delta < 1:
            raise InvalidInput("--delta must be at least 0 and below 1")
        if spec.delta > 0 and spec.query != "volume":
            raise InvalidInput(
                f"--delta applies to the volume query only, not to {spec.query} "
                "(its counts have Laplace noise and spend no delta)"
            )
    ledger = BudgetLedger(db, tenant=tenant, clock=clock)
    # The whole report is refused up front when the budget cannot cover all of it.
    ledger.spend(
        dataset,
        "+".join(s.query for s in specs),
        epsilon=sum(s.epsilon for s in specs),
        delta=sum(s.delta for s in specs),
        ctx=ctx,
        charge=False,
    )
    records = eligible_records(db, policy, tenant=tenant, since=since, until=until, clock=clock)
    assistants = sorted(policy.assistants)
    period = {"since": as_utc(since).isoformat(), "until": as_utc(until).isoformat()}
    releases = []
    for spec in specs:
        charge = ledger.spend(dataset, spec.query, epsilon=spec.epsilon, delta=spec.delta, ctx=ctx)
        released = release(records, spec, assistants=assistants, since=since, until=until)
        assert charge.entry is not None
        ledger.record_result(charge.entry, {**released, "period": period})
        releases.append(released)
    return {
        "tenant": tenant,
        "dataset": dataset,
        "period": period,
        "purpose": PURPOSE,
        "releases": releases,
        "budget": ledger.status(dataset).as_dict(),
    }
