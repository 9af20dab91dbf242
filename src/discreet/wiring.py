"""The one place that builds discreet's services from their parts.

Today it builds the registry of subject-data holders (ARCHITECTURE principle 7). Every
table of personal data has exactly one holder; :data:`HOLDERS` lists their factories,
**in erasure order** (an erasure runs them in this order, and the retention run expires
in it too): consent first, then transcripts (found through the bindings, so before
them), the vault's bindings and token maps, the subject records (whose key must outlive
the maps under it), conversation state, and the records kept as evidence. A package
that adds a table of personal data adds one line here; the contract test
(``tests/contract/test_subject_data.py``) fails until it does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from discreet.clock import Clock, system_clock
from discreet.consent.limits import ProcessingLimitRecords
from discreet.consent.records import ConsentRecords
from discreet.conversations.states import ConversationStateRecords, closed_at
from discreet.conversations.transcripts import Transcripts
from discreet.rights.erasure import ErasureJobRecords
from discreet.rights.holds import LegalHoldRecords
from discreet.rights.requests import RightsRequestRecords
from discreet.store.db import Database
from discreet.subjectdata import Holders, SubjectData
from discreet.vault.bindings import ConversationBindings
from discreet.vault.keystore import KeyStore
from discreet.vault.records import SubjectRecords
from discreet.vault.vault import Vault


@dataclass(slots=True)
class StoreParts:
    """What holders are built from: the data store, the key store and the clock; and
    the vault's bindings, built once, which other holders hand work to."""

    data: Database
    keys: KeyStore
    clock: Clock = system_clock
    _bindings: ConversationBindings | None = field(default=None, repr=False)

    @property
    def bindings(self) -> ConversationBindings:
        if self._bindings is None:
            self._bindings = ConversationBindings(
                self.data, self.keys, clock=self.clock, closed_at=closed_at
            )
        return self._bindings


HolderFactory = Callable[[StoreParts], SubjectData]

HOLDERS: tuple[HolderFactory, ...] = (
    lambda p: ConsentRecords(p.data, clock=p.clock),
    lambda p: ProcessingLimitRecords(p.data, clock=p.clock),
    lambda p: Transcripts(p.data, clock=p.clock),
    lambda p: p.bindings,
    lambda p: SubjectRecords(p.data, p.keys, p.bindings, clock=p.clock),
    lambda p: ConversationStateRecords(p.data, clock=p.clock, forget=p.bindings.forget),
    lambda p: RightsRequestRecords(p.data, clock=p.clock),
    lambda p: ErasureJobRecords(p.data, clock=p.clock),
    lambda p: LegalHoldRecords(p.data, clock=p.clock),
)
"""Factories of every subject-data holder, in erasure order (see the module docstring)."""


def build_holders(parts: StoreParts) -> Holders:
    """A registry of every holder over these stores (a table claimed twice raises)."""
    holders = Holders()
    for factory in HOLDERS:
        holders.register(factory(parts))
    return holders


def vault_holders(vault: Vault, *, clock: Clock = system_clock) -> Holders:
    """Every holder over the stores `vault` was opened on."""
    return build_holders(StoreParts(vault.data_store, vault.key_store, clock))
