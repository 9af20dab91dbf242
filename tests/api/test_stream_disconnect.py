"""A client that goes away in the middle of a streamed answer, against a real server
(uvicorn on a loopback port) and a real dripping loopback upstream: the upstream is closed,
and the turn is recorded all the same with what was released before (pseudonymised),
marked `client_disconnected`; nothing held back, nothing raw is stored. Gone before the
first release, the turn leaves one record and no half-written state."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import httpx
import pytest
from tests.api.conftest import MARIEKE, Api, make_api
from tests.api.test_openai_client import served
from tests.support.upstream import RecordingUpstream, Script

from discreet.audit import AccessContext
from discreet.audit.log import AuditEntry
from discreet.gateway.steps.facts import TurnRequest
from discreet.policy import Policy
from discreet.rights.erasure import Eraser
from discreet.wiring import vault_holders

__all__ = ["served"]

T = TypeVar("T")
NAME = "Marieke van Oosterhout"
EMAIL = "marieke.oosterhout@voorbeeld.nl"
QUESTION = f"I'm {NAME} ({EMAIL}), where is my parcel?"
PAD = "Thanks for waiting, we are looking into it. "
NEVER = "This last sentence is still upstream when the client leaves. "
# About six seconds of answer, 12 characters every 40 ms: the client leaves after ~1 s.
ANSWER = "Hello [PERSON_1], " + PAD * 40 + NEVER
DRIP = Script(chunks=[ANSWER[i : i + 12] for i in range(0, len(ANSWER), 12)], chunk_delay=0.04)


def eventually(probe: Callable[[], T | None], seconds: float = 10.0) -> T:
    """`probe()` once it returns something, polled for up to `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        found = probe()
        if found is not None:
            return found
        assert time.monotonic() < deadline, "not within the deadline"
        time.sleep(0.05)


def turn_records(api: Api, conversation: str) -> list[AuditEntry]:
    return [e for e in api.audit("gateway.turn") if e.details.get("conversation") == conversation]


def request(base_url: str, api: Api, conversation: str) -> dict[str, Any]:
    messages = [{"role": "user", "content": QUESTION}]
    return {
        "method": "POST",
        "url": f"{base_url}/chat/completions",
        "json": {"model": "support", "stream": True, "messages": messages},
        "headers": {
            "Authorization": f"Bearer {api.keys['support']}",
            "X-Discreet-Subject": MARIEKE,
            "X-Discreet-Conversation": conversation,
        },
    }


def read_then_leave(
    base_url: str,
    api: Api,
    conversation: str,
    pieces: int,
    before_leaving: Callable[[], object] = lambda: None,
) -> list[str]:
    """Read the stream's first `pieces` contents, call `before_leaving`, then close the
    connection."""
    got: list[str] = []
    with (
        httpx.Client(timeout=10) as http,
        http.stream(**request(base_url, api, conversation)) as response,
    ):
        assert response.status_code == 200
        for line in response.iter_lines():
            if not line.startswith("data: {"):
                continue
            content = json.loads(line[6:])["choices"][0]["delta"].get("content")
            if content:
                got.append(content)
            if len(got) == pieces:
                before_leaving()
                break  # leaving the block closes the connection mid-stream
    return got


def test_a_client_gone_mid_stream_leaves_the_released_part_recorded(
    served: tuple[str, Api], store_env: Any
) -> None:
    base_url, api = served
    api.upstream.set_default(DRIP)
    disclosure, first = read_then_leave(base_url, api, "conv-left", pieces=2)
    left_at = time.monotonic()

    # The upstream is closed: its write into the dropped connection fails.
    eventually(lambda: api.upstream.hang_ups or None)
    assert time.monotonic() - left_at < 5, "the upstream was read on after the client left"
    [record] = eventually(lambda: turn_records(api, "conv-left") or None)
    assert record.details["cut_short"] == "client_disconnected"
    assert record.details["stream"] is True and record.outcome == "ok"

    state = api.gateway.states.get("conv-left")
    assert state is not None and state.turns == 1 and not state.handoff
    stored = api.gateway.states.transcripts.messages("conv-left")
    assert [m.role for m in stored] == ["user", "assistant"]
    said = stored[1].text
    # What was released, pseudonymised: what the client read, and nothing held back.
    assert ANSWER.startswith(said) and said.startswith("Hello [PERSON_1], ")
    assert first.replace(NAME, "[PERSON_1]") in said
    assert NEVER not in said and len(said) < len(ANSWER) // 2
    dump = store_env.raw_dump()
    assert NAME.encode() not in dump and EMAIL.encode() not in dump
    assert disclosure.startswith("You are chatting with an AI assistant.")


def test_a_stream_left_after_its_subject_was_erased_writes_nothing(
    served: tuple[str, Api], store_env: Any, ctx: AccessContext
) -> None:
    base_url, api = served
    api.upstream.set_default(DRIP)

    def erase() -> None:
        subject = api.vault.subject_id(MARIEKE, ctx=ctx)
        outcome = Eraser(api.vault, vault_holders(api.vault)).erase(
            MARIEKE, ctx=ctx, subject_id=subject
        )
        assert outcome.completed

    read_then_leave(base_url, api, "conv-erased", pieces=2, before_leaving=erase)

    eventually(lambda: api.upstream.hang_ups or None)
    [refused] = eventually(lambda: turn_records(api, "conv-erased") or None)
    assert refused.details["reason"] == "subject_erased" and "cut_short" not in refused.details
    assert api.gateway.states.transcripts.messages("conv-erased") == []
    state = api.gateway.states.get("conv-erased")
    assert state is None or state.turns == 0
    dump = store_env.raw_dump()
    assert b"looking into it" not in dump and NAME.encode() not in dump


def test_a_client_gone_before_the_first_release_leaves_one_record(
    served: tuple[str, Api], store_env: Any
) -> None:
    base_url, api = served
    api.upstream.set_default(Script(chunks=DRIP.chunks, chunk_delay=0.04, delay=0.3))
    with pytest.raises(httpx.ReadTimeout), httpx.Client(timeout=0.2) as http:
        http.request(**request(base_url, api, "conv-gone"))

    eventually(lambda: api.upstream.hang_ups or None)
    [record] = eventually(lambda: turn_records(api, "conv-gone") or None)
    time.sleep(0.5)  # nothing else arrives later
    assert turn_records(api, "conv-gone") == [record]
    assert record.details["cut_short"] == "client_disconnected"
    stored = api.gateway.states.transcripts.messages("conv-gone")
    assert [m.role for m in stored] == ["user", "assistant"]
    assert ANSWER.startswith(stored[1].text) and NEVER not in stored[1].text
    dump = store_env.raw_dump()
    assert NAME.encode() not in dump and EMAIL.encode() not in dump


def test_a_turn_cancelled_before_its_stream_began_is_audited_and_stores_nothing(
    store_env: Any,
    policy: Policy,
    recording_upstream: RecordingUpstream,
    sample_subjects: dict[str, dict[str, str]],
    ctx: AccessContext,
) -> None:
    """The request's task itself cancelled (a server that cancels on disconnect) while
    the model has not answered: the upstream is closed, the refusal audited, no turn."""
    api = make_api(store_env, policy, recording_upstream, sample_subjects, ctx)
    recording_upstream.set_default(Script(chunks=DRIP.chunks, chunk_delay=0.04, delay=0.8))
    _, key = api.gateway.api_keys.create("support")
    turn = TurnRequest(
        key=key,
        messages=[{"role": "user", "content": QUESTION}],
        model="support",
        stream=True,
        subject_ref=MARIEKE,
        conversation_id="conv-cancelled",
    )

    async def cancelled_early() -> None:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(api.gateway.stream_turn, turn)
            while not recording_upstream.requests:  # the model is asked: cancel now
                await anyio.sleep(0.01)
            tasks.cancel_scope.cancel()
        await api.gateway.aclose()

    anyio.run(cancelled_early)

    eventually(lambda: recording_upstream.hang_ups or None)
    [record] = turn_records(api, "conv-cancelled")
    assert record.details["reason"] == "client_disconnected" and record.outcome == "denied"
    assert api.gateway.states.transcripts.messages("conv-cancelled") == []
    state = api.gateway.states.get("conv-cancelled")
    assert state is None or state.turns == 0
    assert NAME.encode() not in store_env.raw_dump()
