"""`discreet demo --no-serve`, then a real chat turn over its data with the printed key."""

from __future__ import annotations

import re
import shlex
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from discreet.api import build_app
from discreet.cli import app
from discreet.demo.prepare import demo_settings
from discreet.demo.synthetic import make_customer
from discreet.gateway.assistant import AssistantReply, EmbeddedAssistant
from discreet.gateway.context import TOKEN_RE
from discreet.policy import load_policy

runner = CliRunner()
KEY_LINE = re.compile(r"^  (support|billing|operator)\s+(dsk_\S+)", re.MULTILINE)
CUSTOMERS = 30


class RecordingAssistant(EmbeddedAssistant):
    """The embedded assistant, keeping every message list it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[list[dict[str, Any]]] = []

    def answer(self, messages: Sequence[Mapping[str, Any]]) -> AssistantReply:
        self.received.append([dict(m) for m in messages])
        return super().answer(messages)


def run_demo(home: Path) -> tuple[str, dict[str, str]]:
    result = runner.invoke(
        app,
        ["demo", "--home", str(home), "--no-serve", "--customers", str(CUSTOMERS)],
        env={"DISCREET_UPSTREAM_URL": "", "DISCREET_UPSTREAM_BASE_URL": ""},
    )
    assert result.exit_code == 0, result.output
    return result.stdout, dict(KEY_LINE.findall(result.stdout))


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo") / "data"


@pytest.fixture(scope="module")
def first_run(demo_home: Path) -> tuple[str, dict[str, str]]:
    return run_demo(demo_home)


def _client(home: Path, backend: EmbeddedAssistant) -> TestClient:
    settings = demo_settings(home, home / "master.key")
    policy = load_policy(home / "discreet.yaml")
    return TestClient(build_app(policy, settings, backend=backend, migrate=False))


def _chat(client: TestClient, key: str, ref: str, text: str) -> str:
    response = client.post(
        "/v1/chat/completions",
        json={"model": "support", "messages": [{"role": "user", "content": text}]},
        headers={"Authorization": f"Bearer {key}", "X-Discreet-Subject": ref},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["choices"][0]["message"]["content"])


def test_demo_prints_keys_and_commands_and_keeps_the_key_file_private(
    demo_home: Path, first_run: tuple[str, dict[str, str]]
) -> None:
    output, keys = first_run
    assert set(keys) == {"support", "billing", "operator"}
    assert stat.S_IMODE((demo_home / "master.key").stat().st_mode) == 0o600
    assert (demo_home / "discreet.yaml").is_file()
    for expected in (
        "X-Discreet-Subject: CUST-",
        "curl -sN ",
        '"stream": true',
        'OpenAI(base_url="http://127.0.0.1:8000/v1"',
        "discreet audit verify",
        "discreet policy explain support",
    ):
        assert expected in output
    assert f"customers: {CUSTOMERS} synthetic" in output
    assert "past conversations: 3 " in output  # customers 10001, 10011, 10021


def test_a_seeded_customer_is_greeted_by_name_while_the_assistant_saw_only_tokens(
    demo_home: Path, first_run: tuple[str, dict[str, str]]
) -> None:
    _output, keys = first_run
    english, dutch = make_customer(3), make_customer(0)
    assert (english.locale, dutch.locale) == ("en", "nl")
    backend = RecordingAssistant()
    with _client(demo_home, backend) as client:
        answer_en = _chat(client, keys["support"], english.ref, "Where is my order?")
        answer_nl = _chat(client, keys["support"], dutch.ref, "Hoi, waar blijft mijn bestelling?")

    assert f"Hello {english.first_name}!" in answer_en
    assert english.fields["order_number"] in answer_en
    assert f"Hallo {dutch.first_name}!" in answer_nl
    received = str(backend.received)
    assert TOKEN_RE.search(received)
    for customer in (english, dutch):
        for name, value in customer.fields.items():
            if name not in {"order_status", "order_items", "delivery_date", "country"}:
                assert value not in received, f"raw {name} reached the assistant"


def test_a_second_run_reuses_the_data_and_adds_keys_leaving_the_first_runs_working(
    demo_home: Path, first_run: tuple[str, dict[str, str]]
) -> None:
    key_before = (demo_home / "master.key").read_bytes()
    output, keys = run_demo(demo_home)

    assert "all reused" in output
    assert (demo_home / "master.key").read_bytes() == key_before
    assert keys["support"] != first_run[1]["support"]
    with _client(demo_home, RecordingAssistant()) as client:
        old = client.post(
            "/v1/chat/completions",
            json={"model": "support", "messages": [{"role": "user", "content": "Hi"}]},
            headers={"Authorization": f"Bearer {first_run[1]['support']}"},
        )
        # Another run may still be serving with its keys: they are never revoked by this one.
        assert old.status_code == 200, old.text
        customer = make_customer(5)
        assert customer.first_name in _chat(
            client, keys["support"], customer.ref, "Where is my order?"
        )


def test_the_printed_cli_commands_work_on_the_demo_data(
    first_run: tuple[str, dict[str, str]],
) -> None:
    output = first_run[0]
    export = re.split(r"(?<!\\)\n", output[output.index("export DISCREET_HOME") :], maxsplit=1)[0]
    env = dict(item.split("=", 1) for item in shlex.split(export.replace("\\\n", " "))[1:])
    assert set(env) == {
        "DISCREET_HOME",
        "DISCREET_MASTER_KEY_FILE",
        "DISCREET_CONFIG",
        "DISCREET_TENANT",
    }
    unset: dict[str, str | None] = {
        "DISCREET_MASTER_KEY": None,  # the printed `unset` line
        "DISCREET_DATABASE_URL": None,
        "DISCREET_KEYSTORE_URL": None,
    }

    verified = runner.invoke(app, ["audit", "verify"], env={**env, **unset})
    explained = runner.invoke(app, ["policy", "explain", "support"], env={**env, **unset})

    assert verified.exit_code == 0, verified.output
    assert explained.exit_code == 0, explained.output
    assert "support" in explained.stdout
