"""Where turns go (settings, then policy, else embedded) and how API keys are checked."""

from __future__ import annotations

import time

import pytest

from discreet.conversations.apikeys import ApiKeyStore
from discreet.gateway.config import resolve_upstream
from discreet.gateway.settings import UpstreamConfigError
from discreet.policy import parse_policy
from discreet.settings import Settings

BASE = """\
version: 1
tenant: t
data_categories:
  contact: {fields: [email], types: {email: EMAIL_ADDRESS}}
purposes:
  support: {legal_basis: contract}
assistants:
  helper: {purposes: [support], categories: [contact]}
"""
WITH_UPSTREAM = (
    BASE
    + """\
upstream:
  base_url: https://llm.internal.example/v1
  model: house-model
  api_key_env: HOUSE_LLM_KEY
  timeout_s: 12
  max_retries: 1
"""
)


NO_UPSTREAM = Settings(upstream_url=None, upstream_base_url=None)


def test_no_upstream_anywhere_means_the_embedded_assistant() -> None:
    assert resolve_upstream(parse_policy(BASE), NO_UPSTREAM) is None


def test_the_documented_env_name_selects_an_upstream(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISCREET_UPSTREAM_BASE_URL", raising=False)
    monkeypatch.setenv("DISCREET_UPSTREAM_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("DISCREET_UPSTREAM_MODEL", "m")
    settings = resolve_upstream(parse_policy(WITH_UPSTREAM), Settings())
    assert settings is not None and settings.base_url == "http://127.0.0.1:9/v1"
    assert settings.model == "m"  # the environment wins over the policy


def test_the_policy_upstream_reads_its_key_from_the_named_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOUSE_LLM_KEY", "secret-123")
    settings = resolve_upstream(parse_policy(WITH_UPSTREAM), NO_UPSTREAM)
    assert settings is not None and settings.model == "house-model"
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "secret-123"
    assert settings.read_timeout == 12 and settings.max_attempts == 2
    monkeypatch.setenv("HOUSE_LLM_KEY", " ")  # blank counts as unset
    with pytest.raises(UpstreamConfigError, match="HOUSE_LLM_KEY") as info:
        resolve_upstream(parse_policy(WITH_UPSTREAM), NO_UPSTREAM)
    assert "secret" not in str(info.value)


def test_api_keys_verify_only_the_exact_unrevoked_key(store_env) -> None:
    store = ApiKeyStore(store_env.data_db(), "default")
    key, info = store.create("helper", label="desk 1")
    assert store.verify(key) is not None and store.verify(key).assistant == "helper"  # type: ignore[union-attr]
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert store.verify(tampered) is None
    assert store.verify("not a key") is None
    assert ApiKeyStore(store_env.data_db(), "other-tenant").verify(key) is None
    assert [k.key_id for k in store.list()] == [info.key_id]
    assert key not in repr(store.list())
    assert store.revoke(info.key_id) and store.verify(key) is None
    assert not store.revoke(info.key_id)


def test_a_verified_key_is_remembered_only_until_its_ttl(store_env) -> None:
    server = ApiKeyStore(store_env.data_db(), "default", verified_ttl_s=0.5)
    key, info = server.create("helper")
    assert server.verify(key) is not None
    # Revoked elsewhere (the CLI, another server process): this process may go on
    # accepting the key it verified, but only until the TTL runs out.
    assert ApiKeyStore(store_env.data_db(), "default").revoke(info.key_id)
    deadline = time.monotonic() + 10
    while server.verify(key) is not None:
        assert time.monotonic() < deadline, "revocation never took effect"
        time.sleep(0.05)
    # A wrong key is never answered from memory, even right after the right one.
    other, _ = server.create("helper")
    assert server.verify(other) is not None
    assert server.verify(other[:-1] + ("A" if other[-1] != "A" else "B")) is None


def test_revoking_through_the_serving_store_takes_effect_at_once(store_env) -> None:
    server = ApiKeyStore(store_env.data_db(), "default", verified_ttl_s=3600)
    key, info = server.create("helper")
    assert server.verify(key) is not None
    assert server.revoke(info.key_id)
    assert server.verify(key) is None


def test_recently_verified_never_raises_on_odd_input(store_env) -> None:
    server = ApiKeyStore(store_env.data_db(), "default")
    for odd in ("", "dsk_", "dsk_0123456789abcdef_" + "é" * 43, "\x00" * 80):
        assert server.recently_verified(odd) is None
