"""Minimal context: cut a customer record and a conversation history down to what the
policy allows (ARCHITECTURE: "policy.minimize").

Pure functions over data the gateway already holds; they read nothing and log nothing.
Both fail closed: a record key the policy does not know is dropped, not passed on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TypeVar

from discreet.policy.policy import Policy

V = TypeVar("V")


def minimize_record(
    policy: Policy, assistant: str, purpose: str, record: Mapping[str, V]
) -> dict[str, V]:
    """The entries of `record` (field name -> value) that `assistant` may see for `purpose`.

    Raises `PolicyDenied` if the assistant may not serve the purpose at all.
    """
    allowed = policy.allowed_fields(assistant, purpose)
    return {name: value for name, value in record.items() if name in allowed}


def history_cutoff(policy: Policy, assistant: str, now: datetime) -> datetime:
    """Earlier conversations that ended before this instant are outside the assistant's
    history window and must not be used as context."""
    return now - timedelta(days=policy.assistant(assistant).history_window_days)
