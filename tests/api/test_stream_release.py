"""Per-chunk release of a streamed answer (gateway/release.py) against a malicious
upstream: the text before a foreign value reaches the customer while the stream runs,
the foreign value never does, however the deltas cut it (1-3 characters, a token
spliced across deltas, one character at a time), and a benign answer streams whole."""

from __future__ import annotations

import random

import pytest
from tests.api.conftest import Api, parse_sse
from tests.api.test_adversarial import adversary_api, answer_text, customers, ending
from tests.support.adversary import LeakChecker, spellings, splice
from tests.support.upstream import Script

from discreet.gateway.release import BEHIND_CHARS, HOLD_CHARS, STEP_CHARS
from discreet.guard import BLOCKED_MESSAGE

__all__ = ["adversary_api"]  # the fixture, shared with the plain adversarial tests

OWN = "CUST-10001"
PAD = "Thanks for waiting, we are looking into it. "
# Past the first two releases, so the stream has begun when the value arrives.
BEFORE = (HOLD_CHARS + 2 * STEP_CHARS + BEHIND_CHARS) // len(PAD) + 1


def one_to_three(text: str, rng: random.Random) -> list[str]:
    pieces, i = [], 0
    while i < len(text):
        size = rng.randint(1, 3)
        pieces.append(text[i : i + size])
        i += size
    return pieces


def stream_of(api: Api, chunks: list[str], conversation: str) -> tuple[str, list[str]]:
    api.upstream.enqueue(Script(chunks=chunks))
    response = api.chat("Can you help me?", subject=OWN, stream=True, conversation=conversation)
    assert response.status_code == 200, response.text
    events = parse_sse(response.text)
    contents = [e["choices"][0]["delta"].get("content", "") for e in events if "choices" in e]
    return "".join(contents), [c for c in contents if c]


def test_a_foreign_value_late_in_a_stream_is_withheld_after_the_text_before_it(
    adversary_api: Api,
) -> None:
    known = customers()
    checker = LeakChecker(known)
    rng = random.Random(7)
    victim = known["CUST-10003"]
    for n, spelling in enumerate(spellings(victim, rng)[:6]):
        # Shift the value against the release boundaries from one answer to the next.
        text = "x" * n + PAD * BEFORE + f"Their details: {spelling}. " + PAD * 6
        answer, pieces = stream_of(adversary_api, one_to_three(text, rng), f"conv-late-{n}")

        assert checker.foreign(answer, OWN) == set(), f"spelling {spelling!r} delivered"
        assert BLOCKED_MESSAGE in answer
        assert PAD * 3 in answer  # released before the value arrived: per chunk, not whole
        assert len(pieces) >= 3
    incidents = adversary_api.audit("incident.cross_subject_leak")
    assert len(incidents) >= 6 and all(i.details.get("stage") == "delivery" for i in incidents)


def test_a_block_after_the_stream_began_is_told_in_its_last_chunk(adversary_api: Api) -> None:
    victim = customers()["CUST-10003"]
    text = PAD * BEFORE + f"Their address is {victim['email']}. " + PAD * 6
    adversary_api.upstream.enqueue(Script(chunks=one_to_three(text, random.Random(5))))
    response = adversary_api.chat(
        "Can you help me?", subject=OWN, stream=True, conversation="conv-late-handoff"
    )

    # The headers went out before the block and could not know ...
    assert response.headers["X-Discreet-Handoff"] == "false"
    answer = answer_text(response, True)
    assert PAD * 3 in answer and answer.endswith(BLOCKED_MESSAGE)
    # ... the stream's end tells the client, as OpenAI ends a filtered answer.
    blocked = {"handoff": True, "reason": "answer_blocked"}
    assert ending(response, True) == ("content_filter", blocked)
    stored = adversary_api.gateway.states.get("conv-late-handoff")
    assert stored is not None and stored.handoff and stored.handoff_reason == "answer_blocked"


@pytest.mark.parametrize("shift", range(0, 12, 3))
def test_a_token_spliced_across_deltas_is_caught_after_rehydration(
    adversary_api: Api, shift: int
) -> None:
    known = customers()
    victim, own = known["CUST-10004"], "CUST-10007"
    assert known[own]["first_name"] == victim["first_name"]
    text = "y" * shift + PAD * BEFORE + splice(victim) + " " + PAD * 6
    # Cut right through the token and the address: "[PERS" "ON_1]." "armst" ...
    at = text.index("[PERSON_1]")
    chunks = [
        text[: at + 5],
        text[at + 5 : at + 12],
        *one_to_three(text[at + 12 :], random.Random(shift)),
    ]
    adversary_api.upstream.enqueue(Script(chunks=chunks))
    question = f"Hi, I am {known[own]['first_name']}. Where should I write to?"
    response = adversary_api.chat(
        question, subject=own, stream=True, conversation=f"conv-splice-{shift}"
    )

    answer = answer_text(response, True)
    assert victim["email"] not in answer
    assert LeakChecker(known).foreign(answer, own) == set()
    assert BLOCKED_MESSAGE in answer and PAD * 3 in answer


def test_a_dripping_stream_of_single_characters_delivers_no_foreign_value(
    adversary_api: Api,
) -> None:
    known = customers()
    checker = LeakChecker(known)
    victim = known["CUST-10010"]
    local, domain = victim["email"].split("@")
    for n, spelling in enumerate([f"{local} at {domain.replace('.', ' dot ')}", victim["phone"]]):
        text = PAD * BEFORE + f"Write to {spelling} today. " + PAD * 4
        answer, _ = stream_of(adversary_api, list(text), f"conv-drip-{n}")

        assert checker.foreign(answer, OWN) == set()
        assert BLOCKED_MESSAGE in answer and PAD in answer


def test_a_benign_long_answer_streams_whole_with_the_customers_own_values(
    adversary_api: Api,
) -> None:
    known = customers()
    fields = known[OWN]
    text = PAD * BEFORE + "Hello [PERSON_1], your order is on its way. " + PAD * 5
    question = f"Hi, I am {fields['first_name']}. Where is my order?"
    chunks = one_to_three(text, random.Random(3))
    adversary_api.upstream.enqueue(Script(chunks=chunks))
    response = adversary_api.chat(question, subject=OWN, stream=True, conversation="conv-benign")
    answer = answer_text(response, True)

    assert BLOCKED_MESSAGE not in answer
    assert f"Hello {fields['first_name']}, your order is on its way." in answer
    assert answer.endswith(text.replace("[PERSON_1]", fields["first_name"]))
    stored = adversary_api.gateway.states.get("conv-benign")
    assert stored is not None and stored.turns == 1 and not stored.handoff
    assert ending(response, True) == ("stop", {"handoff": False, "reason": None})
