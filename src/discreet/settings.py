"""Process-wide settings, read from ``DISCREET_*`` environment variables.

Only configuration lives here: where the data directory is, which databases to use and
where the master key comes from. Turning the key material into a key (and refusing to
start without one) is the vault's job, in :mod:`discreet.vault.master`.

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
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DATA_DB_NAME = "discreet.db"
KEYS_DB_NAME = "keys.db"
DEMO_MASTER_KEY_NAME = "master.key"


class Settings(BaseSettings):
    """Settings from the environment; construct with keywords to override in code and tests."""

    model_config = SettingsConfigDict(env_prefix="DISCREET_", extra="ignore", frozen=True)

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


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
