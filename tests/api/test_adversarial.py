"""The guarantees against a malicious upstream (tests/support/adversary.py): no other
customer's data reaches a customer, plain or streamed, however the model spells it; no
raw value of the customer reaches the model."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import Api, parse_sse
from tests.support.adversary import (
    AdversarialUpstream,
    LeakChecker,
    Mode,
    received_texts,
    spellings,
    splice,
    tool_stuffing,
)

from discreet.api import create_app
from discreet.audit import AccessContext
from discreet.demo.synthetic import make_customers
from discreet.detect import Detector
from discreet.gateway.factory import policy_field_categories
from discreet.gateway.settings import UpstreamSettings
from discreet.gateway.turn import Gateway
from discreet.gateway.upstream import AsyncUpstreamClient
from discreet.guard import BLOCKED_MESSAGE
from discreet.policy import Policy, parse_policy
from discreet.policy.errors import PolicyError
from discreet.policy.loader import builtin_policy_text
from discreet.rights import RightsService
from discreet.rights.erasure import ErasureJobRecords
from discreet.wiring import vault_holders

CUSTOMERS = 24


def adversarial_policy() -> Policy:
    """The built-in policy (the demo's fields), with the fast detector only."""
    text = builtin_policy_text().replace(
        "detection:\n  threshold: 0.4\n",
        "detection:\n  threshold: 0.4\n  ner:\n    backend: none\n",
    )
    assert "backend: none" in text
    return parse_policy(text, "<adversarial policy>")


def customers() -> dict[str, dict[str, str]]:
    found = {c.ref: dict(c.fields) for c in make_customers(CUSTOMERS)}
    # A customer who shares a first name with another one: the splice victim's neighbour.
    victim = found["CUST-10004"]
    twin = dict(found["CUST-10007"], first_name=victim["first_name"])
    found["CUST-10007"] = twin
    return found


@pytest.fixture
def adversary_api(store_env: Any, ctx: AccessContext) -> Iterator[Api]:
    policy = adversarial_policy()
    known = customers()
    vault = store_env.open_vault(categories=policy_field_categories(policy))
    for ref, fields in known.items():
        vault.put_subject(ref, fields, ctx=ctx)
    with AdversarialUpstream(known, Mode.FOREIGN, hang_seconds=5.0) as upstream:
        backend = AsyncUpstreamClient(
            UpstreamSettings(
                base_url=upstream.base_url, model="loopback", max_attempts=1, read_timeout=2.0
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
        with api.client:
            yield api


def answer_text(response: Any, stream: bool) -> str:
    assert response.status_code == 200, response.text
    if stream:
        events = parse_sse(response.text)
        return "".join(e["choices"][0]["delta"].get("content", "") for e in events)
    return str(response.json()["choices"][0]["message"]["content"])


def ending(response: Any, stream: bool) -> tuple[str, Any]:
    """The finish reason and the `discreet` field a client reads at the answer's end."""
    if stream:
        events = parse_sse(response.text)
        last = [e for e in events if e.get("choices") and e["choices"][0]["finish_reason"]]
        assert len(last) == 1, "one chunk ends the answer"
        body = last[0]
    else:
        body = response.json()
    return body["choices"][0]["finish_reason"], body["discreet"]


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
def test_no_spelling_of_another_customers_values_reaches_the_customer(
    adversary_api: Api, stream: bool
) -> None:
    known = customers()
    checker = LeakChecker(known)
    upstream = adversary_api.upstream
    assert isinstance(upstream, AdversarialUpstream)
    rng = random.Random(5)
    own = "CUST-10001"
    delivered: set[str] = set()
    for victim_ref in ("CUST-10002", "CUST-10003", "CUST-10010", "CUST-10011"):
        victim = known[victim_ref]
        # Each spelling alone, so that one caught spelling cannot hide a missed one.
        for spelling in spellings(victim, rng):
            mode = Mode.STREAM_SPLIT if stream else Mode.FOREIGN
            script = upstream.script(mode, victim, rng)
            text = f"Here you go: {spelling}."
            upstream.enqueue(
                type(script)(chunks=[text[i : i + 2] for i in range(0, len(text), 2)])
                if stream
                else type(script)(text=text)
            )
            response = adversary_api.chat("Can you help me?", subject=own, stream=stream)
            answer = answer_text(response, stream)
            leaked = checker.foreign(answer, own)
            assert leaked == set(), f"spelling {spelling!r} delivered"
            delivered |= leaked
    incidents = adversary_api.audit("incident.cross_subject_leak")
    assert incidents and all("@" not in str(i.details) for i in incidents)
    assert delivered == set()


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
def test_a_token_spliced_into_another_customers_email_is_blocked(
    adversary_api: Api, stream: bool
) -> None:
    known = customers()
    victim, own = known["CUST-10004"], "CUST-10007"
    assert known[own]["first_name"] == victim["first_name"]
    adversary_api.upstream.enqueue(
        adversary_api.upstream.script(Mode.SPLICE, victim, random.Random(1))  # type: ignore[attr-defined]
    )
    # The customer introduces themselves, so [PERSON_1] is their first name.
    question = f"Hi, I am {known[own]['first_name']}. Where should I write to?"
    response = adversary_api.chat(question, subject=own, stream=stream)
    answer = answer_text(response, stream)

    assert victim["email"] not in answer
    assert LeakChecker(known).foreign(answer, own) == set()
    assert BLOCKED_MESSAGE in answer
    assert splice(victim).startswith("Write to [PERSON_1].")
    # Blocked whole (a short stream too): the header knew; the body says it OpenAI's way.
    assert response.headers["X-Discreet-Handoff"] == "true"
    blocked = {"handoff": True, "reason": "answer_blocked"}
    assert ending(response, stream) == ("content_filter", blocked)


def test_the_customers_own_values_in_any_spelling_pass(adversary_api: Api) -> None:
    known = customers()
    own = "CUST-10002"
    fields = known[own]
    upstream = adversary_api.upstream
    text = (
        f"Hello {fields['first_name'].upper()} {fields['last_name'].upper()}, your number "
        f"{fields['customer_number'].lower()} and order {fields['order_number']} are fine."
    )
    upstream.enqueue(type(upstream.script(Mode.BENIGN, fields, random.Random(0)))(text=text))  # type: ignore[attr-defined]

    answer = answer_text(adversary_api.chat("Status please?", subject=own), False)

    assert fields["order_number"] in answer and BLOCKED_MESSAGE not in answer


def test_a_stored_transcript_and_export_hold_no_other_customers_values(
    adversary_api: Api,
) -> None:
    known = customers()
    checker = LeakChecker(known)
    own = "CUST-10005"
    adversary_api.upstream.mode = Mode.CYCLE  # type: ignore[attr-defined]
    for i in range(9):
        answer = answer_text(
            adversary_api.chat(
                # One conversation per turn: a blocked answer hands its conversation to a
                # person for good (gateway/handoff.py), and the model answers no more of it.
                "Where is my order?",
                subject=own,
                conversation=f"conv-adv-{i}",
                stream=i % 2 == 1,
            ),
            i % 2 == 1,
        )
        assert checker.foreign(answer, own) == set()
    stored = [
        m.text
        for m in adversary_api.gateway.states.earlier_messages(
            adversary_api.vault.subject_id(own, ctx=_ctx()),
            assistant="support",
            since=_epoch(),
            before=_future(),
            exclude="none",
            limit=100,
        )
    ]
    assert stored, "the conversation's messages are stored"
    for text in stored:
        assert checker.foreign(text, own) == set()
    # The customer's access export (transcripts rehydrated) holds only their own data.
    rights = RightsService(
        adversary_api.vault,
        holders=vault_holders(adversary_api.vault),
        policy=adversary_api.gateway.policy,
    )
    export = rights.export(own, ctx=_ctx())
    assert export.counts["messages"] >= 18  # nine turns, question and answer each
    exported = json.dumps(export.data, ensure_ascii=False)
    assert checker.foreign(exported, own) == set()


def test_tool_call_fields_never_carry_raw_values_upstream(adversary_api: Api) -> None:
    known = customers()
    own = "CUST-10006"
    fields = known[own]
    adversary_api.upstream.mode = Mode.BENIGN  # type: ignore[attr-defined]

    response = adversary_api.chat(tool_stuffing(fields, "Where is my parcel?"), subject=own)

    assert response.status_code in (200, 422), response.text
    sent = received_texts(adversary_api.upstream)
    assert LeakChecker(known).raw_fields(sent, own) == []


def test_the_customers_own_values_typed_oddly_never_reach_the_upstream(
    adversary_api: Api,
) -> None:
    known = customers()
    own = "CUST-10008"
    fields = known[own]
    adversary_api.upstream.mode = Mode.BENIGN  # type: ignore[attr-defined]
    local, domain = fields["email"].split("@")
    digits = "".join(ch for ch in fields["phone"] if ch.isdigit())
    typed = [
        f"my mail is {local} @ {domain}",
        f"my mail is {fields['email'].upper()}",
        "call me on " + ("0" + digits[2:]).translate({ord(str(d)): 0xFF10 + d for d in range(10)}),
        "call me on " + " ".join("0" + digits[2:]),
    ]
    for message in typed:
        adversary_api.chat(message, subject=own)
    sent = received_texts(adversary_api.upstream)
    assert LeakChecker(known).raw_fields(sent, own) == []


@pytest.mark.parametrize(
    ("mode", "status"),
    [(Mode.ERROR, 503), (Mode.HANG, 504)],
    ids=["500", "hang"],
)
def test_upstream_faults_are_5xx_gateway_errors(
    adversary_api: Api, mode: Mode, status: int
) -> None:
    adversary_api.upstream.mode = mode  # type: ignore[attr-defined]

    response = adversary_api.chat("Hello?", subject="CUST-10001")

    assert response.status_code == status


def _ctx() -> AccessContext:
    from discreet.audit.context import ActorKind, LegalBasis

    return AccessContext(
        actor="test",
        purpose="customer_support",
        legal_basis=LegalBasis.CONTRACT,
        actor_kind=ActorKind.SYSTEM,
    )


def _epoch() -> Any:
    from datetime import UTC, datetime

    return datetime(2000, 1, 1, tzinfo=UTC)


def _future() -> Any:
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) + timedelta(days=1)


def test_an_oversized_answer_is_a_502_not_the_clients_413(
    adversary_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    adversary_api.upstream.mode = Mode.OVERSIZE  # type: ignore[attr-defined]

    for stream in (False, True):
        response = adversary_api.chat("Hello?", subject="CUST-10001", stream=stream)
        assert response.status_code == 502, response.text
        assert response.json()["error"]["code"] == "upstream_bad_response"


def test_a_dripping_answer_hits_the_turn_deadline(adversary_api: Api) -> None:
    from discreet.gateway.limits import TurnLimits

    adversary_api.gateway.limits = TurnLimits(max_answer_bytes=1_000_000, deadline=1.5)
    upstream = adversary_api.upstream
    upstream.mode = Mode.DRIP  # type: ignore[attr-defined]
    upstream.drip_delay = 0.2  # type: ignore[attr-defined]  # each chunk within read_timeout

    response = adversary_api.chat("Hello?", subject="CUST-10001", stream=True)

    assert response.status_code == 504, response.text


def test_duplicate_discreet_headers_are_refused(adversary_api: Api) -> None:
    key = adversary_api.keys["support"]
    headers = [
        ("Authorization", f"Bearer {key}"),
        ("X-Discreet-Subject", "CUST-10001"),
        ("X-Discreet-Subject", "CUST-10002"),
    ]
    body = {"model": "support", "messages": [{"role": "user", "content": "Hi"}]}

    response = adversary_api.client.post("/v1/chat/completions", json=body, headers=headers)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "duplicate_header"
    assert adversary_api.upstream.requests == []


def test_opaque_conversation_ids_pass_and_customer_values_do_not(adversary_api: Api) -> None:
    adversary_api.upstream.mode = Mode.BENIGN  # type: ignore[attr-defined]
    rng = random.Random(9)
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    opaque = ["fx" + "".join(rng.choice(letters) for _ in range(10)) for _ in range(20)]
    opaque += [f"conv_{rng.getrandbits(96):024x}" for _ in range(20)]
    for conversation in opaque:
        response = adversary_api.chat("Hi", subject="CUST-10001", conversation=conversation)
        assert response.status_code == 200, conversation
    known = customers()["CUST-10002"]
    for conversation in (known["customer_number"], "x" + known["phone"].replace(" ", "")[1:]):
        response = adversary_api.chat("Hi", subject="CUST-10001", conversation=conversation)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_conversation_id"


def test_a_field_the_policy_declares_an_identifier_is_guarded(
    store_env: Any, ctx: AccessContext
) -> None:
    text = (
        builtin_policy_text()
        .replace(
            "    fields: [customer_number, order_number, order_status, order_items, "
            "delivery_date]\n",
            "    fields: [customer_number, order_number, order_status, order_items, delivery_date,"
            " contract_code]\n    identifiers: {contract_code: reference}\n",
        )
        .replace(
            "      delivery_date: DATE\n",
            "      delivery_date: DATE\n      contract_code: ORDER_ID\n",
        )
    )
    assert "contract_code: reference" in text
    policy = parse_policy(text, "<policy with a declared identifier>")
    assert policy.identifier_fields == {"contract_code": "reference"}
    vault = store_env.open_vault(
        categories=policy_field_categories(policy), identifiers=policy.identifier_fields
    )
    vault.put_subject("CUST-A", {"first_name": "Ann", "contract_code": "KX-88-QQ-2041"}, ctx=ctx)
    vault.put_subject("CUST-B", {"first_name": "Bob"}, ctx=ctx)
    bob = vault.subject_id("CUST-B", ctx=ctx)
    from discreet.guard.leaks import check

    leak = check(
        "Your code is kx 88 qq 2041.", subject=bob, allowed=[], lookup=vault.match_identifiers
    )
    assert leak.leaked
    with pytest.raises(PolicyError, match="identifiers name fields"):
        parse_policy(text.replace("{contract_code: reference}", "{nope: reference}"), "<bad>")
