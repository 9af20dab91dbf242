"""A real gateway over real stores (SQLite, and PostgreSQL when configured), a real
loopback upstream that records what it receives, and an HTTP client for the app."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from tests.support.upstream import RecordingUpstream, recording_upstream

from discreet.api import create_app
from discreet.audit import AccessContext
from discreet.audit.log import AuditEntry
from discreet.detect import Detector
from discreet.gateway.assistant import EmbeddedAssistant
from discreet.gateway.backend import ChatBackend
from discreet.gateway.factory import policy_field_categories
from discreet.gateway.settings import UpstreamSettings
from discreet.gateway.turn import Gateway
from discreet.gateway.upstream import AsyncUpstreamClient
from discreet.policy import Policy, parse_policy
from discreet.rights.erasure import ErasureJobRecords
from discreet.vault import Vault

__all__ = ["recording_upstream"]

POLICY = """\
version: 1
tenant: test-shop
data_categories:
  identity:
    fields: [name, first_name, last_name, date_of_birth]
    types: {name: PERSON, first_name: PERSON, last_name: PERSON, date_of_birth: DATE_OF_BIRTH}
  contact:
    fields: [email, phone]
    types: {email: EMAIL_ADDRESS, phone: PHONE_NUMBER}
  location:
    fields: [street_address, postal_code, city]
    types: {street_address: STREET_ADDRESS, postal_code: POSTAL_CODE, city: LOCATION}
  order:
    fields: [customer_number, order_number, order_status, delivery_date]
    types:
      customer_number: CUSTOMER_ID
      order_number: ORDER_ID
      order_status: plain
      delivery_date: text
  financial:
    fields: [iban]
    types: {iban: IBAN}
  health:
    special: true
    fields: [allergies, diagnosis]
    types: {allergies: text, diagnosis: text}
purposes:
  customer_support:
    legal_basis: contract
  billing:
    legal_basis: contract
    categories: [identity, financial, order]
assistants:
  support:
    purposes: [customer_support]
    categories: [identity, contact, order]
    # What the tests' clients request; any other name is 404 model_not_found.
    models: [gpt-test, m]
  billing:
    purposes: [billing]
    models: [gpt-test, m]
    # The subject has a health field in the vault; billing must never get it.
    categories: [identity, financial, order]
disclosure:
  text: You are chatting with an AI assistant.
handoff:
  message: A human colleague will take over.
  triggers: [human, mens, mensch, humain]
detection:
  ner:
    backend: none
"""
DISCLOSURE = "You are chatting with an AI assistant.\n\n"

MARIEKE = "CUST-48213"
BART = "CUST-77120"
ALLERGY = "severe penicillin intolerance"


def parse_sse(text: str) -> list[dict[str, Any]]:
    """The JSON events of an SSE body, checking it ends with [DONE]."""
    events = [line[len("data: ") :] for line in text.splitlines() if line.startswith("data: ")]
    assert events and events[-1] == "[DONE]", "stream must end with data: [DONE]"
    return [json.loads(e) for e in events[:-1]]


@dataclass
class Api:
    """The app under test plus handles to look behind it."""

    client: TestClient
    gateway: Gateway
    vault: Vault
    upstream: RecordingUpstream
    keys: dict[str, str] = field(default_factory=dict)

    def chat(
        self,
        content: str | list[dict[str, Any]],
        *,
        key: str | None = "support",
        subject: str | None = MARIEKE,
        conversation: str | None = None,
        purpose: str | None = None,
        stream: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> httpx.Response:
        messages = content if isinstance(content, list) else [{"role": "user", "content": content}]
        headers = {}
        if key is not None:
            headers["Authorization"] = f"Bearer {self.keys.get(key, key)}"
        if subject is not None:
            headers["X-Discreet-Subject"] = subject
        if conversation is not None:
            headers["X-Discreet-Conversation"] = conversation
        if purpose is not None:
            headers["X-Discreet-Purpose"] = purpose
        # The model named after the key's assistant: the name every key may request.
        model = key if key in self.keys else "support"
        body = {"model": model, "messages": messages, "stream": stream, **(extra or {})}
        return self.client.post("/v1/chat/completions", json=body, headers=headers)

    def audit(self, action: str | None = None) -> list[AuditEntry]:
        entries = list(self.vault.audit_log.entries())
        return [e for e in entries if action is None or e.action == action]


@pytest.fixture
def policy() -> Policy:
    return parse_policy(POLICY, "<test policy>")


def make_api(
    store_env: Any,
    policy: Policy,
    upstream: RecordingUpstream,
    sample_subjects: dict[str, dict[str, str]],
    ctx: AccessContext,
    backend: ChatBackend | None = None,
) -> Api:
    vault = store_env.open_vault(categories=policy_field_categories(policy))
    fields = dict(sample_subjects)
    fields[MARIEKE] = {**fields[MARIEKE], "allergies": ALLERGY}
    for ref, values in fields.items():
        vault.put_subject(ref, values, ctx=ctx)
    if backend is None:
        backend = AsyncUpstreamClient(
            UpstreamSettings(
                base_url=upstream.base_url, model="loopback", max_attempts=1, read_timeout=1.0
            )
        )
    gateway = Gateway(
        policy=policy,
        vault=vault,
        detector=Detector(policy.detection),
        backend=backend,
        erasures=ErasureJobRecords(vault.data_store),
    )
    api = Api(TestClient(create_app(gateway)), gateway, vault, upstream)
    for assistant in ("support", "billing"):
        api.keys[assistant], _ = gateway.api_keys.create(assistant)
    return api


@pytest.fixture
def api(
    store_env: Any,
    policy: Policy,
    recording_upstream: RecordingUpstream,
    sample_subjects: dict[str, dict[str, str]],
    ctx: AccessContext,
) -> Iterator[Api]:
    built = make_api(store_env, policy, recording_upstream, sample_subjects, ctx)
    with built.client:
        yield built


@pytest.fixture
def embedded_api(
    store_env: Any,
    policy: Policy,
    recording_upstream: RecordingUpstream,
    sample_subjects: dict[str, dict[str, str]],
    ctx: AccessContext,
) -> Iterator[Api]:
    built = make_api(
        store_env, policy, recording_upstream, sample_subjects, ctx, EmbeddedAssistant()
    )
    with built.client:
        yield built
