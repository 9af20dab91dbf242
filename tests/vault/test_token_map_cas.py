"""Concurrent turns of one conversation keep each other's tokens (transform/tokenmerge.py):
the vault merges a saved map into the stored one under the row lock and refuses a token
assigned two ways, and the turn reloads and assigns again."""

from __future__ import annotations

import os
import threading

import pytest

from discreet.detect import Detector, DetectorConfig, NerConfig
from discreet.transform import Pseudonymizer
from discreet.transform.tokenmerge import TokenMapConflict, merge_maps
from discreet.vault import Vault, VaultTokenStore

# 40 pairs per run; BENCHMARKS.md records a run with DISCREET_TEST_TOKEN_PAIRS=1000.
PAIRS = int(os.environ.get("DISCREET_TEST_TOKEN_PAIRS", "40"))


def test_merge_adds_tokens_and_refuses_disagreement() -> None:
    stored = {"[PERSON_1]": "Jan", "[PERSON_2]": "Piet"}
    assert merge_maps(stored, {"[PERSON_1]": "Jan", "[PERSON_3]": "Kees"}) == {
        **stored,
        "[PERSON_3]": "Kees",
    }
    with pytest.raises(TokenMapConflict):
        merge_maps(stored, {"[PERSON_2]": "Kees"})  # token taken by another value
    with pytest.raises(TokenMapConflict):
        merge_maps(stored, {"[PERSON_3]": "Piet"})  # value already has a token


def test_concurrent_turns_lose_no_token(vault: Vault) -> None:
    detector = Detector(DetectorConfig(ner=NerConfig(backend="none")))
    pseudonymizer = Pseudonymizer(detector, store=VaultTokenStore(vault, merge=True))
    conversation = "conv-concurrent"
    results: dict[str, str] = {}
    errors: list[BaseException] = []

    def turn(value: str, barrier: threading.Barrier) -> None:
        try:
            barrier.wait()
            text = pseudonymizer.turn(conversation, None).pseudonymize(f"Mail {value}", "en").text
            results[value] = text.removeprefix("Mail ")
        except BaseException as exc:  # reported below; a thread cannot fail the test
            errors.append(exc)

    for pair in range(PAIRS):
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=turn, args=(f"{side}{pair}@example.nl", barrier))
            for side in ("anna", "bram")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    stored = VaultTokenStore(vault).load(conversation)
    assert len(results) == 2 * PAIRS
    for value, token in results.items():
        assert stored.get(token) == value  # every turn's token survived, meaning its value
    assert len(set(stored.values())) == len(stored) == 2 * PAIRS
