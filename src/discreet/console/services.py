"""What the console is built from: the same domain services the gateway serves with.

:func:`discreet.wiring.open_console_services` opens them over the configured stores (as ``discreet
serve`` does for the gateway); tests build :class:`ConsoleServices` over their own
stores and a fake clock. The console adds only its own stores (accounts, sessions,
reveal grants); every rule lives in the domain packages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from discreet.analytics.releases import ReleaseRecords
from discreet.audit import AuditLog
from discreet.clock import Clock, system_clock
from discreet.console.accounts import AccountStore
from discreet.console.reveals import RevealGrants
from discreet.console.sessions import SessionStore
from discreet.conversations.apikeys import ApiKeyStore
from discreet.conversations.states import ConversationStates
from discreet.conversations.transcripts import TranscriptStore
from discreet.ops.incidents import IncidentRegister
from discreet.policy import Policy
from discreet.retention import Retention
from discreet.rights import RightsService
from discreet.store.db import Database
from discreet.vault import Vault


@dataclass(slots=True)
class ConsoleServices:
    policy: Policy
    rights: RightsService
    retention: Retention | None = None
    """For the retention forecast on the overview (left out: no forecast shown)."""
    clock: Clock = system_clock
    accounts: AccountStore = field(init=False)
    sessions: SessionStore = field(init=False)
    reveals: RevealGrants = field(init=False)
    api_keys: ApiKeyStore = field(init=False)
    transcripts: TranscriptStore = field(init=False)
    states: ConversationStates = field(init=False)
    incidents: IncidentRegister = field(init=False)
    releases: ReleaseRecords = field(init=False)
    """The latest differentially private analytics releases (shown, never recomputed)."""

    def __post_init__(self) -> None:
        db = self.db
        self.accounts = AccountStore(db, clock=self.clock)
        self.sessions = SessionStore(
            db,
            clock=self.clock,
            idle=timedelta(minutes=self.policy.console.idle_timeout_minutes),
            absolute=timedelta(hours=self.policy.console.absolute_timeout_hours),
        )
        self.reveals = RevealGrants(db, clock=self.clock)
        self.api_keys = ApiKeyStore(db, self.tenant)
        self.transcripts = TranscriptStore(db, self.tenant)
        self.states = ConversationStates(db, self.audit, self.tenant)
        self.incidents = IncidentRegister(db, tenant=self.tenant, clock=self.clock)
        self.releases = ReleaseRecords(db, tenant=self.tenant)

    @property
    def vault(self) -> Vault:
        return self.rights.vault

    @property
    def db(self) -> Database:
        return self.rights.db

    @property
    def audit(self) -> AuditLog:
        return self.rights.vault.audit_log

    @property
    def tenant(self) -> str:
        return self.rights.vault.tenant

    def close(self) -> None:
        # Retention runs over the vault's own stores: closing the vault closes them.
        self.rights.vault.close()
