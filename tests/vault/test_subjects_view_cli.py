"""`discreet subjects list|show` and `discreet rights list`: references and field names,
values masked unless asked for, every look audited with its purpose."""

from __future__ import annotations

from typing import Any

from typer.testing import CliRunner

from discreet.audit import AccessContext
from discreet.cli import app
from discreet.vault import Vault

runner = CliRunner()
MARIEKE = "CUST-48213"


def test_list_shows_references_and_field_names_never_values(
    filled_vault: Vault, store_env: Any
) -> None:
    listed = runner.invoke(app, ["subjects", "list", "--actor", "dpo-1"], env=store_env.environ())
    assert listed.exit_code == 0, listed.output
    lines = [line.split("\t") for line in listed.stdout.splitlines()]
    assert {ref for ref, _id, _fields in lines} == {MARIEKE, "CUST-77120"}
    assert all(fields.split(",") == sorted(fields.split(",")) for *_, fields in lines)
    assert "voorbeeld.nl" not in listed.stdout and "Oosterhout" not in listed.stdout
    [record] = [e for e in filled_vault.audit_log.entries() if e.action == "subject.list"]
    assert record.actor == "dpo-1" and record.purpose == "customer_service"


def test_show_masks_values_unless_asked_and_audits_the_read(
    filled_vault: Vault, store_env: Any
) -> None:
    env = store_env.environ()
    masked = runner.invoke(app, ["subjects", "show", MARIEKE], env=env)
    shown = runner.invoke(
        app, ["subjects", "show", MARIEKE, "--show-values", "--purpose", "data_subject_request",
              "--legal-basis", "legal_obligation"], env=env,
    )  # fmt: skip
    assert masked.exit_code == 0 and shown.exit_code == 0, masked.output + shown.output
    assert "marieke.oosterhout@voorbeeld.nl" not in masked.stdout
    assert "m***@v***.nl" in masked.stdout
    assert "marieke.oosterhout@voorbeeld.nl" in shown.stdout
    reads = [e for e in filled_vault.audit_log.entries() if e.action == "subject.read"]
    assert [e.purpose for e in reads[-2:]] == ["customer_service", "data_subject_request"]


def test_rights_list_shows_the_customers_reference(
    filled_vault: Vault, store_env: Any, ctx: AccessContext
) -> None:
    env = store_env.environ()
    submitted = runner.invoke(app, ["rights", "submit", MARIEKE, "access"], env=env)
    assert submitted.exit_code == 0, submitted.output
    listed = runner.invoke(app, ["rights", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.strip().endswith(MARIEKE)
