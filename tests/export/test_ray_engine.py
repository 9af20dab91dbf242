"""The same export on a small local Ray instance (skipped without Ray installed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.export.conftest import OFFICER, Shop, today_request

from discreet.export.training import run_training

pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'discreet[ray]'")


@pytest.mark.slow
def test_ray_engine_exports_the_same_conversations(shop: Shop, tmp_path: Path) -> None:
    for i in range(6):
        shop.conversation(f"c{i}", f"s{i}", [("I am [PERSON_1], my parcel is late", "Sorry!")])
        shop.grant(f"s{i}")
    request = today_request(tmp_path / "out", partition_size=2)
    result = run_training(shop.db, request, ctx=OFFICER, engine="ray", workers=2)
    assert result.card["conversations"] == 6
    assert result.card["replaced"]["tokens"] == {"PERSON": 6}
    lines = [
        json.loads(line)
        for path in sorted((tmp_path / "out").glob("part-*.jsonl"))
        for line in path.read_text().splitlines()
    ]
    assert len(lines) == 6
    assert all("[PERSON_1]" not in chat["messages"][0]["content"] for chat in lines)
