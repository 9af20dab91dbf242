"""`discreet retention run/report/close` against real stores."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from tests.retention.conftest import Parts, policy_text
from typer.testing import CliRunner

from discreet.audit import AccessContext
from discreet.cli import app
from discreet.policy import builtin_policy_text
from discreet.retention import is_closed

runner = CliRunner()


def _invoke(parts: Parts, tmp_path: Path, *args: str, policy_yaml: str = "") -> tuple[int, str]:
    policy = tmp_path / "discreet.yaml"
    policy.write_text(policy_yaml or builtin_policy_text(), encoding="utf-8")
    result = runner.invoke(
        app, ["retention", *args, "--config", str(policy)], env=parts.env.environ()
    )
    return result.exit_code, result.output


def test_run_dry_run_then_for_real(parts: Parts, tmp_path: Path) -> None:
    parts.transcripts.append("old", [("user", "x")], parts.clock() - timedelta(days=120))
    code, out = _invoke(parts, tmp_path, "run", "--dry-run")
    assert code == 0, out
    assert "would delete" in out and "conversation_messages" in out
    assert len(parts.transcripts.messages("old")) == 1

    code, out = _invoke(parts, tmp_path, "run", "--json")
    assert code == 0, out
    counts = {c["kind"]: c["deleted"] for c in json.loads(out)["counts"]}
    assert counts["conversation_messages"] == 1
    assert parts.transcripts.messages("old") == []


def test_report_lists_what_expires_when(parts: Parts, tmp_path: Path) -> None:
    parts.transcripts.append("c", [("user", "x")], parts.clock() - timedelta(days=80))
    code, out = _invoke(parts, tmp_path, "report", "--days", "30", "--json")
    assert code == 0, out
    lines = json.loads(out)["lines"]
    assert {"kind": "conversation_messages", "count": 1} in [
        {"kind": ln["kind"], "count": ln["count"]} for ln in lines
    ]
    code, out = _invoke(parts, tmp_path, "report")
    assert code == 0 and "What expires when" in out and "last retention run: never" in out
    assert _invoke(parts, tmp_path, "run")[0] == 0
    code, out = _invoke(parts, tmp_path, "report", "--json")
    assert json.loads(out)["last_run_at"] is not None


def test_close_command(parts: Parts, tmp_path: Path, ctx: AccessContext) -> None:
    parts.vault.save_token_map("chat-1", {"[PERSON_1]": "Marieke"}, ctx=ctx)
    parts.turn("chat-1")
    # A policy that asks to keep maps after closing keeps it.
    parts.turn("chat-2")
    code, out = _invoke(parts, tmp_path, "close", "chat-2", policy_yaml=policy_text(keep_maps=5))
    assert code == 0 and "kept until" in out, out
    # The example policy (its `token_maps: 90` rule included) forgets at once.
    code, out = _invoke(parts, tmp_path, "close", "chat-1")
    assert code == 0, out
    assert "token map destroyed" in out
    assert is_closed(parts.data, "default", "chat-1")
    code, out = _invoke(parts, tmp_path, "close", "unknown")
    assert code == 3 and "error: " in out  # NotFound (discreet.errors)


def test_the_report_says_after_which_date_instead_of_later() -> None:
    from datetime import UTC, datetime

    from rich.console import Console

    from discreet.retention.forecast import LATER, ExpiryLine, Forecast
    from discreet.retention.render import forecast_table

    at = datetime(2027, 1, 30, 14, 0, tzinfo=UTC)
    result = Forecast("default", at, 30, (ExpiryLine("audit_records", None, 365, LATER, 2),), ())
    console = Console(width=120, record=True)
    console.print(forecast_table(result))
    text = console.export_text()
    assert "after 2027-03-01" in text and "later" not in text
