"""Differentially private aggregates over conversations (OpenDP) with a budget ledger."""

from discreet.analytics.ledger import (
    Budget,
    BudgetExhausted,
    BudgetLedger,
    Charge,
    NoBudget,
    latest_releases,
)
from discreet.analytics.queries import QUERIES, QuerySpec, run_queries

__all__ = [
    "QUERIES",
    "Budget",
    "BudgetExhausted",
    "BudgetLedger",
    "Charge",
    "NoBudget",
    "QuerySpec",
    "latest_releases",
    "run_queries",
]
