"""The one place that builds discreet's services from their parts.

:func:`build_services` opens the stores once and builds every service over them (vault,
holders, rights and consent, retention, gateway); ``serve``, its workers and the demo use
it, and nothing is patched after construction. :func:`read_config` reads the settings and
the policy once.

The registry of subject-data holders (ARCHITECTURE principle 7): every
table of personal data has exactly one holder; :data:`HOLDERS` lists their factories,
**in erasure order** (an erasure runs them in this order, and the retention run expires
in it too): consent first, then transcripts (found through the bindings, so before
them), the vault's bindings and token maps, the subject records (whose key must outlive
the maps under it), conversation state, and the records kept as evidence. A package
that adds a table of personal data adds one line here; the contract test
(``tests/contract/test_subject_data.py``) fails until it does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field

from discreet.audit.log import AuditLog
from discreet.clock import Clock, system_clock
from discreet.consent.limits import ProcessingLimitRecords
from discreet.consent.records import ConsentRecords
from discreet.console.reveals import RevealGrants
from discreet.console.services import ConsoleServices
from discreet.conversations.states import ConversationStateRecords, closed_at
from discreet.conversations.transcripts import Transcripts
from discreet.export.records import ExportRecords
from discreet.gateway.backend import ChatBackend
from discreet.gateway.factory import gateway_over, open_policy_vault
from discreet.gateway.turn import Gateway
from discreet.ops.incidents import IncidentSubjects
from discreet.policy import Policy, load_policy
from discreet.retention.closing import ConversationCloser
from discreet.retention.factory import Retention
from discreet.retention.runner import RetentionRunner
from discreet.retention.scheduler import DEFAULT_INTERVAL_S, RetentionScheduler
from discreet.rights import RightsService
from discreet.rights.erasure import ErasureJobRecords
from discreet.rights.holds import LegalHoldRecords
from discreet.rights.requests import RightsRequestRecords
from discreet.settings import Settings
from discreet.store.db import Database
from discreet.store.migrate import DATA, KEYS, ensure_current
from discreet.subjectdata import Holders, SubjectData
from discreet.vault.bindings import ConversationBindings
from discreet.vault.crypto import MasterKey
from discreet.vault.factory import configured_key_store
from discreet.vault.keystore import KeyStore, register_audit_chain
from discreet.vault.master import load_master_key
from discreet.vault.records import SubjectRecords
from discreet.vault.vault import Vault


@dataclass(slots=True)
class StoreParts:
    """What holders are built from: the data store, the key store and the clock; and,
    built once, the holders other parts hand work to or ask: the vault's bindings, and
    the erasure jobs, which the gateway asks before it stores a turn (its fence,
    conversations/fence.py)."""

    data: Database
    keys: KeyStore
    clock: Clock = system_clock
    _bindings: ConversationBindings | None = field(default=None, repr=False)
    _erasures: ErasureJobRecords | None = field(default=None, repr=False)

    @property
    def bindings(self) -> ConversationBindings:
        if self._bindings is None:
            self._bindings = ConversationBindings(
                self.data, self.keys, clock=self.clock, closed_at=closed_at
            )
        return self._bindings

    @property
    def erasures(self) -> ErasureJobRecords:
        if self._erasures is None:
            self._erasures = ErasureJobRecords(self.data, clock=self.clock)
        return self._erasures


HolderFactory = Callable[[StoreParts], SubjectData]

HOLDERS: tuple[HolderFactory, ...] = (
    lambda p: ConsentRecords(p.data, clock=p.clock),
    lambda p: ProcessingLimitRecords(p.data, clock=p.clock),
    lambda p: Transcripts(p.data, clock=p.clock),
    lambda p: p.bindings,
    lambda p: SubjectRecords(p.data, p.keys, p.bindings, clock=p.clock),
    lambda p: ConversationStateRecords(p.data, clock=p.clock, forget=p.bindings.forget),
    lambda p: RightsRequestRecords(p.data, clock=p.clock),
    lambda p: p.erasures,
    lambda p: LegalHoldRecords(p.data, clock=p.clock),
    lambda p: IncidentSubjects(p.data, clock=p.clock),
    lambda p: ExportRecords(p.data, clock=p.clock),
    lambda p: RevealGrants(p.data, clock=p.clock),
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


# --- every service, built once ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Config:
    """What a process reads from outside itself, read once: the ``DISCREET_*`` settings
    (the upstream model's and the operations' included) and the policy."""

    settings: Settings
    policy: Policy


def read_config(settings: Settings | None = None, policy: Policy | None = None) -> Config:
    """The configuration from the environment (and the policy file DISCREET_CONFIG names)."""
    settings = settings or Settings()
    return Config(settings, policy or load_policy(settings.config))


@dataclass(slots=True)
class Services:
    """Every service of one process over one pair of stores (opened once)."""

    config: Config
    vault: Vault
    holders: Holders
    rights: RightsService
    retention: Retention
    gateway: Gateway | None
    """``None`` when built without one (governance-only commands)."""

    @property
    def data(self) -> Database:
        return self.vault.data_store

    @property
    def keys(self) -> KeyStore:
        return self.vault.key_store

    @property
    def audit(self) -> AuditLog:
        return self.vault.audit_log

    def close(self) -> None:
        self.vault.close()


def build_services(
    config: Config,
    *,
    backend: ChatBackend | None = None,
    master_key: MasterKey | None = None,
    migrate: bool = False,
    with_gateway: bool = True,
    clock: Clock = system_clock,
    categories: Mapping[str, str] | None = None,
) -> Services:
    """Open the stores once and build every service over them: the vault, the holders,
    rights and consent, retention, and the gateway asking the same consent records the
    operator routes write and the same erasure jobs the erasures write (the turns'
    fence). Nothing is replaced afterwards. `categories` (field -> data
    category) add to the policy's for this process (`subjects import --category`).

    Raises the start-up errors (missing or wrong master key, store unavailable, schema not
    current, bad upstream settings) so a process refuses to start rather than fail later.
    """
    settings, policy = config.settings, config.policy
    vault = open_policy_vault(
        policy, settings, master_key=master_key, migrate=migrate, categories=categories
    )
    try:
        data, keys, tenant = vault.data_store, vault.key_store, vault.tenant
        parts = StoreParts(data, keys, clock)
        holders = build_holders(parts)
        rights = RightsService(vault, holders=holders, clock=clock, policy=policy)
        retention = _retention(data, keys, policy, tenant, holders, clock)
        gateway = (
            gateway_over(
                vault,
                policy,
                consent=rights.consent.gate,
                erasures=parts.erasures,
                settings=settings,
                backend=backend,
            )
            if with_gateway
            else None
        )
    except Exception:
        vault.close()
        raise
    return Services(config, vault, holders, rights, retention, gateway)


def build_gateway(
    policy: Policy,
    settings: Settings | None = None,
    *,
    master_key: MasterKey | None = None,
    backend: ChatBackend | None = None,
    migrate: bool = False,
) -> Gateway:
    """The gateway of :func:`build_services` over the configured stores (benchmarks and
    gateway tests); closing its vault closes the stores."""
    config = Config(settings or Settings(), policy)
    gateway = build_services(
        config, backend=backend, master_key=master_key, migrate=migrate
    ).gateway
    assert gateway is not None  # built with a gateway (the default)
    return gateway


# --- retention alone (the retention commands and a scheduler of their own) ------------


def open_retention(
    policy: Policy,
    settings: Settings | None = None,
    *,
    tenant: str | None = None,
    master_key: MasterKey | None = None,
    clock: Clock = system_clock,
) -> Retention:
    """Retention over the stores `settings` names (default: from the environment).

    Fails closed like the vault: StoreUnavailable / SchemaNotCurrent / MasterKeyMissing /
    WrongMasterKey before any deletion.
    """
    settings = settings or Settings()
    if master_key is None:
        load_master_key(settings)  # MasterKeyMissing before anything is opened
    data = Database(settings.data_url, name="data store")
    keys_db = Database(settings.keys_url, name="key store")
    ensure_current(data, DATA)
    ensure_current(keys_db, KEYS)
    keys = configured_key_store(settings, keys_db, master_key)
    keys.check_master_key()
    register_audit_chain(data, keys)  # retention's audit records join the keyed chain
    holders = build_holders(StoreParts(data, keys, clock))
    return _retention(data, keys, policy, tenant or settings.tenant, holders, clock)


def _retention(
    data: Database,
    keys: KeyStore,
    policy: Policy,
    tenant: str,
    holders: Holders,
    clock: Clock,
) -> Retention:
    """The retention parts of `tenant` over open stores."""
    return Retention(
        data=data,
        keys=keys,
        policy=policy,
        tenant=tenant,
        runner=RetentionRunner(data, keys, policy, tenant=tenant, holders=holders, clock=clock),
        closer=ConversationCloser(data, keys, policy, tenant=tenant, clock=clock),
        holders=holders,
        clock=clock,
    )


def scheduled_retention(
    policy: Policy,
    settings: Settings | None = None,
    *,
    tenant: str | None = None,
    interval_s: float = DEFAULT_INTERVAL_S,
) -> Callable[[], AbstractAsyncContextManager[RetentionScheduler]]:
    """A background task for ``create_app(background=[...])``: opens retention over the
    configured stores at start-up (failing start-up if they are unavailable, like the
    vault), runs it every `interval_s`, and closes it at shutdown."""

    @asynccontextmanager
    async def task() -> AsyncIterator[RetentionScheduler]:
        retention = open_retention(policy, settings, tenant=tenant)
        scheduler = RetentionScheduler(retention.runner.run, interval_s=interval_s)
        try:
            async with scheduler.running():
                yield scheduler
        finally:
            retention.close()

    return task


# --- the console -------------------------------------------------------------------


def open_console_services(
    policy: Policy,
    settings: Settings | None = None,
    *,
    master_key: MasterKey | None = None,
    clock: Clock = system_clock,
    migrate: bool = False,
) -> ConsoleServices:
    """The console's services over the stores `settings` names (default: the environment).

    Fails closed like the gateway: the vault's and retention's start-up errors (store
    unavailable, schema not current, master key missing or wrong) propagate.
    """
    # The same wiring as the gateway's (one pair of stores, every holder registered);
    # the console needs no gateway of its own.
    services = build_services(
        Config(settings or Settings(), policy),
        master_key=master_key,
        migrate=migrate,
        with_gateway=False,
        clock=clock,
    )
    rights, retention = services.rights, services.retention
    return ConsoleServices(policy=policy, rights=rights, retention=retention, clock=clock)
