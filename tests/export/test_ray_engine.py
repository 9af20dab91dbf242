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


@pytest.mark.slow
def test_scan_on_ray_reads_parquet_and_finds_what_local_finds(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from discreet.scan import NER_NONE, ScanOptions, run_scan

    texts = ["Mail jan@example.nl today", "IBAN NL91ABNA0417164300 please", "nothing here"]
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["a", "b", "c"], "text": texts}), source)
    config = tmp_path / "detector.yaml"
    config.write_text(f"ner: {{backend: {NER_NONE.backend}}}\n", encoding="utf-8")
    outputs = {}
    for engine in ("local", "ray"):
        out = tmp_path / f"{engine}.jsonl"
        options = ScanOptions(
            inputs=[source],
            output=out,
            format="jsonl",
            config=config,
            workers=2,
            engine=engine,  # type: ignore[arg-type]
        )
        assert run_scan(options) == 0
        outputs[engine] = [json.loads(line) for line in out.read_text().splitlines()]
    assert outputs["ray"] == outputs["local"]
    assert [len(r["entities"]) for r in outputs["ray"]] == [1, 1, 0]
