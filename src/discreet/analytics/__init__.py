"""Differentially private aggregates over conversations (OpenDP) with a budget ledger."""

from discreet.analytics.ledger import Budget, BudgetExhausted, BudgetLedger, NoBudget
from discreet.analytics.queries import QUERIES, QuerySpec, run_queries

__all__ = [
    "QUERIES",
    "Budget",
    "BudgetExhausted",
    "BudgetLedger",
    "NoBudget",
    "QuerySpec",
    "run_queries",
]
