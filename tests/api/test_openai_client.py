"""The official `openai` Python client works against discreet, over a real HTTP server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import openai
import pytest
import uvicorn
from tests.api.conftest import BART, DISCLOSURE, MARIEKE, Api, make_api
from tests.api.test_stream_release import BEFORE, PAD
from tests.conftest import SAMPLE_SUBJECTS
from tests.support.upstream import RecordingUpstream, Script

from discreet.api import create_app
from discreet.guard import BLOCKED_MESSAGE

NAME = "Marieke van Oosterhout"
EMAIL = "marieke.oosterhout@voorbeeld.nl"


@pytest.fixture
def served(
    store_env: Any,
    policy: Any,
    recording_upstream: RecordingUpstream,
    sample_subjects: dict[str, dict[str, str]],
    ctx: Any,
) -> Iterator[tuple[str, Api]]:
    """The gateway under uvicorn on a free loopback port; yields its base URL."""
    api = make_api(store_env, policy, recording_upstream, sample_subjects, ctx)
    server = uvicorn.Server(
        uvicorn.Config(create_app(api.gateway), host="127.0.0.1", port=0, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v1", api
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def client(base_url: str, key: str, conversation: str) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=base_url,
        api_key=key,
        max_retries=0,
        default_headers={"X-Discreet-Subject": MARIEKE, "X-Discreet-Conversation": conversation},
    )


def test_openai_client_completion_and_stream(served: tuple[str, Api]) -> None:
    base_url, api = served
    api.upstream.set_default(
        Script(chunks=["Hello [PER", "SON_1], mail sent to [EMAIL_", "ADDRESS_1]."])
    )
    oc = client(base_url, api.keys["support"], "conv-openai")
    question = f"I'm {NAME}, did you mail {EMAIL}?"

    completion = oc.chat.completions.create(
        model="gpt-test", messages=[{"role": "user", "content": question}], temperature=0.2
    )
    pieces = [
        chunk.choices[0].delta.content or ""
        for chunk in oc.chat.completions.create(
            model="gpt-test", messages=[{"role": "user", "content": question}], stream=True
        )
        if chunk.choices
    ]

    expected = f"Hello {NAME}, mail sent to {EMAIL}."
    assert completion.choices[0].message.content == DISCLOSURE + expected
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model_extra == {"discreet": {"handoff": False, "reason": None}}
    assert "".join(pieces) == expected
    api.upstream.assert_never_received(NAME, EMAIL)
    assert api.upstream.bodies()[0]["temperature"] == 0.2


def test_openai_client_reads_a_blocked_answer_as_filtered_and_handed_over(
    served: tuple[str, Api],
) -> None:
    base_url, api = served
    foreign = SAMPLE_SUBJECTS[BART]["email"]
    late = PAD * BEFORE + f"Or write to {foreign} today. " + PAD * 4
    api.upstream.enqueue(
        Script(text=f"Write to {foreign}."),
        Script(chunks=[late[i : i + 7] for i in range(0, len(late), 7)]),
    )
    question = [{"role": "user", "content": "Where do I write to?"}]
    handed_over = {"handoff": True, "reason": "answer_blocked"}

    completion = client(base_url, api.keys["support"], "conv-filtered").chat.completions.create(
        model="gpt-test", messages=question
    )
    assert completion.choices[0].finish_reason == "content_filter"
    assert completion.model_extra is not None
    assert completion.model_extra["discreet"] == handed_over

    # Blocked after the stream began: the headers said no handoff; the last chunk says it.
    chunks = list(
        client(base_url, api.keys["support"], "conv-filtered-late").chat.completions.create(
            model="gpt-test", messages=question, stream=True
        )
    )
    ends = [c for c in chunks if c.choices and c.choices[0].finish_reason is not None]
    assert [c.choices[0].finish_reason for c in ends] == ["content_filter"]
    assert ends[0].model_extra is not None and ends[0].model_extra["discreet"] == handed_over
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert PAD * 3 in text and text.endswith(BLOCKED_MESSAGE) and foreign not in text


def test_openai_client_sees_refusals_as_its_own_errors(served: tuple[str, Api]) -> None:
    base_url, api = served
    with pytest.raises(openai.AuthenticationError):
        client(base_url, "dsk_0000000000000000_" + "y" * 43, "c1").chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}]
        )
    api.upstream.set_default(Script.error(503))
    with pytest.raises(openai.InternalServerError) as info:
        client(base_url, api.keys["support"], "c2").chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}]
        )
    assert info.value.status_code == 503


def test_openai_client_lists_the_keys_assistant_as_model(served: tuple[str, Api]) -> None:
    base_url, api = served
    models = client(base_url, api.keys["billing"], "c3").models.list()
    # The assistant's own name first, then the policy's aliases for it (the test policy's).
    assert [m.id for m in models.data] == ["billing", "gpt-test", "m"]
