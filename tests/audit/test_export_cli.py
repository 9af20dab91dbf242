"""`discreet audit verify|export` and the export formats."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from typer.testing import CliRunner

from discreet.audit import (
    AccessContext,
    AuditEvent,
    AuditLog,
    ExportFormat,
    Outcome,
    export_entries,
)
from discreet.audit.log import AuditEntry
from discreet.cli import app
from discreet.store.models import AuditRecord, table_of

LOG = table_of(AuditRecord)


def _fill(store_env, ctx: AccessContext, n: int = 3) -> AuditLog:
    log = AuditLog(store_env.data_db())
    for i in range(n):
        log.append(
            AuditEvent(
                ctx=ctx,
                tenant="default",
                action="subject.read",
                outcome=Outcome.OK,
                subject=f"sub_{i}",
                fields=("email", "name"),
                categories=("contact", "identity"),
                details={"i": i},
            )
        )
    return log


def test_jsonl_export_keeps_what_is_needed_to_recheck_hashes(store_env, ctx: AccessContext) -> None:
    log = _fill(store_env, ctx)
    out = io.StringIO()
    assert export_entries(log.entries(), out, ExportFormat.JSONL) == 3
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["seq"] for r in rows] == [1, 2, 3]
    for row in rows:
        entry = AuditEntry(
            **{**row, "categories": tuple(row["categories"]), "fields": tuple(row["fields"])}
        )
        assert entry.computed_hash() == row["hash"]


def test_csv_export(store_env, ctx: AccessContext) -> None:
    log = _fill(store_env, ctx)
    out = io.StringIO()
    export_entries(log.entries(), out, ExportFormat.CSV)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 3
    assert rows[0]["fields"] == "email;name" and rows[0]["subject"] == "sub_0"
    assert json.loads(rows[2]["details"]) == {"i": 2}


def test_since_filters(store_env, ctx: AccessContext) -> None:
    log = _fill(store_env, ctx)
    with store_env.data_db().begin() as conn:
        conn.execute(update(LOG).where(LOG.c.seq == 1).values(ts="2020-01-01T00:00:00.000000Z"))
    since = datetime.now(UTC) - timedelta(days=1)
    assert [e.seq for e in log.entries(since=since)] == [2, 3]


def test_cli_verify_and_export(store_env, ctx: AccessContext, tmp_path) -> None:
    _fill(store_env, ctx, 4)
    runner = CliRunner()
    env = store_env.environ(with_key=False)  # verify and export need no master key
    result = runner.invoke(app, ["audit", "verify"], env=env)
    assert result.exit_code == 0, result.output
    assert "4 records" in result.output

    out = tmp_path / "audit.csv"
    result = runner.invoke(
        app,
        ["audit", "export", "--format", "csv", "--since", "2000-01-01", "--out", str(out)],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert len(out.read_text().splitlines()) == 5
    result = runner.invoke(app, ["audit", "export"], env=env)
    assert result.exit_code == 0 and len(result.output.splitlines()) == 4

    with store_env.data_db().begin() as conn:
        conn.execute(update(LOG).where(LOG.c.seq == 2).values(outcome="denied"))
    result = runner.invoke(app, ["audit", "verify"], env=env)
    assert result.exit_code == 1
    assert "seq 2" in result.output


def test_cli_anchor_file_problems_are_one_line_naming_the_file(
    store_env, ctx: AccessContext, tmp_path
) -> None:
    """An anchor file that is missing, or not one, is the operator's input: exit 2 and
    one `error:` line naming the file (and the line), no traceback."""
    _fill(store_env, ctx, 2)
    runner = CliRunner()
    env = store_env.environ()
    missing = tmp_path / "no-such-anchors"
    result = runner.invoke(app, ["audit", "verify", "--anchor", str(missing)], env=env)
    assert result.exit_code == 2, result.output
    assert (
        result.output.strip()
        == f"error: cannot read anchor file {missing}: No such file or directory"
    )
    bad = tmp_path / "anchors"
    bad.write_text("12 not-a-mac 2026-01-01T00:00:00Z\n")
    result = runner.invoke(app, ["audit", "verify", "--anchor", str(bad)], env=env)
    assert result.exit_code == 2, result.output
    assert result.output.strip() == f"error: anchor file {bad}, line 1: expected 'SEQ MAC TIME'"
