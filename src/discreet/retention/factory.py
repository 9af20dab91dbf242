"""The retention parts of one tenant (built by :func:`discreet.wiring.open_retention` and
:func:`discreet.wiring.build_services`).

The runner and the closer shred keys, so they need the key store (and the master key, to
open it as the vault does); they never decrypt anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from discreet.clock import Clock, system_clock
from discreet.policy.policy import Policy
from discreet.retention.closing import ConversationCloser
from discreet.retention.runner import RetentionRunner
from discreet.store.db import Database
from discreet.subjectdata import Holders
from discreet.vault.keystore import KeyStore


@dataclass(frozen=True, slots=True)
class Retention:
    """The retention parts of one tenant over the configured stores."""

    data: Database
    keys: KeyStore
    policy: Policy
    tenant: str
    runner: RetentionRunner
    closer: ConversationCloser
    holders: Holders
    clock: Clock = system_clock

    def close(self) -> None:
        self.data.dispose()
        self.keys.db.dispose()
