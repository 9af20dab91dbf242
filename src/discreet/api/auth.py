"""Bearer API keys: ``Authorization: Bearer dsk_...`` -> the assistant the key stands for."""

from __future__ import annotations

from fastapi import Request

from discreet.gateway.apikeys import ApiKeyInfo, ApiKeyStore
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
