"""Retention: delete what the policy no longer allows to keep, keep what is on legal hold,
close idle conversations and forget their token maps.

* :class:`RetentionRunner` -- one run (``discreet retention run``), see :mod:`.runner`.
* :func:`forecast` -- what will expire when (``discreet retention report``).
* :class:`ConversationCloser`, :func:`is_closed` -- closing conversations (:mod:`.closing`).
* :class:`RetentionScheduler` -- runs retention periodically inside ``discreet serve``.
* :class:`Retention` -- the parts of one tenant (built by :mod:`discreet.wiring`).
"""

from discreet.conversations.states import is_closed
from discreet.retention.closing import (
    RETENTION_CONTEXT,
    CloseOutcome,
    ConversationCloser,
    ConversationNotFound,
    token_map_keep_days,
)
from discreet.retention.factory import Retention
from discreet.retention.forecast import ExpiryLine, Forecast, forecast
from discreet.retention.runner import KindCount, RetentionOutcome, RetentionRunner
from discreet.retention.scheduler import RetentionScheduler

__all__ = [
    "RETENTION_CONTEXT",
    "CloseOutcome",
    "ConversationCloser",
    "ConversationNotFound",
    "ExpiryLine",
    "Forecast",
    "KindCount",
    "Retention",
    "RetentionOutcome",
    "RetentionRunner",
    "RetentionScheduler",
    "forecast",
    "is_closed",
    "token_map_keep_days",
]
