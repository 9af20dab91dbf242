"""Small SQL helpers the subject-data holders share: chunked ``IN`` lists and legal-hold
filters. No business rules: which rows a hold covers is decided by the caller's
:class:`discreet.subjectdata.Held`; these only spell it in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, case, false, or_, true

from discreet.subjectdata import Held, SubjectScope

IN_CHUNK = 500
"""Items per ``IN (...)`` list: well below every backend's bound-parameter limit."""

T = TypeVar("T")


def chunks(items: Sequence[T], size: int = IN_CHUNK) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def of_scope(
    scope: SubjectScope,
    *,
    tenant: ColumnElement[Any],
    subject: ColumnElement[Any],
    conversation: ColumnElement[Any] | None = None,
) -> ColumnElement[bool]:
    """SQL: the row is the subject's (attributed to them, or in one of their
    conversations) within their tenant."""
    mine: ColumnElement[bool] = subject == scope.subject_id
    if conversation is not None and scope.conversations:
        mine = or_(mine, conversation.in_(sorted(scope.conversations)))
    return and_(tenant == scope.tenant, mine)


def not_held(
    held: Held,
    *,
    subject: ColumnElement[Any] | None = None,
    conversation: ColumnElement[Any] | None = None,
) -> ColumnElement[bool]:
    """SQL: the row is not covered by a hold (NULL subject or conversation: not held)."""
    parts: list[ColumnElement[bool]] = []
    if conversation is not None and held.conversations:
        parts.append(or_(conversation.is_(None), conversation.not_in(sorted(held.conversations))))
    if subject is not None and held.subjects:
        parts.append(or_(subject.is_(None), subject.not_in(sorted(held.subjects))))
    return and_(true(), *parts)


def is_held(
    held: Held,
    *,
    subject: ColumnElement[Any] | None = None,
    conversation: ColumnElement[Any] | None = None,
) -> ColumnElement[bool]:
    """SQL: the row is covered by a hold."""
    parts: list[ColumnElement[bool]] = []
    if conversation is not None and held.conversations:
        parts.append(conversation.in_(sorted(held.conversations)))
    if subject is not None and held.subjects:
        parts.append(subject.in_(sorted(held.subjects)))
    return or_(false(), *parts)


def held_flag(held: Held, **columns: Any) -> Any:
    """A ``held`` column: 1 where the row is covered by a hold, else 0 (forecasts)."""
    return case((is_held(held, **columns), 1), else_=0).label("held")
