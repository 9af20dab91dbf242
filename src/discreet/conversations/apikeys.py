"""API keys that map a client to one assistant identity.

A key looks like ``dsk_<id>_<secret>``: the id (public, 16 hex characters) finds the row,
the secret (32 random bytes, URL-safe base64) proves possession. Only SHA-256 of the whole
key is stored: with 256 bits of entropy a fast hash is enough (no password stretching
needed), and the digest comparison runs in constant time. The key is shown once, at
creation, and cannot be recovered afterwards.

A key has a role: an *assistant* key serves the chat endpoints as one assistant of the
policy; an *operator* key serves the governance endpoints (consent, data-subject requests,
legal holds, retention) as a named person, and is refused on the chat endpoints. Keeping
the two apart means a leaked assistant key cannot erase customers or read exports.

A verified key is remembered (by its digest) for `VERIFIED_TTL_S` seconds, so a chat turn
does not pay a database read to authenticate. Revoking through the same store takes effect
at once; a revocation made elsewhere (the CLI, another server process) reaches a running
server within that time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select, update

from discreet.conversations.models import GatewayApiKey
from discreet.store.db import Database
from discreet.store.models import table_of

_K = table_of(GatewayApiKey)
KEY_PREFIX = "dsk_"
_KEY_RE = re.compile(r"^dsk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
VERIFIED_TTL_S = 5.0
_MAX_VERIFIED = 10_000


class KeyRole(StrEnum):
    """What a key may be used for."""

    ASSISTANT = "assistant"
    OPERATOR = "operator"


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    """What a verified key stands for (no secret in here).

    `assistant` is the policy's assistant for an assistant key, and the operator's name
    for an operator key (who acts, as the audit log records it).
    """

    key_id: str
    tenant: str
    assistant: str
    label: str | None = None
    created_at: datetime | None = None
    revoked: bool = False
    role: KeyRole = KeyRole.ASSISTANT
    revoked_at: datetime | None = None

    @property
    def is_operator(self) -> bool:
        return self.role is KeyRole.OPERATOR


def _role(stored: str | None) -> KeyRole | None:
    """The stored role, or None for a value this version does not know (fail closed)."""
    try:
        return KeyRole(stored or KeyRole.ASSISTANT)
    except ValueError:
        return None


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("ascii")).hexdigest()


class ApiKeyStore:
    """Create, verify, list and revoke API keys in the data store."""

    def __init__(self, db: Database, tenant: str, *, verified_ttl_s: float = VERIFIED_TTL_S):
        self._db = db
        self.tenant = tenant
        self._verified_ttl_s = verified_ttl_s
        # digest -> (info, monotonic expiry). Only keys that verified; a wrong key always
        # goes to the database, so a guess is never answered from memory.
        self._verified: dict[str, tuple[ApiKeyInfo, float]] = {}

    def create(
        self, assistant: str, label: str | None = None, *, role: KeyRole = KeyRole.ASSISTANT
    ) -> tuple[str, ApiKeyInfo]:
        """A new key for `assistant` (or, with `role` operator, for the operator of that
        name); returns (the key, shown once; its info)."""
        role = KeyRole(role)
        key_id = secrets.token_hex(8)
        key = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        now = datetime.now(UTC)
        with self._db.begin() as conn:
            conn.execute(
                _K.insert(),
                {
                    "id": key_id,
                    "tenant": self.tenant,
                    "assistant": assistant,
                    "key_hash": _digest(key),
                    "label": label,
                    "created_at": now,
                    "revoked_at": None,
                    "role": role.value,
                },
            )
        return key, ApiKeyInfo(key_id, self.tenant, assistant, label, now, role=role)

    def create_operator(self, name: str, label: str | None = None) -> tuple[str, ApiKeyInfo]:
        """A new operator key for the person (or team) `name`."""
        return self.create(name, label, role=KeyRole.OPERATOR)

    def verify(self, key: str) -> ApiKeyInfo | None:
        """The key's info if `key` is a valid, unrevoked key of this tenant, else None."""
        match = _KEY_RE.match(key)
        if match is None:
            return None
        digest = _digest(key)
        cached = self.recently_verified(key, digest)
        if cached is not None:
            return cached
        with self._db.read() as conn:
            row = conn.execute(
                select(
                    _K.c.tenant, _K.c.assistant, _K.c.key_hash, _K.c.revoked_at, _K.c.role
                ).where(_K.c.id == match.group(1))
            ).one_or_none()
        # Compare even when no row exists, so timing does not tell ids apart.
        stored = row.key_hash if row is not None else "0" * 64
        valid = hmac.compare_digest(stored, digest)
        if row is None or not valid or row.revoked_at is not None or row.tenant != self.tenant:
            self._verified.pop(digest, None)
            return None
        role = _role(row.role)
        if role is None:
            return None
        info = ApiKeyInfo(match.group(1), row.tenant, row.assistant, role=role)
        if self._verified_ttl_s > 0:
            if len(self._verified) >= _MAX_VERIFIED:
                self._verified.clear()
            self._verified[digest] = (info, time.monotonic() + self._verified_ttl_s)
        return info

    def recently_verified(self, key: str, digest: str | None = None) -> ApiKeyInfo | None:
        """The key's info if `verify` accepted it within the last `VERIFIED_TTL_S` seconds,
        else None (then call `verify`). Touches no database, so the event loop may call it."""
        if digest is None:
            if _KEY_RE.match(key) is None:
                return None
            digest = _digest(key)
        cached = self._verified.get(digest)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        return None

    def list(self) -> list[ApiKeyInfo]:
        with self._db.read() as conn:
            rows = conn.execute(
                select(_K).where(_K.c.tenant == self.tenant).order_by(_K.c.created_at)
            ).all()
        return [
            ApiKeyInfo(
                r.id,
                r.tenant,
                r.assistant,
                r.label,
                r.created_at,
                r.revoked_at is not None,
                _role(r.role) or KeyRole.ASSISTANT,
                r.revoked_at,
            )
            for r in rows
        ]

    def revoke(self, key_id: str) -> bool:
        """Revoke a key by id; False when no such active key exists."""
        with self._db.begin() as conn:
            result = conn.execute(
                update(_K)
                .where(_K.c.id == key_id, _K.c.tenant == self.tenant, _K.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
        for digest, (info, _) in list(self._verified.items()):
            if info.key_id == key_id:
                self._verified.pop(digest, None)
        return bool(result.rowcount)
