"""The turn's limits (gateway/limits.py): history bounded in bytes, settings checked."""

from __future__ import annotations

import pytest

from discreet.gateway.limits import TurnLimits, cap_history
from discreet.settings import Settings, SettingsInvalid


def test_history_keeps_the_newest_lines_that_fit() -> None:
    lines = [f"user: message {i} " + "x" * 100 for i in range(500)]
    kept = cap_history(lines, 4_000)
    assert kept == lines[-len(kept) :] and 30 <= len(kept) <= 40
    assert sum(len(line) + 1 for line in kept) <= 4_000
    assert cap_history(["é" * 3000], 4_000) == []  # bytes, not characters


def test_limits_from_the_environment_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert TurnLimits.from_settings(Settings()) == TurnLimits()  # unset: the defaults
    monkeypatch.setenv("DISCREET_MAX_ANSWER_BYTES", "5000")
    monkeypatch.setenv("DISCREET_TURN_DEADLINE_S", "2.5")
    limits = TurnLimits.from_settings(Settings())
    assert (limits.max_answer_bytes, limits.deadline) == (5000, 2.5)
    monkeypatch.setenv("DISCREET_MAX_ANSWER_BYTES", "lots")
    with pytest.raises(SettingsInvalid, match="DISCREET_MAX_ANSWER_BYTES") as info:
        Settings()
    assert "lots" not in str(info.value)
    monkeypatch.setenv("DISCREET_MAX_ANSWER_BYTES", "5000")
    monkeypatch.setenv("DISCREET_TURN_DEADLINE_S", "0")
    with pytest.raises(SettingsInvalid, match=r"DISCREET_TURN_DEADLINE_S: .*greater than 0"):
        Settings()


def test_the_default_instructions_hold_no_token() -> None:
    from discreet.gateway.context import DEFAULT_INSTRUCTIONS
    from discreet.transform.tokenformat import TokenFormat

    assert TokenFormat().regex.search(DEFAULT_INSTRUCTIONS) is None
