"""The CLI end to end: a killed export finishes on rerun; errors are clear exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
from tests.conftest import StoreEnv
from tests.export.conftest import Shop, today

CLI = [sys.executable, "-c", "from discreet.cli import main; main()"]


def cli(env: StoreEnv, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        env={**os.environ, **env.environ()},
        capture_output=True,
        text=True,
        timeout=300,
    )


def tag(i: int) -> str:
    """A marker in letters (numbers could be taken for order ids and be replaced)."""
    return "q" + chr(97 + i // 26) + chr(97 + i % 26)


def export_args(out: Path, config: Path) -> list[str]:
    day = today().isoformat()
    return [
        "export",
        "training",
        "--since",
        day,
        "--until",
        day,
        "--out",
        str(out),
        "--config",
        str(config),
        "--workers",
        "1",
    ]


def test_a_killed_export_leaves_whole_files_and_a_rerun_finishes_it(
    shop: Shop, store_env: StoreEnv, tmp_path: Path
) -> None:
    total = 150
    for i in range(total):
        shop.conversation(
            f"c{i}", f"s{i}", [(f"Parcel {tag(i)} is late, I am [PERSON_1]", "Sorry!")]
        )
        shop.grant(f"s{i}")
    config = tmp_path / "export.yaml"
    config.write_text(
        "k: 1\npartition_size: 1\ndetector: {ner: {backend: none}}\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    process = subprocess.Popen(
        [*CLI, *export_args(out, config)],
        env={**os.environ, **store_env.environ()},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(out.glob("part-*.json")):
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    finished = len(list(out.glob("part-*.json")))
    assert 0 < finished < total, "the kill came too late to test anything"
    assert not (out / "dataset_card.json").exists()
    for path in out.glob("part-*.parquet"):  # every file there is whole
        pq.read_table(path)

    rerun = cli(store_env, *export_args(out, config))

    assert rerun.returncode == 0, rerun.stderr
    assert "finished an interrupted run" in rerun.stdout
    card = json.loads((out / "dataset_card.json").read_text())
    assert card["conversations"] == total
    texts = sorted(
        json.loads(line)["messages"][0]["content"].split(" is late")[0]
        for path in out.glob("part-*.jsonl")
        for line in path.read_text().splitlines()
    )
    assert texts == sorted(f"Parcel {tag(i)}" for i in range(total))  # each exactly once
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_cli_errors_name_the_problem(shop: Shop, store_env: StoreEnv, tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x").write_text("")
    config = tmp_path / "export.yaml"
    config.write_text("k: 0\n", encoding="utf-8")
    bad = cli(store_env, *export_args(tmp_path / "o", config))
    assert bad.returncode == 2 and "k: Input should be greater than or equal to 1" in bad.stderr
    config.write_text("k: 1\n", encoding="utf-8")
    busy = cli(store_env, *export_args(tmp_path / "busy", config))
    assert busy.returncode == 2 and "is not empty" in busy.stderr
    spent = cli(store_env, "analytics", "run", "--since", "2026-01-01", "--until", "2026-01-02")
    assert spent.returncode == 3 and "no privacy budget is set" in spent.stderr
    made = cli(store_env, "analytics", "budget", "--dataset", "conversations", "--set", "0.5")
    assert made.returncode == 0 and '"left_epsilon": 0.5' in made.stdout
    refused = cli(
        store_env,
        "analytics",
        "run",
        "--since",
        "2026-01-01",
        "--until",
        "2026-01-02",
        "--epsilon",
        "0.3",
    )
    assert refused.returncode == 4
    assert "does not allow this release" in refused.stderr
