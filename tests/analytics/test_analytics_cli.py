"""`discreet analytics` with delta, end to end: the Gaussian volume release spends delta,
the budget shows it, and what delta cannot cover is refused with its own message."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import StoreEnv
from tests.export.conftest import Shop, today
from tests.export.test_export_cli import cli


def test_delta_end_to_end(shop: Shop, store_env: StoreEnv, tmp_path: Path) -> None:
    for i in range(3):
        shop.conversation(f"c{i}", f"s{i}", [("Wo ist meine Bestellung?", "Unterwegs.")])
        shop.grant(f"s{i}", "analytics")
    day = today().isoformat()
    run = ["analytics", "run", "--since", day, "--until", day, "--grain", "day"]
    made = cli(store_env, "analytics", "budget", "--dataset", "conversations", "--set", "2")
    assert made.returncode == 0
    wrong = cli(store_env, *run, "--query", "outcomes", "--delta", "1e-6")
    assert wrong.returncode == 2
    assert "--delta applies to the volume query, and --query has none" in wrong.stderr
    short = cli(store_env, *run, "--query", "volume", "--delta", "1e-6")
    assert short.returncode == 4 and "needs delta 1e-06, but only delta 0 of 0" in short.stderr
    cli(
        store_env,
        "analytics",
        "budget",
        "--dataset",
        "conversations",
        "--set",
        "2",
        "--delta",
        "1e-6",
    )
    out = tmp_path / "r.json"
    done = cli(store_env, *run, "--query", "volume,outcomes", "--delta", "1e-6", "--json", str(out))
    assert done.returncode == 0, done.stderr
    assert "delta 0 of 1e-06" in done.stderr
    releases = json.loads(out.read_text())["releases"]
    assert [(r["query"], r["noise"], r["delta"]) for r in releases] == [
        ("volume", "gaussian", 1e-6),
        ("outcomes", "laplace", 0.0),
    ]
    shown = json.loads(cli(store_env, "analytics", "budget", "--dataset", "conversations").stdout)
    assert shown[0]["spent_delta"] == 1e-6 and shown[0]["left_delta"] == 0.0
    assert shown[0]["spent_epsilon"] == 0.6 and shown[0]["left_epsilon"] == 1.4
