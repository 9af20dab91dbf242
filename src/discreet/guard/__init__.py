"""Input and output checks of a chat turn (ARCHITECTURE.md, `guard/`).

* `inbound` -- prompt-injection and data-fishing signals in customer messages (EN/NL/DE/FR),
  flagged in the turn's audit record. They are signals, not defences: the defence is that
  the context holds only this conversation's subject, pseudonymised.
* `output` -- `OutputGuard`: another subject's identifiers in an answer block it (an
  incident), secrets are redacted, unexplained personal data is withheld.

The guard never calls the LLM and never logs values.
"""

from discreet.guard.inbound import InboundSignal, scan_inbound
from discreet.guard.output import (
    BLOCKED_MESSAGE,
    GuardDecision,
    GuardResult,
    IdentifierLookup,
    OutputGuard,
)

__all__ = [
    "BLOCKED_MESSAGE",
    "GuardDecision",
    "GuardResult",
    "IdentifierLookup",
    "InboundSignal",
    "OutputGuard",
    "scan_inbound",
]
