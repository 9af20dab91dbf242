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
policy's assistants × the supported languages × the query's values: FAQ topics, days or
weeks, outcomes), built as ``count_by_categories >> laplace`` on OpenDP's integer
domain; the noise scale is the smallest for which OpenDP's privacy map says the
measurement is ``epsilon``-DP at ``d_in`` (``binary_search_param``). Intervals come from
OpenDP's ``discrete_laplacian_scale_to_accuracy``. Rates (handoff, guard block,
resolution without handoff) are post-processing of one outcome histogram: no extra cost.

Every query is charged to the :class:`~discreet.analytics.ledger.BudgetLedger` before
it runs.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from discreet.analytics.ledger import BudgetLedger
from discreet.analytics.releases import ReleaseRecords
from discreet.audit.context import AccessContext
from discreet.audit.log import AuditLog
from discreet.clock import Clock, as_utc, system_clock
from discreet.consent.checker import ConsentGate
from discreet.consent.limits import ProcessingLimits
from discreet.consent.records import ConsentRegistry
from discreet.conversations.states import ConversationState, ConversationStates
from discreet.conversations.transcripts import StoredMessage, TranscriptStore
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
OTHER = "other"
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


def _topics() -> dict[str, Any]:
    from discreet.gateway.knowledge import KNOWLEDGE_LANGUAGES, get_index

    return {lang: get_index(lang) for lang in KNOWLEDGE_LANGUAGES}


def contact_reason(
    messages: Sequence[StoredMessage], language: str, indexes: dict[str, Any]
) -> str:
    """The FAQ topic the customer's first message matches best (the embedded assistant's
    own knowledge base), or "other"."""
    from discreet.export.anonymise import TOKEN_RE

    index = indexes.get(language)
    first = next((m.text for m in messages if m.role == "user"), "")
    if index is None or not first:
        return OTHER
    match = index.best(TOKEN_RE.sub(" ", first))
    if match is None or match.score < index.kb.min_score:
        return OTHER
    return str(match.entry.id)


def topic_names() -> list[str]:
    names = {entry.id for index in _topics().values() for entry in index.kb.entries}
    return [*sorted(names), OTHER]


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
    indexes = _topics()
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
                    reason=contact_reason(messages, language, indexes),
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
    """An OpenDP measurement for one histogram, with its calibrated scale."""

    measurement: Any
    scale: float
    epsilon: float
    d_in: int


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
    return Mechanism(measurement, scale, achieved, d_in)


def accuracy(scale: float, alpha: float) -> float:
    """Half-width of the (1 - alpha) interval of one noisy count (OpenDP)."""
    import opendp.prelude as dp

    return float(dp.discrete_laplacian_scale_to_accuracy(scale=scale, alpha=alpha))


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


def release(
    records: Sequence[Record],
    spec: QuerySpec,
    *,
    assistants: Sequence[str],
    since: datetime,
    until: datetime,
) -> dict[str, Any]:
    """Run one query over `records` (already bounded) and describe the release.

    The caller has charged the budget (:func:`run_queries` does)."""
    if spec.query == "contact_reasons":
        values = topic_names()

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

    data = [_key(*group_of(r), value_of(r)) for r in records]
    mechanism = histogram_mechanism(categories, spec.epsilon, spec.max_contributions)
    noisy = mechanism.measurement(data)
    half = accuracy(mechanism.scale, 1 - spec.confidence)
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
        "delta": 0.0,
        "mechanism": "OpenDP count_by_categories >> laplace (discrete, integer counts)",
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
    ledger = BudgetLedger(db, tenant=tenant, clock=clock)
    needed = sum(s.epsilon for s in specs)
    # The whole report is refused up front when the budget cannot cover all of it.
    ledger.spend(dataset, "+".join(s.query for s in specs), epsilon=needed, ctx=ctx, charge=False)
    records = eligible_records(db, policy, tenant=tenant, since=since, until=until, clock=clock)
    assistants = sorted(policy.assistants)
    kept = ReleaseRecords(db, tenant=tenant, clock=clock)
    releases = []
    for spec in specs:
        bounded = bound_contributions(records, spec.max_contributions)
        ledger.spend(dataset, spec.query, epsilon=spec.epsilon, ctx=ctx)
        released = release(bounded, spec, assistants=assistants, since=since, until=until)
        kept.record(dataset, since, until, released)  # shown again (console) at no cost
        releases.append(released)
    return {
        "tenant": tenant,
        "dataset": dataset,
        "period": {"since": as_utc(since).isoformat(), "until": as_utc(until).isoformat()},
        "purpose": PURPOSE,
        "releases": releases,
        "budget": ledger.status(dataset).as_dict(),
    }
