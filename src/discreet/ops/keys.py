"""Keys that operations derive from the master key (HKDF-SHA256, one label per use), so
nothing new has to be stored or rotated apart: the evidence pack's manifest signature,
the address digests of refused requests, the backup encryption key."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from discreet.vault.crypto import MasterKey


def derive_key(master: MasterKey, label: str, length: int = 32) -> bytes:
    material = base64.b64decode(master.to_base64())
    return HKDF(
        algorithm=hashes.SHA256(), length=length, salt=None, info=f"discreet/ops/{label}".encode()
    ).derive(material)
