"""Loading the master key from settings, and creating key files.

Commands refuse to start without a master key (:class:`MasterKeyMissing`), except the
demo, which makes one for itself with :func:`ensure_demo_master_key`.
"""

from __future__ import annotations

import os
from pathlib import Path

from discreet.settings import DEMO_MASTER_KEY_NAME, Settings
from discreet.vault.crypto import MasterKey
from discreet.vault.errors import InvalidMasterKey, MasterKeyMissing

MISSING_KEY_HELP = (
    "no master key configured: set DISCREET_MASTER_KEY (base64 of 32 random bytes) or "
    "DISCREET_MASTER_KEY_FILE (a file holding it); `discreet keys generate --out FILE` "
    "creates one"
)


def load_master_key(settings: Settings) -> MasterKey:
    """The configured master key; the environment variable wins over the key file."""
    if settings.master_key is not None:
        try:
            return MasterKey.from_base64(settings.master_key.get_secret_value())
        except InvalidMasterKey as exc:
            raise InvalidMasterKey(f"DISCREET_MASTER_KEY: {exc}") from None
    if settings.master_key_file is not None:
        return read_master_key_file(settings.master_key_file)
    raise MasterKeyMissing(MISSING_KEY_HELP)


def read_master_key_file(path: Path) -> MasterKey:
    try:
        text = path.expanduser().read_text(encoding="ascii")
    except FileNotFoundError:
        raise MasterKeyMissing(f"master key file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidMasterKey(f"cannot read master key file {path}: {exc}") from None
    try:
        return MasterKey.from_base64(text)
    except InvalidMasterKey as exc:
        raise InvalidMasterKey(f"master key file {path}: {exc}") from None


def write_master_key_file(path: Path, key: MasterKey | None = None) -> MasterKey:
    """Create `path` (mode 0600, never overwriting) holding `key` or a fresh key."""
    key = key or MasterKey.generate()
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: never clobber an existing key, which would orphan every wrapped data key.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.to_base64() + "\n")
    return key


def ensure_demo_master_key(home: Path) -> Path:
    """The demo's master key file in `home`, created (mode 0600) if absent.

    For the demo only: a key next to the data it protects protects little. Production
    keeps the key in a secret manager and passes it via the environment.
    """
    path = home.expanduser().resolve() / DEMO_MASTER_KEY_NAME
    try:
        write_master_key_file(path)
    except FileExistsError:
        read_master_key_file(path)  # fail now, clearly, if the existing file is unusable
    return path
