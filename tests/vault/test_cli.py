"""`discreet db|keys|subjects` commands, end to end on real stores."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from discreet.audit import AccessContext
from discreet.cli import app
from discreet.vault import MasterKey, SubjectNotFound
from discreet.vault.master import read_master_key_file

runner = CliRunner()
HEADER = "subject_ref,name,email,phone,street_address,postal_code,city,iban,customer_number"


def test_db_upgrade_creates_both_stores(tmp_path: Path) -> None:
    home = tmp_path / "fresh"
    result = runner.invoke(app, ["db", "upgrade"], env={"DISCREET_HOME": str(home)})
    assert result.exit_code == 0, result.output
    assert (home / "discreet.db").exists() and (home / "keys.db").exists()
    again = runner.invoke(app, ["db", "upgrade"], env={"DISCREET_HOME": str(home)})
    assert again.exit_code == 0


def test_commands_refuse_to_start_without_a_key(store_env, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(f"{HEADER}\nR-1,A,,,,,,,\n")
    env: dict[str, str | None] = {**store_env.environ(with_key=False)}
    env.update(DISCREET_MASTER_KEY=None, DISCREET_MASTER_KEY_FILE=None)
    result = runner.invoke(app, ["subjects", "import", str(path)], env=env)
    assert result.exit_code == 5  # Unavailable (discreet.errors)
    assert "no master key configured" in result.output


def test_commands_refuse_unmigrated_stores(tmp_path: Path) -> None:
    env = {"DISCREET_HOME": str(tmp_path), "DISCREET_MASTER_KEY": MasterKey.generate().to_base64()}
    result = runner.invoke(app, ["subjects", "erase", "R-1", "--yes"], env=env)
    assert result.exit_code == 5
    assert "discreet db upgrade" in result.output


def test_import_then_erase(store_env, tmp_path: Path, ctx: AccessContext) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        f"{HEADER}\n"
        "R-1,Anna Alpha,anna@example.org,+31 6 11111111,Street 1,1000 AA,Town,,C-1\n"
        "R-2,Bert Beta,bert@example.org,,,,,,C-2\n"
    )
    env = store_env.environ()
    result = runner.invoke(app, ["subjects", "import", str(path), "--actor", "ops"], env=env)
    assert result.exit_code == 0, result.output
    assert "imported 2 subjects" in result.output
    vault = store_env.open_vault()
    assert vault.get_subject("R-1", ctx=ctx).fields["name"] == "Anna Alpha"
    result = runner.invoke(app, ["subjects", "erase", "R-1", "--yes"], env=env)
    assert result.exit_code == 0, result.output
    assert "data key is destroyed" in result.output
    with pytest.raises(SubjectNotFound):
        vault.get_subject("R-1", ctx=ctx)
    imports = [e for e in vault.audit_log.entries() if e.action == "subject.import"]
    assert imports[0].actor == "ops"


def test_import_bad_row_and_skip_bad(store_env, tmp_path: Path, ctx: AccessContext) -> None:
    path = tmp_path / "s.csv"
    path.write_text(f"{HEADER}\nR-1,Anna,,,,,,,\n,Secret Name,,,,,,,\nR-3,Carl,,,,,,,\n")
    env = store_env.environ()
    result = runner.invoke(app, ["subjects", "import", str(path)], env=env)
    assert result.exit_code == 2
    assert "line 3" in result.output and "nothing was imported" in result.output
    assert "Secret Name" not in result.output
    result = runner.invoke(app, ["subjects", "import", str(path), "--skip-bad"], env=env)
    assert result.exit_code == 0, result.output
    assert "imported 2 subjects" in result.output and "skipped line 3" in result.output


def test_category_override_flag(store_env, tmp_path: Path, ctx: AccessContext) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text('{"subject_ref": "R-1", "loyalty_tier": "gold"}\n')
    env = store_env.environ()
    result = runner.invoke(app, ["subjects", "import", str(path)], env=env)
    assert result.exit_code == 2 and "loyalty_tier" in result.output
    result = runner.invoke(
        app, ["subjects", "import", str(path), "--category", "loyalty_tier=order"], env=env
    )
    assert result.exit_code == 0, result.output
    for bad in ("Loyalty=order", "loyalty_tier=Bad Cat"):  # not names: exit 2, one line
        result = runner.invoke(app, ["subjects", "import", str(path), "--category", bad], env=env)
        assert result.exit_code == 2 and result.output.startswith("error: --category: ")


def test_import_knows_the_fields_the_policy_categorises(
    store_env, tmp_path: Path, ctx: AccessContext
) -> None:
    """`subjects` opens the vault as the gateway does (the wiring's): a field the policy
    puts in a data category needs no --category, and gets the policy's category."""
    from importlib.resources import files

    example = files("discreet.data").joinpath("discreet.example.yaml").read_text()
    policy = tmp_path / "discreet.yaml"
    policy.write_text(
        example.replace(
            "order_items, delivery_date]", "order_items, delivery_date, loyalty_tier]"
        ).replace(
            "      order_items: plain\n", "      order_items: plain\n      loyalty_tier: plain\n"
        )
    )
    path = tmp_path / "s.jsonl"
    path.write_text('{"subject_ref": "R-1", "loyalty_tier": "gold"}\n')
    env = store_env.environ()
    unknown = runner.invoke(app, ["subjects", "import", str(path)], env=env)  # built-in policy
    assert unknown.exit_code == 2 and "loyalty_tier" in unknown.output
    env["DISCREET_CONFIG"] = str(policy)
    imported = runner.invoke(app, ["subjects", "import", str(path)], env=env)
    assert imported.exit_code == 0, imported.output
    shown = runner.invoke(app, ["subjects", "show", "R-1"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "loyalty_tier" in shown.output and " order " in shown.output
    assert "gold" not in shown.output  # masked


def test_keys_failures_exit_with_their_kind(store_env, tmp_path: Path) -> None:
    env = store_env.environ()
    current = tmp_path / "current.key"
    current.write_text(store_env.master_key.to_base64() + "\n")
    same = runner.invoke(app, ["keys", "rotate", "--new-key-file", str(current)], env=env)
    assert same.exit_code == 2 and "is the current master key" in same.output  # bad input
    garbled = tmp_path / "garbled.key"
    garbled.write_text("not a key\n")
    bad = runner.invoke(app, ["keys", "rotate", "--new-key-file", str(garbled)], env=env)
    assert bad.exit_code == 2 and "--new-key-file" in bad.output
    assert "not a key" not in bad.output  # the file's content is never echoed
    no_key = {**store_env.environ(with_key=False), "DISCREET_MASTER_KEY": None}
    fresh = tmp_path / "fresh.key"
    missing = runner.invoke(app, ["keys", "rotate", "--new-key-file", str(fresh)], env=no_key)
    assert missing.exit_code == 5 and "no master key configured" in missing.output
    unmigrated = {"DISCREET_HOME": str(tmp_path / "empty")}
    status = runner.invoke(app, ["keys", "status"], env=unmigrated)
    assert status.exit_code == 5 and "key store" in status.output  # unavailable


def test_keys_generate_rotate_status(store_env, tmp_path: Path, ctx: AccessContext) -> None:
    store_env.open_vault().put_subject("R-1", {"name": "Anna"}, ctx=ctx)
    env = store_env.environ()
    new_key = tmp_path / "new.key"
    result = runner.invoke(app, ["keys", "rotate", "--new-key-file", str(new_key)], env=env)
    assert result.exit_code == 0, result.output
    new = read_master_key_file(new_key)
    assert new.key_id in result.output
    status = runner.invoke(app, ["keys", "status"], env=env)
    assert "NOT the configured key" in status.output
    # The old key no longer starts anything; the new one reads the data.
    result = runner.invoke(app, ["subjects", "erase", "R-1", "--yes"], env=env)
    assert result.exit_code == 5 and "retired key" in result.output  # unavailable
    assert store_env.open_vault(master_key=new).get_subject("R-1", ctx=ctx).fields == {
        "name": "Anna"
    }
    generated = tmp_path / "gen.key"
    assert runner.invoke(app, ["keys", "generate", "--out", str(generated)]).exit_code == 0
    again = runner.invoke(app, ["keys", "generate", "--out", str(generated)])
    assert again.exit_code == 4 and "refusing to overwrite" in again.output  # a conflict
