"""Deadlines of data-subject requests (GDPR art. 12(3)).

An answer is due one month after receipt; the controller may extend that by up to two
further months, with a recorded reason. "One month" follows Regulation 1182/71: the same
day of the next month, or that month's last day when it has no such day (31 January ->
28/29 February).
"""

from __future__ import annotations

import calendar
from datetime import datetime

RESPONSE_MONTHS = 1
MAX_EXTENSION_MONTHS = 2


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` shifted by whole calendar months, clamped to the target month's end."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def initial_due(received_at: datetime) -> datetime:
    return add_months(received_at, RESPONSE_MONTHS)


def latest_due(received_at: datetime) -> datetime:
    """The furthest an extension may push the deadline."""
    return add_months(received_at, RESPONSE_MONTHS + MAX_EXTENSION_MONTHS)
