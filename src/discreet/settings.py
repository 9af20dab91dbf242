"""Process-wide settings, read from ``DISCREET_*`` environment variables, once.

This is the one module that reads the environment: `Settings` (built once by
``discreet.wiring.read_config`` and handed to the packages as typed values) and
`secret_from_env` (a secret held in a variable the *policy* names). Only configuration
lives here; turning the key material into a key (and refusing to start without one) is
the vault's job, in :mod:`discreet.vault.master`, and checking the upstream settings is
the gateway's, in :mod:`discreet.gateway.settings`. A variable set to an empty (or
blank) value counts as unset.

| variable | meaning | default |
|---|---|---|
| ``DISCREET_HOME`` | data directory | ``./.discreet`` |
| ``DISCREET_DATABASE_URL`` | data store (subjects, audit log...) | ``HOME/discreet.db`` |
| ``DISCREET_KEYSTORE_URL`` | key store (wrapped data keys), kept apart | ``HOME/keys.db`` |
| ``DISCREET_MASTER_KEY`` | base64 of 32 random bytes | none |
| ``DISCREET_MASTER_KEY_FILE`` | file holding that base64 text | none |
| ``DISCREET_TENANT`` | tenant used by the CLI | ``default`` |
| ``DISCREET_PHONE_REGION`` | region for phone numbers without ``+`` (e.g. ``NL``) | none |
| ``DISCREET_AUDIT_ANCHOR_FILE`` | where servers append the chain head | ``HOME/audit-anchors`` |
| ``DISCREET_AUDIT_ANCHOR_INTERVAL_S`` | how often (and at shutdown) | ``300`` |
| ``DISCREET_SHUTDOWN_TIMEOUT_S`` | grace for in-flight requests on SIGTERM | ``5`` |
| ``DISCREET_CONFIG`` | policy file | ``./discreet.yaml``, else built-in |
| ``DISCREET_UPSTREAM_URL`` | upstream model's base URL (``_BASE_URL`` also read) | embedded |
| ``DISCREET_UPSTREAM_API_KEY`` | bearer token of the upstream | none |
| ``DISCREET_UPSTREAM_MODEL`` | model name sent upstream (required with a URL) | none |
| ``DISCREET_UPSTREAM_CONNECT_TIMEOUT`` | seconds | ``5`` |
| ``DISCREET_UPSTREAM_READ_TIMEOUT`` | seconds between bytes | ``60`` |
| ``DISCREET_UPSTREAM_MAX_ATTEMPTS`` | requests per turn including retries | ``3`` |
| ``DISCREET_UPSTREAM_CA_BUNDLE`` | PEM of CAs the upstream's certificate must chain to | system |
| ``DISCREET_UPSTREAM_CLIENT_CERT`` / ``_CLIENT_KEY`` | mutual TLS towards the upstream | none |
| ``DISCREET_MAX_ANSWER_BYTES`` | largest upstream answer | ``1000000`` |
| ``DISCREET_TURN_DEADLINE_S`` | seconds for the model's part of a turn | ``120`` |
| ``DISCREET_METRICS_TOKEN`` | bearer token of ``/metrics`` (16+ characters) | off |
| ``DISCREET_OTEL`` | OpenTelemetry spans per phase (``1``/``true``/``yes``) | off |
| ``DISCREET_BACKUP_DATA_DIR`` | data-store backups (``--data-dest``) | ``HOME/backups/data`` |
| ``DISCREET_BACKUP_KEYS_DIR`` | key-store backups (``--keys-dest``) | ``HOME/backups/keys`` |
| ``DISCREET_BACKUP_KEYS_DAYS`` | days a key-store backup is kept | ``30`` |
| ``DISCREET_ERASURE_LEDGER`` | erasures replayed after a restore | ``HOME/erasure-ledger.jsonl`` |
| ``DISCREET_SELFTEST_KEY`` | assistant key of the gateway ``selftest --gateway`` tests | none |
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from discreet.errors import InvalidInput

ENV_PREFIX = "DISCREET_"
DEFAULT_MAX_ANSWER_BYTES = 1_000_000
DEFAULT_TURN_DEADLINE_S = 120.0
DATA_DB_NAME = "discreet.db"
KEYS_DB_NAME = "keys.db"
DEMO_MASTER_KEY_NAME = "master.key"


class SettingsInvalid(InvalidInput):
    """A ``DISCREET_*`` variable has a value of the wrong kind; names the variable and
    why, never the value (it may be a secret)."""


class Settings(BaseSettings):
    """Settings from the environment; construct with keywords to override in code and tests.

    `model_fields_set` tells which were given (by a variable or a keyword) rather than
    defaulted. Raises `SettingsInvalid` naming each bad variable."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise SettingsInvalid(f"invalid settings: {variable_problems(exc)}") from None

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unset(cls, data: Any) -> Any:
        """``DISCREET_X=`` (or blanks) is how a shell unsets a variable for one command;
        blanks around a value (a pasted key, a trailing newline) are not part of it."""
        if not isinstance(data, dict):
            return data
        stripped = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
        return {k: v for k, v in stripped.items() if v != ""}

    home: Path = Path(".discreet")
    database_url: str | None = None
    keystore_url: str | None = None
    # SecretStr keeps the key out of reprs, logs and validation errors.
    master_key: SecretStr | None = None
    master_key_file: Path | None = None
    tenant: str = "default"
    phone_region: str | None = None
    audit_anchor_file: Path | None = None
    """Where a running server appends the audit chain's head (default: HOME/audit-anchors;
    ship it elsewhere, e.g. to write-once storage)."""
    audit_anchor_interval_s: float = Field(default=300.0, gt=0)
    shutdown_timeout_s: float = Field(default=5.0, gt=0, le=600)
    """On SIGTERM a server stops accepting at once and gives in-flight requests this long
    before it cancels them."""
    config: Path | None = None
    """The policy file (``--config`` takes its place); see discreet.policy.loader."""

    # The upstream model. Checked (URL, ranges, TLS files) by the gateway, which builds
    # its typed `UpstreamSettings` from these; without a URL the embedded assistant answers.
    upstream_url: str | None = None
    upstream_base_url: str | None = None
    """What the OpenAI SDK calls it; wins over ``DISCREET_UPSTREAM_URL`` when both are set."""
    upstream_api_key: SecretStr | None = None
    upstream_model: str | None = None
    upstream_connect_timeout: float | None = None
    upstream_read_timeout: float | None = None
    upstream_max_attempts: int | None = None
    upstream_ca_bundle: Path | None = None
    upstream_client_cert: Path | None = None
    upstream_client_key: Path | None = None

    # What the upstream may cost a turn (discreet.gateway.limits).
    max_answer_bytes: int = Field(default=DEFAULT_MAX_ANSWER_BYTES, ge=1)
    turn_deadline_s: float = Field(default=DEFAULT_TURN_DEADLINE_S, gt=0)

    # Operations (discreet.ops.wiring): /metrics only with a token; spans only when asked.
    metrics_token: SecretStr | None = None
    otel: bool = False

    # Backups (discreet.cli.backup; its options take their place).
    backup_data_dir: Path | None = None
    backup_keys_dir: Path | None = None
    backup_keys_days: int = Field(default=30, ge=1)
    erasure_ledger: Path | None = None
    selftest_key: SecretStr | None = None
    """An assistant key of the running gateway `discreet selftest --gateway` tests."""

    @property
    def anchor_path(self) -> Path:
        """The audit anchor file a running server appends to."""
        return (self.audit_anchor_file or self.home_dir / "audit-anchors").expanduser()

    @property
    def home_dir(self) -> Path:
        """The data directory as an absolute path (it need not exist yet)."""
        return self.home.expanduser().resolve()

    @property
    def data_url(self) -> str:
        """SQLAlchemy URL of the data store."""
        return self.database_url or _sqlite_url(self.home_dir / DATA_DB_NAME)

    @property
    def keys_url(self) -> str:
        """SQLAlchemy URL of the key store; a separate file by default (principle 4)."""
        return self.keystore_url or _sqlite_url(self.home_dir / KEYS_DB_NAME)

    @property
    def demo_master_key_path(self) -> Path:
        """Where the demo keeps the master key it creates for itself."""
        return self.home_dir / DEMO_MASTER_KEY_NAME

    @property
    def upstream_endpoint(self) -> str | None:
        """The upstream's base URL (either variable), None for the embedded assistant."""
        return self.upstream_base_url or self.upstream_url

    def with_default_home(self, home: Path) -> Settings:
        """These settings with `home` as the data directory unless DISCREET_HOME (or a
        keyword) chose one: the demo's own default."""
        return self if "home" in self.model_fields_set else self.model_copy(update={"home": home})


def secret_from_env(name: str) -> SecretStr | None:
    """The secret in the environment variable `name`, None when unset or blank.

    The policy names variables holding its secrets (the upstream's API key, alert
    webhooks, SMTP password) and never the secrets themselves; they are read here, at
    the wiring, and nowhere else."""
    value = os.environ.get(name, "").strip()
    return SecretStr(value) if value else None


def variable_problems(exc: ValidationError, prefix: str = ENV_PREFIX) -> str:
    """Each problem under its variable's name (a field's name is the variable's without
    `prefix`), never the value: Pydantic's own message repeats the input, which may be a
    secret or a URL with credentials."""
    errors = exc.errors(include_input=False, include_url=False)
    return "; ".join(f"{prefix}{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in errors)


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
