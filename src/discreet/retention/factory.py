"""Building the retention parts from :class:`discreet.settings.Settings`.

The runner and the closer shred keys, so they need the key store (and the master key, to
open it as the vault does); they never decrypt anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from discreet.clock import Clock, system_clock
from discreet.policy.policy import Policy
from discreet.retention.closing import ConversationCloser
from discreet.retention.runner import RetentionRunner
from discreet.settings import Settings
from discreet.store.db import Database
from discreet.store.migrate import DATA, KEYS, ensure_current
from discreet.subjectdata import Holders
from discreet.vault.crypto import MasterKey
from discreet.vault.keystore import KeyStore
from discreet.vault.master import load_master_key


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
    key = master_key or load_master_key(settings)
    data = Database(settings.data_url, name="data store")
    keys_db = Database(settings.keys_url, name="key store")
    ensure_current(data, DATA)
    ensure_current(keys_db, KEYS)
    keys = KeyStore(keys_db, key)
    keys.check_master_key()
    name = tenant or settings.tenant
    # Imported here: the wiring builds the holders of every package, gateway included,
    # and the gateway imports retention's closing.
    from discreet.wiring import StoreParts, build_holders

    holders = build_holders(StoreParts(data, keys, clock))
    return Retention(
        data=data,
        keys=keys,
        policy=policy,
        tenant=name,
        runner=RetentionRunner(data, keys, policy, tenant=name, holders=holders, clock=clock),
        closer=ConversationCloser(data, keys, policy, tenant=name, clock=clock),
        holders=holders,
        clock=clock,
    )
