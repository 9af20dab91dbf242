"""Cryptographic primitives of the vault: AES-256-GCM data keys and the master key.

Hazmat-level on purpose, used only by the vault. The rules they enforce:

* every ciphertext is ``version || 96-bit random nonce || AES-GCM(ct || tag)``;
* every ciphertext carries associated data naming where it belongs (tenant, subject,
  field...), so a ciphertext copied to another row fails authentication;
* data keys are wrapped with a key-encryption key derived (HKDF) from the master key, with
  associated data naming the key's owner, so a wrapped key moved to another owner fails;
* the master key has a public fingerprint (``key_id``), stored next to every wrapped key,
  so a wrong master key is reported as such instead of as corruption;
* no key material or plaintext appears in a repr or an exception.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from discreet.vault.errors import IntegrityError, InvalidMasterKey

KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16
FORMAT_V1 = b"\x01"
_HEADER = len(FORMAT_V1) + NONCE_SIZE


def associated_data(*parts: str) -> bytes:
    """Length-prefixed encoding of `parts`: unambiguous whatever characters they hold."""
    return b"".join(map(_encode_part, parts))


@lru_cache(maxsize=4096)
def _encode_part_cached(part: str) -> bytes:
    raw = part.encode("utf-8")
    return struct.pack(">I", len(raw)) + raw


def _encode_part(part: str) -> bytes:
    # Labels, tenants, field and category names repeat on every row: cache those; ids
    # and values (longer, mostly unique) would only churn the cache.
    if len(part) <= 24:
        return _encode_part_cached(part)
    raw = part.encode("utf-8")
    return struct.pack(">I", len(raw)) + raw


def random_key() -> bytes:
    return os.urandom(KEY_SIZE)


class DataKey:
    """A 256-bit AES-GCM key for one subject, conversation or blind index."""

    __slots__ = ("_aead", "_material")

    def __init__(self, material: bytes) -> None:
        if len(material) != KEY_SIZE:
            raise ValueError(f"a data key is {KEY_SIZE} bytes, got {len(material)}")
        self._material = material
        self._aead = AESGCM(material)

    @classmethod
    def generate(cls) -> DataKey:
        return cls(random_key())

    @property
    def material(self) -> bytes:
        """The raw key, for wrapping and for keyed hashing only."""
        return self._material

    def encrypt(self, plaintext: bytes, ad: bytes) -> bytes:
        nonce = os.urandom(NONCE_SIZE)
        return FORMAT_V1 + nonce + self._aead.encrypt(nonce, plaintext, ad)

    def decrypt(self, blob: bytes, ad: bytes) -> bytes:
        """Plaintext of `blob`, or IntegrityError if it was altered or belongs elsewhere."""
        if len(blob) < _HEADER + TAG_SIZE or blob[:1] != FORMAT_V1:
            raise IntegrityError("ciphertext is malformed or of an unknown format")
        try:
            return self._aead.decrypt(blob[1:_HEADER], blob[_HEADER:], ad)
        except InvalidTag:
            raise IntegrityError("ciphertext failed authentication") from None

    def __repr__(self) -> str:
        return "DataKey(<secret>)"


def _fingerprint(material: bytes) -> str:
    return hmac.new(material, b"discreet/master-key-id/v1", hashlib.sha256).hexdigest()[:16]


class MasterKey:
    """The root key. Wraps data keys; never encrypts data itself.

    ``key_id`` is a one-way fingerprint, safe to store and print.
    """

    __slots__ = ("_kek", "_material", "key_id")

    def __init__(self, material: bytes) -> None:
        if len(material) != KEY_SIZE:
            raise InvalidMasterKey(f"a master key is {KEY_SIZE} bytes, got {len(material)}")
        self._material = material
        self.key_id = _fingerprint(material)
        kek = HKDF(
            algorithm=hashes.SHA256(), length=KEY_SIZE, salt=None, info=b"discreet/kek/v1"
        ).derive(material)
        self._kek = AESGCM(kek)

    @classmethod
    def generate(cls) -> MasterKey:
        return cls(random_key())

    @classmethod
    def from_base64(cls, text: str) -> MasterKey:
        """Parse base64 text (standard or URL-safe alphabet, surrounding blanks ignored)."""
        cleaned = text.strip()
        try:
            material = base64.b64decode(cleaned.replace("-", "+").replace("_", "/"), validate=True)
        except (binascii.Error, ValueError):
            raise InvalidMasterKey("the master key is not valid base64") from None
        if len(material) != KEY_SIZE:
            raise InvalidMasterKey(
                f"the master key must decode to {KEY_SIZE} bytes, got {len(material)}"
            )
        return cls(material)

    def to_base64(self) -> str:
        """The key as text, for writing a key file. Handle the result as a secret."""
        return base64.b64encode(self._material).decode("ascii")

    def wrap(self, key: DataKey, ad: bytes) -> bytes:
        nonce = os.urandom(NONCE_SIZE)
        return FORMAT_V1 + nonce + self._kek.encrypt(nonce, key.material, ad)

    def unwrap(self, wrapped: bytes, ad: bytes) -> DataKey:
        if len(wrapped) < _HEADER + TAG_SIZE or wrapped[:1] != FORMAT_V1:
            raise IntegrityError("wrapped key is malformed or of an unknown format")
        try:
            return DataKey(self._kek.decrypt(wrapped[1:_HEADER], wrapped[_HEADER:], ad))
        except InvalidTag:
            raise IntegrityError("wrapped data key failed authentication") from None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MasterKey):
            return NotImplemented
        return hmac.compare_digest(self._material, other._material)

    def __hash__(self) -> int:
        return hash(self.key_id)

    def __repr__(self) -> str:
        return f"MasterKey(id={self.key_id})"
