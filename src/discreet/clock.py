"""An injectable clock, so deadline and consent-history tests never sleep.

A :data:`Clock` is any callable returning an aware datetime; everything stored is UTC.
SQLite hands timestamps back without a zone, so reads go through :func:`as_utc`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real time, in UTC."""
    return datetime.now(UTC)


def now_from(clock: Clock) -> datetime:
    """`clock()`, refusing naive datetimes (they would be read in some local zone)."""
    moment = clock()
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the clock returned a naive datetime; it must be timezone-aware")
    return moment.astimezone(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored timestamp as aware UTC (SQLite returns it without a zone, stored as UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
