"""`discreet redact` and `discreet rehydrate` against a real vault (SQLite, PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from discreet.audit import AccessContext
from discreet.cli import app
from discreet.vault import Vault

MARIEKE = "CUST-48213"  # sample subjects from tests/conftest.py
BARTHOLOMEW = "CUST-77120"


@pytest.fixture
def cli(
    store_env: object, filled_vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Environment for the CLI: the test's stores and a patterns-only detector config."""
    for name, value in store_env.environ().items():  # type: ignore[attr-defined]
        monkeypatch.setenv(name, value)
    config = tmp_path / "detector.yaml"
    config.write_text("ner: {backend: none}\n", encoding="utf-8")
    return config


def run(*args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(app, list(args), input=stdin)


def test_redact_then_rehydrate_round_trip(
    cli: Path, sample_subjects: dict[str, dict[str, str]]
) -> None:
    text = (
        "Hallo, ik ben Marieke van Oosterhout. Mail marieke.oosterhout@voorbeeld.nl of bel "
        "+31 6 48213577 over klantnummer CN-48213-77."
    )
    redacted = run("redact", "-c", "conv-1", "--subject", MARIEKE, "--config", str(cli), stdin=text)
    assert redacted.exit_code == 0, redacted.stderr
    for value in sample_subjects[MARIEKE].values():
        assert value not in redacted.stdout
    assert "[PERSON_1]" in redacted.stdout and "[EMAIL_ADDRESS_1]" in redacted.stdout
    assert "PERSON=1" in redacted.stderr
    assert "Oosterhout" not in redacted.stderr

    restored = run("rehydrate", "-c", "conv-1", stdin=redacted.stdout)
    assert restored.exit_code == 0, restored.stderr
    assert restored.stdout == text


def test_token_map_is_kept_under_the_subjects_key(
    cli: Path, filled_vault: Vault, ctx: AccessContext
) -> None:
    run(
        "redact",
        "-c",
        "conv-2",
        "-s",
        MARIEKE,
        "--config",
        str(cli),
        stdin="Marieke van Oosterhout",
    )
    assert filled_vault.conversation_subject("conv-2", ctx=ctx) == filled_vault.subject_id(
        MARIEKE, ctx=ctx
    )
    assert filled_vault.load_token_map("conv-2", ctx=ctx) == {
        "[PERSON_1]": "Marieke van Oosterhout"
    }


def test_rehydrate_drops_and_reports_other_conversations_tokens(cli: Path) -> None:
    a = run(
        "redact",
        "-c",
        "conv-a",
        "-s",
        MARIEKE,
        "--config",
        str(cli),
        stdin="Marieke van Oosterhout",
    )
    b = run(
        "redact", "-c", "conv-b", "-s", BARTHOLOMEW, "--config", str(cli),
        stdin="b.quenneville@example.com",
    )  # fmt: skip
    assert a.stdout == "[PERSON_1]" and b.stdout == "[EMAIL_ADDRESS_1]"
    crossed = run("rehydrate", "-c", "conv-a", stdin=f"{a.stdout} / {b.stdout}")
    assert crossed.exit_code == 0
    assert crossed.stdout == "Marieke van Oosterhout / "
    assert "quenneville" not in crossed.stdout + crossed.stderr
    assert "[EMAIL_ADDRESS_1]" in crossed.stderr
    strict = run("rehydrate", "-c", "conv-a", "--fail-on-unknown", stdin=b.stdout)
    assert strict.exit_code == 1


def test_operator_overrides(cli: Path, tmp_path: Path) -> None:
    text = "IBAN NL02ABNA0123456789 van Marieke van Oosterhout"
    out = run(
        "redact", "-c", "conv-3", "-s", MARIEKE, "--config", str(cli),
        "--operator", "IBAN=mask", "--operator", "PERSON=placeholder", stdin=text,
    )  # fmt: skip
    assert out.exit_code == 0, out.stderr
    assert out.stdout == "IBAN **************6789 van [Customer Name]"
    source = tmp_path / "in.txt"
    source.write_text("mail b.quenneville@example.com", encoding="utf-8")
    key = tmp_path / "key"
    key.write_bytes(b"0123456789abcdef0123456789abcdef")
    hashed = run(
        "redact", "-c", "conv-4", "--config", str(cli), "-o", "EMAIL_ADDRESS=hash",
        "--key-file", str(key), str(source),
    )  # fmt: skip
    assert hashed.exit_code == 0, hashed.stderr
    assert hashed.stdout.startswith("mail EMAIL_ADDRESS_") and "quenneville" not in hashed.stdout


def test_bad_override_is_a_usage_error(cli: Path) -> None:
    out = run("redact", "-c", "x", "--config", str(cli), "-o", "PERSON=shred", stdin="hi")
    assert out.exit_code == 2
    assert "unknown operator" in out.stderr


def test_conversation_of_another_subject_fails_closed(cli: Path) -> None:
    run("redact", "-c", "conv-5", "-s", MARIEKE, "--config", str(cli), stdin="hallo")
    out = run(
        "redact", "-c", "conv-5", "-s", BARTHOLOMEW, "--config", str(cli),
        stdin="Bartholomew Quenneville",
    )  # fmt: skip
    assert out.exit_code == 4  # Conflict (discreet.errors)
    assert out.stdout == ""
    assert "Quenneville" not in out.stderr


def test_missing_master_key_is_explained(cli: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISCREET_MASTER_KEY")
    out = run("redact", "-c", "conv-6", "--config", str(cli), stdin="Marieke van Oosterhout")
    assert out.exit_code == 5  # Unavailable
    assert out.stdout == ""
    assert "master key" in out.stderr.lower()


def test_unmigrated_store_is_refused_before_any_output(
    cli: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    monkeypatch.setenv("DISCREET_HOME", str(empty))
    monkeypatch.setenv("DISCREET_DATABASE_URL", f"sqlite:///{empty / 'd.db'}")
    monkeypatch.setenv("DISCREET_KEYSTORE_URL", f"sqlite:///{empty / 'k.db'}")
    for args in (["redact", "-c", "c", "--config", str(cli)], ["rehydrate", "-c", "c"]):
        out = run(*args, stdin="[PERSON_1] Marieke van Oosterhout")
        assert out.exit_code == 5
        assert out.stdout == ""
        assert "db upgrade" in out.stderr


def test_the_hash_operator_without_a_key_names_the_option_to_give(cli: Path) -> None:
    out = run(
        "redact", "-c", "conv-h", "--config", str(cli), "-o", "IBAN=hash",
        stdin="IBAN NL91 ABNA 0417 1643 00",
    )  # fmt: skip
    assert out.exit_code == 2
    assert "--key-file" in out.stderr and "hash_key" not in out.stderr
    assert out.stdout == ""
