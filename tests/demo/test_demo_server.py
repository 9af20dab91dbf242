"""The demo's printed openai-client snippet, run as printed against a real server."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from tests.support.upstream import unused_port
from typer.testing import CliRunner

from discreet.api import build_app
from discreet.cli import app
from discreet.demo.prepare import demo_settings
from discreet.demo.synthetic import make_customer
from discreet.gateway.assistant import EmbeddedAssistant
from discreet.policy import load_policy


@pytest.fixture
def served_demo(tmp_path: Path) -> Iterator[str]:
    """`discreet demo --no-serve --port P` output, with the demo's app listening on P."""
    port = unused_port()
    home = tmp_path / "demo"
    result = CliRunner().invoke(
        app, ["demo", "--home", str(home), "--no-serve", "--customers", "4", "--port", str(port)]
    )
    assert result.exit_code == 0, result.output
    server = uvicorn.Server(
        uvicorn.Config(
            build_app(
                load_policy(home / "discreet.yaml"),
                demo_settings(home, home / "master.key"),
                backend=EmbeddedAssistant(),
                migrate=False,
            ),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield result.stdout
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_the_printed_openai_snippet_answers_the_dutch_customer_by_name(served_demo: str) -> None:
    snippet = served_demo.split("python - <<'EOF'\n", 1)[1].split("\nEOF", 1)[0]

    run = subprocess.run(
        [sys.executable, "-c", snippet], capture_output=True, text=True, timeout=60, check=False
    )

    assert run.returncode == 0, run.stderr
    dutch = make_customer(0)
    assert f"Hello {dutch.first_name}!" in run.stdout
    assert dutch.fields["order_number"] in run.stdout  # rehydrated from [ORDER_ID_1]
