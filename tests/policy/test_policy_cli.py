"""`discreet policy check` and `discreet policy explain`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from discreet.cli import app
from discreet.policy import builtin_policy_text

runner = CliRunner()


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No DISCREET_CONFIG and no ./discreet.yaml: the built-in example applies."""
    monkeypatch.delenv("DISCREET_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_check_valid_file_exits_0_with_a_summary(isolated: Path) -> None:
    policy = isolated / "discreet.yaml"
    policy.write_text(builtin_policy_text())
    result = runner.invoke(app, ["policy", "check", str(policy)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"{policy}: OK — tenant example-shop"
    assert "6 data categories, 21 fields; special (GDPR art. 9): health" in result.stdout
    assert "2 assistants: support, billing" in result.stdout
    assert "upstream: none (embedded assistant)" in result.stdout


def test_check_invalid_file_exits_2_listing_every_problem(isolated: Path) -> None:
    text = (
        builtin_policy_text()
        .replace(
            "    categories: [identity, financial, order]\n    deny_fields",
            "    categories: [identity, helth, order]\n    deny_fields",
        )
        .replace("history_window_days: 30", "history_window_dayz: 30")
    )
    bad = isolated / "bad.yaml"
    bad.write_text(text)
    result = runner.invoke(app, ["policy", "check", str(bad)])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    dayz = text[: text.index("history_window_dayz")].count("\n") + 1
    assert lines[0].startswith(f"{bad}:{dayz}: assistants.billing.history_window_dayz: unknown key")
    assert lines[-1] == f"{bad}: 1 problem; the policy is not valid"
    # Schema errors come first; once fixed, the cross-reference error is reported.
    bad.write_text(text.replace("history_window_dayz", "history_window_days"))
    result = runner.invoke(app, ["policy", "check", str(bad)])
    assert result.exit_code == 2
    helth = text[: text.index("helth")].count("\n") + 1
    assert result.stderr.splitlines()[0] == (
        f"{bad}:{helth}: assistants.billing.categories[1]: unknown data category 'helth'; "
        "did you mean 'health'? (known: contact, financial, health, identity, location, order)"
    )


def test_check_missing_and_empty_files(isolated: Path) -> None:
    result = runner.invoke(app, ["policy", "check", "missing.yaml"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "missing.yaml: file not found"
    (isolated / "empty.yaml").write_text("")
    result = runner.invoke(app, ["policy", "check", "empty.yaml"])
    assert result.exit_code == 2
    assert "empty.yaml: the file is empty" in result.stderr


def test_check_without_argument_uses_discreet_config(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured = isolated / "conf.yaml"
    configured.write_text(builtin_policy_text().replace("tenant: example-shop", "tenant: acme"))
    monkeypatch.setenv("DISCREET_CONFIG", str(configured))
    result = runner.invoke(app, ["policy", "check"])
    assert result.exit_code == 0, result.output
    assert f"{configured}: OK — tenant acme" in result.stdout


def test_check_without_any_file_reports_the_builtin_example(isolated: Path) -> None:
    result = runner.invoke(app, ["policy", "check"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<built-in example>: OK — tenant example-shop")


def test_explain_billing_says_what_it_cannot_see(isolated: Path) -> None:
    result = runner.invoke(app, ["policy", "explain", "billing"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    visible, hidden = out.split("May NOT see", 1)
    hidden = hidden.split("Conversation history", 1)[0]
    assert "billing: legal basis: performing a contract with the customer" in visible
    # Each field with how it reaches the assistant, as the policy declares it.
    assert (
        "financial: iban (IBAN), payment_method (as it is), invoice_number (ORDER_ID), "
        "outstanding_balance (as it is)"
    ) in visible
    assert (
        "health (special category): medical_conditions, allergies, disability_needs — not granted"
        in hidden
    )
    assert "identity: date_of_birth — explicitly denied" in hidden
    assert "contact: email, phone — not granted" in hidden
    assert "iban" not in hidden and "medical_conditions" not in visible
    assert "earlier conversations from the last 30 days" in out
    assert "IBAN → mask" in out and "SECRET → redact" in out
    assert "none of its purposes needs the customer's consent" in out


def test_explain_mentions_consent_and_art9_condition(isolated: Path) -> None:
    text = builtin_policy_text().replace(
        "    purposes: [customer_support]\n",
        "    purposes: [customer_support, analytics]\n",
    )
    config = isolated / "p.yaml"
    config.write_text(text)
    result = runner.invoke(app, ["policy", "explain", "support", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "needs the customer's recorded consent before serving: analytics" in result.stdout
    assert f"(tenant example-shop, {config})" in result.stdout


def test_explain_unknown_assistant_exits_2(isolated: Path) -> None:
    result = runner.invoke(app, ["policy", "explain", "biling"])
    assert result.exit_code == 2
    assert "unknown assistant 'biling'; did you mean 'billing'?" in result.stderr


def test_explain_with_invalid_policy_lists_problems(isolated: Path) -> None:
    (isolated / "discreet.yaml").write_text("version: 1\n")
    result = runner.invoke(app, ["policy", "explain", "billing"])
    assert result.exit_code == 2
    assert "discreet.yaml:1: required key 'tenant' is missing" in result.stderr


def test_check_names_a_visible_field_without_a_declared_type(isolated: Path) -> None:
    text = builtin_policy_text().replace("      order_status: plain\n", "")
    bad = isolated / "untyped.yaml"
    bad.write_text(text)
    result = runner.invoke(app, ["policy", "check", str(bad)])
    assert result.exit_code == 2
    line = text[: text.index("fields: [customer_number")].count("\n") + 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{bad}:{line}: data_categories.order.fields[2]: field 'order_status'")
    assert "visible to assistant 'support' but has no declared type" in first
