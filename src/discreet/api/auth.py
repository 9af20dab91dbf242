"""Bearer API keys: ``Authorization: Bearer dsk_...`` -> who the key stands for.

Two roles (see `discreet.conversations.apikeys.KeyRole`): assistant keys may use the chat
endpoints only, operator keys the governance endpoints only. A valid key used on the
other side gets 403 (it is known, just not allowed there); a missing or unknown key 401.
"""

from __future__ import annotations

from fastapi import Request

from discreet.conversations.apikeys import ApiKeyInfo, ApiKeyStore, KeyRole
from discreet.gateway.refusals import TurnRefused


def bearer_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate(store: ApiKeyStore, request: Request) -> ApiKeyInfo:
    """The key's identity; `TurnRefused` 401 for a missing, unknown or revoked key."""
    key = bearer_key(request)
    info = store.verify(key) if key is not None else None
    if info is None:
        raise TurnRefused(401, "invalid_api_key", "missing or invalid API key")
    return info


def require_role(info: ApiKeyInfo, role: KeyRole) -> ApiKeyInfo:
    """`info` when its role is `role`; `TurnRefused` 403 otherwise (the message names the
    role needed, never the key)."""
    if info.role is not role:
        raise TurnRefused(
            403, "wrong_key_role", f"this endpoint needs an {role.value} key (key {info.key_id})"
        )
    return info
