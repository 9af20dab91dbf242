"""The privacy-budget ledger: how much epsilon (and delta) each tenant's dataset may
spend in total, and every release that spent from it (``dp_budgets``, ``dp_ledger``).

A release is charged *before* it is computed, in one transaction with its audit
record, and its figures are stored on its ledger entry once computed
(:func:`latest_releases` reads them back for the console). A release that would take
the spent total past the budget (epsilon or delta) is refused (and the refusal audited),
and two concurrent releases cannot both take the last of a budget (the budget row is
locked; SQLite transactions are serialised anyway). Budgets only hold numbers and names:
nothing here is about any subject.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from discreet.audit.context import AccessContext, Outcome
from discreet.audit.log import AuditEvent, AuditLog
from discreet.clock import Clock, as_utc, now_from, system_clock
from discreet.errors import Conflict, InvalidInput, NotFound
from discreet.store.db import Database
from discreet.store.export_models import DpBudget, DpLedgerEntry
from discreet.store.models import table_of

_B = table_of(DpBudget)
_L = table_of(DpLedgerEntry)
_SLACK = 1e-9  # float sums of epsilons: 0.1 + 0.2 must fit a budget of 0.3
SET_ACTION = "analytics.budget.set"
SPEND_ACTION = "analytics.release"


class BudgetExhausted(Conflict, code="privacy_budget_exhausted"):
    """The release would spend more privacy budget than is left; nothing was released."""


class NoBudget(NotFound, code="privacy_budget_missing"):
    """No privacy budget is set for this dataset."""


@dataclass(frozen=True, slots=True)
class Budget:
    tenant: str
    dataset: str
    epsilon: float
    delta: float
    spent_epsilon: float
    spent_delta: float
    releases: int
    updated_at: datetime | None

    @property
    def left_epsilon(self) -> float:
        return max(0.0, self.epsilon - self.spent_epsilon)

    @property
    def left_delta(self) -> float:
        return max(0.0, self.delta - self.spent_delta)

    def spent_of(self, name: str) -> float:
        return self.spent_epsilon if name == "epsilon" else self.spent_delta

    def as_dict(self) -> dict[str, object]:
        return {
            "tenant": self.tenant,
            "dataset": self.dataset,
            "epsilon": self.epsilon,
            "delta": self.delta,
            "spent_epsilon": round(self.spent_epsilon, 9),
            "spent_delta": self.spent_delta,
            "left_epsilon": round(self.left_epsilon, 9),
            "left_delta": self.left_delta,
            "releases": self.releases,
        }


@dataclass(frozen=True, slots=True)
class Charge:
    """What :meth:`BudgetLedger.spend` did: the ledger entry (None when only checked) and
    the budget after it."""

    entry: int | None
    budget: Budget


def _check_name(dataset: str) -> str:
    if not dataset or len(dataset) > 64 or not all(c.isalnum() or c in "_-." for c in dataset):
        raise InvalidInput("dataset: 1 to 64 letters, digits or _-.")
    return dataset


class BudgetLedger:
    """Privacy budgets and their ledger, for one tenant."""

    def __init__(self, db: Database, *, tenant: str = "default", clock: Clock = system_clock):
        self._db = db
        self.tenant = tenant
        self._clock = clock
        self._audit = AuditLog(db)

    def set_budget(
        self, dataset: str, *, epsilon: float, delta: float = 0.0, ctx: AccessContext
    ) -> Budget:
        """Set (or change) a dataset's total budget. Lowering it below what is already
        spent is allowed: the dataset then refuses every further release."""
        _check_name(dataset)
        if not epsilon > 0 or epsilon > 100:
            raise InvalidInput("--epsilon: a total budget is greater than 0 and at most 100")
        if not 0 <= delta < 1:
            raise InvalidInput("--delta: a total delta is at least 0 and below 1")
        now = now_from(self._clock)
        with self._db.begin() as conn:
            exists = conn.execute(
                select(_B.c.dataset).where(_B.c.tenant == self.tenant, _B.c.dataset == dataset)
            ).one_or_none()
            values = {"epsilon": epsilon, "delta": delta, "set_by": ctx.actor, "updated_at": now}
            if exists is None:
                conn.execute(_B.insert(), {"tenant": self.tenant, "dataset": dataset, **values})
            else:
                conn.execute(
                    _B.update()
                    .where(_B.c.tenant == self.tenant, _B.c.dataset == dataset)
                    .values(**values)
                )
            self._audit.append(
                AuditEvent(
                    ctx,
                    self.tenant,
                    SET_ACTION,
                    Outcome.OK,
                    details={"dataset": dataset, "epsilon": str(epsilon), "delta": str(delta)},
                ),
                conn=conn,
            )
        return self.status(dataset)

    def _status(self, conn: Connection, dataset: str, *, lock: bool = False) -> Budget:
        query = select(_B).where(_B.c.tenant == self.tenant, _B.c.dataset == dataset)
        if lock:
            query = query.with_for_update()
        row = conn.execute(query).one_or_none()
        if row is None:
            raise NoBudget(
                f"no privacy budget is set for dataset {dataset!r} of tenant {self.tenant!r}; "
                "set one first: discreet analytics budget --dataset NAME --set EPSILON"
            )
        spent = conn.execute(
            select(
                func.coalesce(func.sum(_L.c.epsilon), 0.0),
                func.coalesce(func.sum(_L.c.delta), 0.0),
                func.count(),
            ).where(_L.c.tenant == self.tenant, _L.c.dataset == dataset)
        ).one()
        return Budget(
            tenant=self.tenant,
            dataset=dataset,
            epsilon=float(row.epsilon),
            delta=float(row.delta),
            spent_epsilon=float(spent[0]),
            spent_delta=float(spent[1]),
            releases=int(spent[2]),
            updated_at=as_utc(row.updated_at),
        )

    def status(self, dataset: str) -> Budget:
        _check_name(dataset)
        with self._db.read() as conn:
            return self._status(conn, dataset)

    def budgets(self) -> list[Budget]:
        with self._db.read() as conn:
            names = conn.execute(
                select(_B.c.dataset).where(_B.c.tenant == self.tenant).order_by(_B.c.dataset)
            ).scalars()
            return [self._status(conn, name) for name in list(names)]

    def spend(
        self,
        dataset: str,
        query: str,
        *,
        epsilon: float,
        delta: float = 0.0,
        ctx: AccessContext,
        charge: bool = True,
    ) -> Charge:
        """Charge one release; raises :class:`BudgetExhausted` (audited) when it does not fit.

        ``charge=False`` only checks (a report of several queries is refused as a whole
        before any is charged); only a refusal is then audited."""
        _check_name(dataset)
        if not epsilon > 0:
            raise InvalidInput("epsilon of a release must be greater than 0")
        if delta < 0:
            raise InvalidInput("delta of a release must not be negative")
        details: dict[str, int | str | bool] = {
            "dataset": dataset,
            "query": query,
            "epsilon": str(epsilon),
            "delta": str(delta),
        }
        with self._db.begin() as conn:
            budget = self._status(conn, dataset, lock=True)
            fits = (
                budget.spent_epsilon + epsilon <= budget.epsilon + _SLACK
                and budget.spent_delta + delta <= budget.delta + _SLACK
            )
            if fits and not charge:
                return Charge(None, budget)
            entry = None
            if fits:
                entry = conn.execute(
                    _L.insert().returning(_L.c.id),
                    {
                        "tenant": self.tenant,
                        "dataset": dataset,
                        "query": query,
                        "epsilon": epsilon,
                        "delta": delta,
                        "actor": ctx.actor,
                        "spent_at": now_from(self._clock),
                    },
                ).scalar_one()
            self._audit.append(
                AuditEvent(
                    ctx,
                    self.tenant,
                    SPEND_ACTION,
                    Outcome.OK if fits else Outcome.DENIED,
                    details=details,
                ),
                conn=conn,
            )
        if not fits:
            short = [
                f"needs {name} {need:g}, but only {name} {left:.6g} of {total:g} is left"
                for name, need, left, total in (
                    ("epsilon", epsilon, budget.left_epsilon, budget.epsilon),
                    ("delta", delta, budget.left_delta, budget.delta),
                )
                if budget.spent_of(name) + need > total + _SLACK
            ]
            hint = (
                f" (a total delta is set with: discreet analytics budget --dataset {dataset} "
                "--set EPSILON --delta DELTA)"
                if budget.spent_delta + delta > budget.delta + _SLACK
                else ""
            )
            raise BudgetExhausted(
                f"the privacy budget of dataset {dataset!r} does not allow this release "
                f"({query}): it {' and '.join(short)}{hint}; nothing was released"
            )
        assert entry is not None
        return Charge(entry, self.status(dataset))

    def record_result(self, entry: int, result: dict[str, Any]) -> None:
        """Store the released figures on their ledger entry."""
        with self._db.begin() as conn:
            conn.execute(
                _L.update()
                .where(_L.c.id == entry, _L.c.tenant == self.tenant)
                .values(result=json.dumps(result, sort_keys=True))
            )


def latest_releases(db: Database, tenant: str) -> list[dict[str, Any]]:
    """The latest released figures of each dataset and query of `tenant`, newest first:
    ``{"dataset", "query", "released_at", "epsilon", "delta", "result"}``, where
    ``result`` is the release as ``discreet analytics run`` reported it (noisy counts,
    intervals, its period). Reading them spends nothing: they are already public."""
    with db.read() as conn:
        rows = conn.execute(
            select(_L.c.dataset, _L.c.query, _L.c.spent_at, _L.c.epsilon, _L.c.delta, _L.c.result)
            .where(_L.c.tenant == tenant, _L.c.result.is_not(None))
            .order_by(_L.c.spent_at.desc(), _L.c.id.desc())
        ).all()
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        if (row.dataset, row.query) in latest:
            continue
        latest[(row.dataset, row.query)] = {
            "dataset": row.dataset,
            "query": row.query,
            "released_at": as_utc(row.spent_at).isoformat(),
            "epsilon": float(row.epsilon),
            "delta": float(row.delta),
            "result": json.loads(row.result),
        }
    return list(latest.values())
