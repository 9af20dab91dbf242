"""The per-chunk release window (gateway/release.py) over a real vault's blind index: a
foreign value is looked up whole wherever the deltas cut it and wherever it falls against
the release boundaries, and nothing of it (or after it) is released; a benign answer is
released exactly as the whole answer would rehydrate."""

from __future__ import annotations

import random
from typing import Any

import pytest

from discreet.audit import AccessContext
from discreet.gateway.release import HOLD_CHARS, STEP_CHARS, ChunkRelease
from discreet.guard import GuardDecision, GuardResult
from discreet.guard.leaks import check
from discreet.transform.rehydrate import Rehydrator, StreamingRehydrator

MAPPING = {"[PERSON_1]": "Ian", "[EMAIL_ADDRESS_1]": "ian.hill@example.org"}
PAD = "We are checking the parcel for you right now. "
OWN = {"name": "Ian Hill", "email": MAPPING["[EMAIL_ADDRESS_1]"]}
VICTIM = {"name": "Nora Visser", "email": "nora.visser@example.com", "phone": "+31612345678"}


def passing(segment: str) -> GuardResult:
    """The detection guard's part is not under test here: it passes each segment."""
    return GuardResult(segment, False, frozenset({GuardDecision.PASSED}), frozenset())


def release_for(vault: Any, subject: str | None) -> ChunkRelease:
    return ChunkRelease(
        guard=passing,
        check=lambda window: check(
            window, subject=subject, allowed=list(MAPPING.values()), lookup=vault.match_identifiers
        ),
        rehydrator=StreamingRehydrator(MAPPING),
        peek=Rehydrator(MAPPING).restore,
    )


def stream(release: ChunkRelease, text: str, rng: random.Random) -> str:
    out, i = [], 0
    while i < len(text):
        size = rng.randint(1, 3)
        if release.add(text[i : i + size]):
            out.append(release.release())
        i += size
        if release.blocked is not None:
            return "".join(out)
    out.append(release.finish())
    return "".join(out)


@pytest.fixture
def shop(store_env: Any, ctx: AccessContext) -> tuple[Any, str]:
    """A vault with this conversation's customer and another one; the first's id."""
    vault = store_env.open_vault()
    vault.put_subject("CUST-1", OWN, ctx=ctx)
    vault.put_subject("CUST-2", VICTIM, ctx=ctx)
    return vault, vault.subject_id("CUST-1", ctx=ctx)


def test_a_foreign_value_is_never_released_wherever_the_cuts_fall(shop: tuple[Any, str]) -> None:
    vault, own = shop
    rng = random.Random(11)
    local, domain = VICTIM["email"].split("@")
    spellings = [  # (written before it, the foreign value as spelled)
        ("", VICTIM["email"]),
        ("", f"{local} at {domain.replace('.', ' dot ')}"),
        ("", " ".join("0" + VICTIM["phone"][3:])),
        ("[PERSON_1] and ", VICTIM["name"].upper()),
    ]
    # Every alignment of the value against the release steps.
    for offset in range(0, STEP_CHARS + 1, 7):
        for before, spelling in spellings:
            text = "x" * offset + PAD * 8 + f"Mail {before}{spelling} now. " + PAD * 6
            restored = Rehydrator(MAPPING).restore(text)
            release = release_for(vault, own)
            released = stream(release, text, rng)

            assert release.blocked is not None, (offset, spelling)
            assert restored.startswith(released)
            # Not a character of the value left: it was looked up whole, before any of it.
            assert len(released) <= restored.index(spelling), (offset, spelling)
            assert len(released) >= len(PAD) * 2  # the text before it was released


def test_a_benign_answer_is_released_whole_and_in_pieces(shop: tuple[Any, str]) -> None:
    vault, own = shop
    text = PAD * 6 + "Hello [PERSON_1], we wrote to [EMAIL_ADDRESS_1]. " + PAD * 6
    release = release_for(vault, own)
    pieces, i = [], 0
    for i in range(0, len(text), 2):
        if release.add(text[i : i + 2]):
            pieces.append(release.release())
    pieces.append(release.finish())

    assert release.blocked is None
    assert "".join(pieces) == Rehydrator(MAPPING).restore(text)
    assert len([p for p in pieces if p]) >= 3  # released as it came, not at the end
    assert all(len(p) < len(text) for p in pieces)
    assert len(text) >= HOLD_CHARS
