"""Consent as `discreet serve` wires it: the gateway from `wiring.build_gateway` consults
the consent records and processing limits of its own data store. A restriction refuses the
turn (403, with the reason); withdrawn AI consent hands the customer to a person. In
neither case does anything reach the model. Real app over httpx's ASGI transport, real
stores, a recording loopback upstream."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from tests.api.conftest import MARIEKE, POLICY
from tests.support.upstream import RecordingUpstream, Script

from discreet.api import create_app
from discreet.audit import AccessContext, ActorKind, LegalBasis
from discreet.consent import REASON_TEXT, RESTRICTED, ConsentGate
from discreet.consent.limits import LimitKind, ProcessingLimits
from discreet.consent.records import AI_PROCESSING, ConsentRegistry
from discreet.gateway.settings import UpstreamSettings
from discreet.gateway.upstream import AsyncUpstreamClient
from discreet.policy import parse_policy
from discreet.wiring import build_gateway

DPO = AccessContext("dpo", "rights_request", LegalBasis.LEGAL_OBLIGATION, ActorKind.USER)


def _turns(
    store_env: Any, upstream: RecordingUpstream, sample_subjects: dict[str, dict[str, str]], ctx
) -> list[httpx.Response]:
    policy = parse_policy(POLICY, "<test policy>")
    backend = AsyncUpstreamClient(
        UpstreamSettings(base_url=upstream.base_url, model="m", max_attempts=1, read_timeout=1.0)
    )
    gateway = build_gateway(
        policy, store_env.settings(), master_key=store_env.master_key, backend=backend
    )
    assert isinstance(gateway.consent, ConsentGate)  # wired by default, as `serve` does
    vault = gateway.vault
    subject = vault.put_subject(MARIEKE, sample_subjects[MARIEKE], ctx=ctx)
    key, _ = gateway.api_keys.create("support")
    db = vault.audit_log.db
    limits = ProcessingLimits(db, tenant=vault.tenant)
    consents = ConsentRegistry(db, tenant=vault.tenant)

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=create_app(gateway))
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:

            async def chat(conversation: str) -> httpx.Response:
                return await client.post(
                    "/v1/chat/completions",
                    json={
                        "model": "support",
                        "messages": [{"role": "user", "content": "Hi there"}],
                    },
                    headers={
                        "Authorization": f"Bearer {key}",
                        "X-Discreet-Subject": MARIEKE,
                        "X-Discreet-Conversation": conversation,
                    },
                )

            allowed = await chat("conv-a")
            limits.set(subject, LimitKind.RESTRICTION, reason="accuracy contested", ctx=DPO)
            restricted = await chat("conv-b")
            limits.lift(subject, LimitKind.RESTRICTION, ctx=DPO)
            consents.withdraw(subject, AI_PROCESSING, notice_version="v1", channel="web", ctx=DPO)
            handed_off = await chat("conv-c")
        await gateway.aclose()
        return [allowed, restricted, handed_off]

    try:
        return asyncio.run(run())
    finally:
        vault.close()


def test_served_gateway_refuses_restricted_and_hands_off_without_ai_consent(
    store_env: Any,
    recording_upstream: RecordingUpstream,
    sample_subjects: dict[str, dict[str, str]],
    ctx: AccessContext,
) -> None:
    recording_upstream.set_default(Script(text="Model answer"))
    allowed, restricted, handed_off = _turns(store_env, recording_upstream, sample_subjects, ctx)

    assert allowed.status_code == 200, allowed.text
    assert restricted.status_code == 403
    error = restricted.json()["error"]
    assert error["code"] == "processing_restricted"
    assert error["message"] == REASON_TEXT[RESTRICTED]
    assert handed_off.status_code == 200
    assert handed_off.headers["X-Discreet-Handoff"] == "true"
    assert "Model answer" not in handed_off.json()["choices"][0]["message"]["content"]
    assert len(recording_upstream.requests) == 1  # only the allowed turn reached the model
