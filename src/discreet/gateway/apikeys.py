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
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select, update

from discreet.store.db import Database
from discreet.store.gateway_models import GatewayApiKey
from discreet.store.models import table_of

_K = table_of(GatewayApiKey)
KEY_PREFIX = "dsk_"
_KEY_RE = re.compile(r"^dsk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")


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

    def __init__(self, db: Database, tenant: str) -> None:
        self._db = db
        self.tenant = tenant

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
        with self._db.begin() as conn:
            row = conn.execute(
                select(
                    _K.c.tenant, _K.c.assistant, _K.c.key_hash, _K.c.revoked_at, _K.c.role
                ).where(_K.c.id == match.group(1))
            ).one_or_none()
        # Compare even when no row exists, so timing does not tell ids apart.
        stored = row.key_hash if row is not None else "0" * 64
        valid = hmac.compare_digest(stored, _digest(key))
        if row is None or not valid or row.revoked_at is not None or row.tenant != self.tenant:
            return None
        role = _role(row.role)
        if role is None:
            return None
        return ApiKeyInfo(match.group(1), row.tenant, row.assistant, role=role)

    def list(self) -> list[ApiKeyInfo]:
        with self._db.begin() as conn:
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
        return bool(result.rowcount)
