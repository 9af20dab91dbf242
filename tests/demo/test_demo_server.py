"""The demo's printed openai-client snippet, run as printed against a real server."""

from __future__ import annotations

import json
import os
import re
import socket
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


def _clean_shell(script: str) -> subprocess.CompletedProcess[str]:
    """Run a printed snippet as a user pasting it into a new terminal: no virtualenv on the
    PATH, no discreet settings inherited from this test process."""
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}
    return subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=120, env=env, check=False
    )


def test_the_printed_snippets_work_as_printed_in_a_clean_shell(served_demo: str) -> None:
    """Steps 1 (curl), 4 (openai client) and 6 (the CLI) pasted verbatim."""
    curl = served_demo.split("# 1. ", 1)[1].split("\n", 1)[1].split("\n\n", 1)[0]
    python = served_demo.split("# 4. ", 1)[1].split("\n", 1)[1].split("\nEOF\n", 1)[0] + "\nEOF"
    cli = served_demo.split("# 6. ", 1)[1].split("\n", 1)[1]

    answered = _clean_shell(curl)
    assert answered.returncode == 0, answered.stderr
    ref = re.search(r"X-Discreet-Subject: (CUST-\d+)", curl)
    assert ref is not None
    english = make_customer(int(ref.group(1).removeprefix("CUST-")) - 10001)
    answer = json.loads(answered.stdout)["choices"][0]["message"]["content"]
    assert f"Hello {english.first_name}!" in answer
    snippet = _clean_shell(python)
    assert snippet.returncode == 0, snippet.stderr
    assert f"Hello {make_customer(0).first_name}!" in snippet.stdout
    commands = _clean_shell(cli)
    assert commands.returncode == 0, commands.stderr
    assert "audit log intact" in commands.stdout


def test_a_busy_port_fails_before_anything_is_seeded_or_printed(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        home = tmp_path / "demo"
        result = subprocess.run(
            [str(Path(sys.executable).parent / "discreet"), "demo", "--home", str(home),
             "--port", str(port), "--customers", "2"],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert result.returncode == 4, result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "dsk_" not in result.stdout + result.stderr
    assert not home.exists()
