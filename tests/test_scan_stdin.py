"""`discreet scan` for a new user: plain text piped in is scanned, and a file output is
summarised on stderr (types and counts only, never a value)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from discreet.cli import app


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "detector.yaml"
    path.write_text("ner:\n  backend: none\n", encoding="utf-8")
    return path


def test_plain_text_on_stdin_is_scanned_not_the_sample(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["scan", "--config", str(_config(tmp_path)), "--format", "jsonl"],
        input=b"mail me at jan@example.nl please",
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["stdin"]
    assert [e["type"] for e in records[0]["entities"]] == ["EMAIL_ADDRESS"]


def test_empty_stdin_still_scans_the_bundled_sample(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["scan", "--config", str(_config(tmp_path))], input=b"")
    assert result.exit_code == 0
    assert "bundled sample" in result.stdout


def test_output_file_gets_a_summary_without_values(tmp_path: Path) -> None:
    out = tmp_path / "found.jsonl"
    result = CliRunner().invoke(
        app,
        ["scan", "--config", str(_config(tmp_path)), "-o", str(out)],
        input=b"mail jan@example.nl or piet@example.nl",
    )
    assert result.exit_code == 0, result.output
    assert f"2 finding(s) in 1 document(s) written to {out} (EMAIL_ADDRESS 2)" in result.stderr
    assert "example.nl" not in result.stderr
    assert json.loads(out.read_text())["id"] == "stdin"
