"""`discreet serve` and `discreet apikey`, end to end: a real process on a real port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from tests.api.conftest import POLICY
from tests.support.upstream import unused_port
from typer.testing import CliRunner

from discreet.cli import app
from discreet.conversations.apikeys import VERIFIED_TTL_S
from discreet.vault import MasterKey

runner = CliRunner()


def test_serve_migrates_and_answers_with_a_created_key(tmp_path: Path) -> None:
    policy = tmp_path / "discreet.yaml"
    policy.write_text(POLICY)
    env = {
        "DISCREET_HOME": str(tmp_path / "home"),
        "DISCREET_MASTER_KEY": MasterKey.generate().to_base64(),
        "DISCREET_CONFIG": str(policy),
    }
    port = unused_port()
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "discreet"), "serve", "--port", str(port)],
        env={**os.environ, **env, "DISCREET_UPSTREAM_URL": "", "DISCREET_UPSTREAM_BASE_URL": ""},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}/v1"
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            try:
                httpx.get(f"{base}/conversations/x", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not come up"
                time.sleep(0.2)

        created = runner.invoke(app, ["apikey", "create", "--assistant", "support"], env=env)
        assert created.exit_code == 0, created.output
        key = created.stdout.strip().splitlines()[0]
        assert key.startswith("dsk_")
        listed = runner.invoke(app, ["apikey", "list"], env=env)
        assert "support" in listed.stdout and key not in listed.stdout

        response = httpx.post(
            f"{base}/chat/completions",
            json={
                "model": "support",
                "messages": [{"role": "user", "content": "Where is my order?"}],
            },
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        assert response.json()["choices"][0]["message"]["content"].startswith(
            "You are chatting with an AI assistant."
        )
        unknown = runner.invoke(app, ["apikey", "create", "--assistant", "nobody"], env=env)
        assert unknown.exit_code == 2
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _environment(pid: int) -> dict[str, str]:
    """The environment process `pid` was started with (what a child it starts inherits)."""
    raw = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")
    return dict(entry.partition("=")[::2] for entry in raw.split("\0") if entry)


def test_serve_with_two_workers_answers_and_revocation_reaches_every_process(
    tmp_path: Path,
) -> None:
    policy = tmp_path / "discreet.yaml"
    policy.write_text(POLICY)
    env = {
        "DISCREET_HOME": str(tmp_path / "home"),
        "DISCREET_MASTER_KEY": MasterKey.generate().to_base64(),
    }
    created = runner.invoke(app, ["db", "upgrade"], env=env)
    assert created.exit_code == 0, created.output
    created = runner.invoke(app, ["apikey", "create", "--assistant", "support"], env=env)
    key = created.stdout.strip().splitlines()[0]
    port = unused_port()
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "discreet"),
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--config",  # given as a path: the workers must read this file, not the default
            str(policy),
        ],
        env={**os.environ, **env, "DISCREET_UPSTREAM_URL": "", "DISCREET_CONFIG": ""},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/v1"
    headers = {"Authorization": f"Bearer {key}"}
    body = {"model": "support", "messages": [{"role": "user", "content": "Where is my order?"}]}
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            try:
                httpx.get(f"{base}/conversations/x", timeout=1)
                if len(_children(proc.pid)) >= 2:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not come up"
            time.sleep(0.2)
        # The workers got the policy as an argument: the supervisor left its environment
        # as it was (DISCREET_CONFIG empty), so each worker started with exactly that one.
        started_with = _environment(proc.pid)
        assert started_with["DISCREET_CONFIG"] == ""
        for worker in _children(proc.pid):
            assert _environment(worker) == started_with
        # Both workers up: every one of a few turns is answered, by whichever takes it.
        for _ in range(6):
            response = httpx.post(
                f"{base}/chat/completions", json=body, headers=headers, timeout=60
            )
            assert response.status_code == 200, response.text
        key_id = key.split("_")[1]
        revoked = runner.invoke(app, ["apikey", "revoke", key_id], env=env)
        assert revoked.exit_code == 0, revoked.output
        # Verified keys are remembered for VERIFIED_TTL_S in each process, no longer.
        time.sleep(VERIFIED_TTL_S + 0.5)
        for _ in range(6):
            response = httpx.post(
                f"{base}/chat/completions", json=body, headers=headers, timeout=60
            )
            assert response.status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert proc.returncode is not None
    output = proc.stdout.read().decode() if proc.stdout else ""
    assert "2 processes" in output
    assert "retention run failed" not in output


def test_the_server_tunes_its_process_before_serving(monkeypatch: pytest.MonkeyPatch) -> None:
    # Long-lived start-up objects (the model, the tables) out of the collector's full
    # sweeps (each stalled a turn for ~100 ms), and a shorter GIL switch interval.
    import gc
    import sys

    import uvicorn
    from fastapi import FastAPI

    from discreet.api.server import SERVING_SWITCH_INTERVAL_S, run_server

    seen: list[tuple[int, float]] = []
    monkeypatch.setattr(
        uvicorn,
        "run",
        lambda app, **kw: seen.append((gc.get_freeze_count(), sys.getswitchinterval())),
    )
    interval = sys.getswitchinterval()
    try:
        run_server(FastAPI(), host="127.0.0.1", port=0)
    finally:
        gc.unfreeze()
        sys.setswitchinterval(interval)
    assert seen and seen[0][0] > 1000
    assert seen[0][1] == pytest.approx(SERVING_SWITCH_INTERVAL_S)
