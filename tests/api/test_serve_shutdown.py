"""`discreet serve --workers 2 --json-logs` as a real process over a dripping loopback
upstream: SIGTERM stops it within its shutdown grace although a turn is still streaming,
new connections are refused at once, every worker logs masked JSON lines, and the server
anchored the audit chain itself, so a truncated tail is caught by `audit verify --anchor`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import delete, select, update
from tests.api.conftest import POLICY
from tests.support.upstream import RecordingUpstream, Script, unused_port
from typer.testing import CliRunner

from discreet.cli import app
from discreet.store import Database
from discreet.store.guarantees_models import AuditMac, AuditMacHead
from discreet.store.models import AuditHead, AuditRecord, table_of
from discreet.vault import MasterKey

runner = CliRunner()
# A proxy URL carrying its key in the path: httpx logs every upstream request's URL.
PROXY_KEY = "sk-proj-4fGh8Jk2Lm9Np3Qr7St1Uv5Wx0Yz6Ab"


def _truncate_tail(db: Database) -> None:
    """Delete the newest audit record with its MAC and rewrite both heads, so the chain
    is consistent inside the database (what an attacker with write access does)."""
    log, macs = table_of(AuditRecord), table_of(AuditMac)
    with db.begin() as conn:
        last, keep = conn.execute(select(log.c.seq, log.c.hash).order_by(log.c.seq.desc()).limit(2))
        kept_mac = conn.execute(select(macs.c.mac).where(macs.c.seq == keep.seq)).scalar_one()
        conn.execute(delete(log).where(log.c.seq == last.seq))
        conn.execute(delete(macs).where(macs.c.seq == last.seq))
        conn.execute(update(table_of(AuditHead)).values(seq=keep.seq, hash=keep.hash))
        conn.execute(update(table_of(AuditMacHead)).values(seq=keep.seq, mac=kept_mac))


def test_sigterm_stops_a_dripping_turn_within_the_grace_and_anchors_the_chain(
    tmp_path: Path,
) -> None:
    policy = tmp_path / "discreet.yaml"
    policy.write_text(POLICY)
    anchors = tmp_path / "shipped" / "anchors"
    env = {
        "DISCREET_HOME": str(tmp_path / "home"),
        "DISCREET_MASTER_KEY": MasterKey.generate().to_base64(),
        "DISCREET_CONFIG": str(policy),
        "DISCREET_AUDIT_ANCHOR_FILE": str(anchors),
        "DISCREET_SHUTDOWN_TIMEOUT_S": "2",
    }
    assert runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    created = runner.invoke(app, ["apikey", "create", "--assistant", "support"], env=env)
    key = created.stdout.strip().splitlines()[0]
    # 20,000 pieces 50 ms apart: over 16 minutes, far past the turn's own deadline.
    upstream = RecordingUpstream(Script(chunks=["ab"] * 20_000, chunk_delay=0.05))
    upstream.prefix = f"/key/{PROXY_KEY}"
    port = unused_port()
    log_path = tmp_path / "server.log"
    with upstream, log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "discreet"),
                "serve",
                "--port",
                str(port),
                "--workers",
                "2",
                "--json-logs",
            ],
            env={
                **os.environ,
                **env,
                "DISCREET_UPSTREAM_BASE_URL": upstream.base_url,
                "DISCREET_UPSTREAM_MODEL": "m",
                "DISCREET_UPSTREAM_URL": "",
            },
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}/v1"
        try:
            deadline = time.monotonic() + 180
            while True:
                assert proc.poll() is None, log_path.read_text()
                # Both workers up (each logs its start-up, as a JSON line).
                if log_path.read_text().count('"Application startup complete."') >= 2:
                    break
                assert time.monotonic() < deadline, "server did not come up"
                time.sleep(0.2)

            outcome: list[object] = []

            def turn() -> None:
                body = {
                    "model": "m",
                    "stream": True,
                    "messages": [{"role": "user", "content": "Where is my order?"}],
                }
                try:
                    with httpx.stream(
                        "POST",
                        f"{base}/chat/completions",
                        json=body,
                        headers={"Authorization": f"Bearer {key}"},
                        timeout=300,
                    ) as response:
                        outcome.append(response.status_code)
                        outcome.extend(response.iter_bytes())
                except httpx.TransportError as exc:
                    outcome.append(exc)  # cut off at shutdown

            reader = threading.Thread(target=turn, daemon=True)
            reader.start()
            while not upstream.bodies():  # the turn reached the upstream, which drips
                assert reader.is_alive() and time.monotonic() < deadline + 120, outcome
                time.sleep(0.1)
            time.sleep(1)
            assert reader.is_alive()  # the turn is in flight

            proc.send_signal(signal.SIGTERM)
            # New connections are refused at once, while the in-flight turn still runs.
            while True:
                try:
                    httpx.get(f"{base}/conversations/x", timeout=1)
                except httpx.ConnectError:
                    break
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
            # Stopped within the grace (2 s here) plus start-up of nothing: no minutes of
            # drip. Bounded generously for a loaded machine; without the grace it runs on
            # for the turn deadline (120 s) or the drip (16 min).
            proc.wait(timeout=90)
            reader.join(timeout=10)
            assert not reader.is_alive()  # the client's stream ended too
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)

    output = log_path.read_text()
    assert PROXY_KEY not in output
    events = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert all({"ts", "level", "logger", "event"} <= set(e) for e in events)
    started_pids = {e["event"] for e in events if e["event"].startswith("Started server process")}
    assert len(started_pids) >= 2, output  # both workers log JSON, not only the supervisor
    requests = [e["event"] for e in events if e["event"].startswith("HTTP Request:")]
    assert requests and all("/key/<SECRET>/v1/chat/completions" in r for r in requests), requests
    assert not [line for line in output.splitlines() if "HTTP Request" in line and line[0] != "{"]

    # The server anchored the chain (at start-up and at shutdown) with no operator step.
    assert anchors.exists() and oct(anchors.stat().st_mode & 0o777) == "0o600"
    verified = runner.invoke(app, ["audit", "verify", "--anchor", str(anchors)], env=env)
    assert verified.exit_code == 0, verified.output
    db = Database(f"sqlite:///{tmp_path / 'home' / 'discreet.db'}", name="data store")
    try:
        _truncate_tail(db)
    finally:
        db.dispose()
    assert runner.invoke(app, ["audit", "verify"], env=env).exit_code == 0  # fooled inside
    caught = runner.invoke(app, ["audit", "verify", "--anchor", str(anchors)], env=env)
    assert caught.exit_code != 0 and "truncated" in caught.output, caught.output
