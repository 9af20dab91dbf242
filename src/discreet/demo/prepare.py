"""`discreet demo`: a data directory with everything a first-time user needs.

`prepare_demo` creates (or reuses) the data directory: the demo master key (mode 0600),
both stores migrated, the example policy as ``discreet.yaml``, the synthetic customers and
their past conversations, and fresh API keys for the ``support`` and ``billing``
assistants and for an operator. It is idempotent: a second run reuses the key, the policy
file (your edits survive) and the data, and adds new API keys: keys are stored hashed, so
the old ones cannot be shown again. The old ones are left working, since another run may
still be serving with them (`discreet apikey list` shows them, `discreet apikey revoke`
ends one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from discreet.conversations.apikeys import ApiKeyStore, KeyRole
from discreet.demo.seed import DemoSetupError, import_customers, seed_conversations
from discreet.demo.synthetic import (
    DEFAULT_SEED,
    Locale,
    SyntheticCustomer,
    first_of,
    make_customers,
)
from discreet.policy import Policy, load_policy
from discreet.policy.loader import builtin_policy_text
from discreet.settings import Settings
from discreet.vault import ensure_demo_master_key
from discreet.wiring import Config, build_services

DEFAULT_HOME = Path(".discreet-demo")
DEFAULT_CUSTOMERS = 300
POLICY_FILE = "discreet.yaml"
DEMO_TENANT = "default"
DEMO_KEY_LABEL = "discreet demo"
DEMO_ASSISTANTS = ("support", "billing")
DEMO_OPERATOR = "demo-operator"


class Progress(Protocol):
    """Where the demo reports progress (a Rich progress bar in the CLI)."""

    def start(self, description: str, total: int) -> Callable[[int], None]:
        """Begin a step of `total` units; returns `advance_to(done)`."""
        ...


class _Silent:
    def start(self, description: str, total: int) -> Callable[[int], None]:
        return lambda done: None


@dataclass(frozen=True, slots=True)
class DemoEnvironment:
    """What `prepare_demo` made: paths, counts, example customers and the new keys."""

    home: Path
    settings: Settings
    policy_path: Path
    master_key_path: Path
    customers: int
    imported: int
    conversations: int
    conversations_added: int
    examples: dict[Locale, SyntheticCustomer]
    keys: dict[str, str] = field(repr=False)
    """role-or-assistant name -> API key; secrets, shown once, never in a repr."""

    def environ(self) -> dict[str, str]:
        """The ``DISCREET_*`` variables under which the CLI sees the demo's data."""
        return {
            "DISCREET_HOME": str(self.home),
            "DISCREET_MASTER_KEY_FILE": str(self.master_key_path),
            "DISCREET_CONFIG": str(self.policy_path),
            "DISCREET_TENANT": self.settings.tenant,
        }

    def policy(self) -> Policy:
        return load_policy(self.policy_path)


def demo_settings(home: Path, master_key_path: Path, base: Settings | None = None) -> Settings:
    """`base` (default: the environment's) pointing only at `home`: variables naming other
    stores or another master key must not redirect the demo into (or out of) a real
    deployment; the others (the upstream model, the operations' settings) still apply."""
    stores = {
        "home": home,
        "database_url": None,
        "keystore_url": None,
        "master_key": None,
        "master_key_file": master_key_path,
        "tenant": DEMO_TENANT,
    }
    return (base or Settings()).model_copy(update=stores)


def write_policy(home: Path) -> Path:
    """``discreet.yaml`` in `home`: the example policy, unless a copy (maybe edited) exists."""
    path = home / POLICY_FILE
    if not path.exists():
        path.write_text(builtin_policy_text(), encoding="utf-8")
    return path


def prepare_demo(
    home: Path = DEFAULT_HOME,
    *,
    customers: int = DEFAULT_CUSTOMERS,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> DemoEnvironment:
    """Create or reuse the demo data directory `home` (see the module docstring);
    `settings`: the process's (default: the environment's), see `demo_settings`."""
    if customers < 1:
        raise DemoSetupError("customers must be at least 1")
    progress = progress or _Silent()
    home = home.expanduser().resolve()
    try:
        # Owner-only: the directory holds the master key next to the data it protects.
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        key_path = ensure_demo_master_key(home)
        policy_path = write_policy(home)
    except OSError as exc:  # a directory the user chose: say which and why
        raise DemoSetupError(f"cannot use {home} as the demo directory: {exc.strerror}") from None
    settings = demo_settings(home, key_path, settings)
    policy = load_policy(policy_path)
    # Migrated, and the vault opened as the server will open it (the wiring's: the
    # policy's field categories and identifier fields), so what is seeded is indexed alike.
    services = build_services(Config(settings, policy), migrate=True, with_gateway=False)
    vault = services.vault
    try:
        people = list(make_customers(customers, seed=seed))
        imported, _present = import_customers(
            vault, people, progress=progress.start("synthetic customers", len(people))
        )
        advance = progress.start("past conversations", len(people))
        done = 0

        def tick() -> None:
            nonlocal done
            done += 1
            advance(done)

        added, present = seed_conversations(vault, people, progress=tick)
        keys = _fresh_keys(ApiKeyStore(vault.data_store, vault.tenant))
    finally:
        services.close()
    return DemoEnvironment(
        home=home,
        settings=settings,
        policy_path=policy_path,
        master_key_path=key_path,
        customers=customers,
        imported=imported,
        conversations=added + present,
        conversations_added=added,
        examples={
            locale: first_of(locale, seed=seed, limit=max(customers, 2)) for locale in ("en", "nl")
        },
        keys=keys,
    )


def _fresh_keys(store: ApiKeyStore) -> dict[str, str]:
    """New demo keys; another run's keys are never revoked here (it may be serving)."""
    keys = {name: store.create(name, DEMO_KEY_LABEL)[0] for name in DEMO_ASSISTANTS}
    keys["operator"] = store.create(DEMO_OPERATOR, DEMO_KEY_LABEL, role=KeyRole.OPERATOR)[0]
    return keys
