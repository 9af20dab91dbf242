"""Conversation ids are stored and audited in the clear, so they must not be personal
data; they are checked by shape and against the vault, not by the detector.

The detector reads "fxQmRtLwbKd" as a name and a hex run as a phone number, refusing
valid opaque ids (the gateway's own ``conv_`` ids among them). The shape rule is exact
instead: letters, digits and ``._:-`` (no "@": e-mail addresses are the one common
identifier whose shape is unambiguous), and no spelling of any customer's identifier
(the same blind-index look-up as the output guard, `guard.leaks`).
"""

from __future__ import annotations

import re

from discreet.gateway.refusals import TurnRefused
from discreet.guard.leaks import Lookup, candidates

_OPAQUE = re.compile(r"[A-Za-z0-9._:\-]{1,200}")


def check_opaque_id(value: str, lookup: Lookup) -> str:
    """`value` if it is an opaque id; `TurnRefused` (400) otherwise."""
    if not _OPAQUE.fullmatch(value):
        raise TurnRefused(
            400,
            "invalid_conversation_id",
            "X-Discreet-Conversation must be 1-200 letters, digits and ._:- (no '@'); "
            "use an opaque id",
        )
    found = candidates(value.replace(".", " . ").replace("_", " ").replace("-", " - "))
    if found and any(lookup(sorted(found)).values()):
        raise TurnRefused(
            400,
            "invalid_conversation_id",
            "X-Discreet-Conversation spells a customer's personal data; use an opaque id",
        )
    return value


__all__ = ["check_opaque_id"]
