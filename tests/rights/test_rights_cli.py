"""`discreet consent ...` and `discreet rights ...` against real stores."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.conftest import StoreEnv
from tests.consent.fakes import FakeClock
from tests.rights.conftest import ALICE, BOB
from typer.testing import CliRunner

from discreet.audit import AccessContext
from discreet.cli import app
from discreet.rights import RequestKind, RightsService
from discreet.vault import SubjectNotFound, Vault
from discreet.vault.keystore import KeyKind
from discreet.wiring import vault_holders

runner = CliRunner()


class Cli:
    """Runs the CLI against the test's stores; `__call__` acts as operator "dpo-cli"."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __call__(self, *args: str) -> tuple[int, str]:
        return self.plain(*args, "--actor", "dpo-cli")

    def plain(self, *args: str) -> tuple[int, str]:
        result = runner.invoke(app, list(args), env=self.env)
        return result.exit_code, result.output


@pytest.fixture
def cli(store_env: StoreEnv, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Cli:
    monkeypatch.chdir(tmp_path)  # no local discreet.yaml: the built-in policy
    monkeypatch.delenv("DISCREET_POLICY", raising=False)
    return Cli(store_env.environ())


def _request_id(output: str) -> str:
    match = re.search(r"dsr_[0-9a-f]+", output)
    assert match, output
    return match.group(0)


def test_consent_grant_withdraw_show(cli: Cli, filled_vault: Vault) -> None:
    code, out = cli("consent", "grant", ALICE, "analytics", "--notice-version", "2027-01")
    assert code == 0, out
    assert out.startswith("granted: analytics for subject sub_")
    code, out = cli(
        "consent",
        "withdraw",
        ALICE,
        "analytics",
        "--notice-version",
        "2027-01",
        "--channel",
        "phone",
    )
    assert code == 0 and out.startswith("withdrawn: analytics")
    code, out = cli("consent", "show", ALICE, "--json")
    assert code == 0, out
    shown = json.loads(out)
    assert [r["state"] for r in shown["history"]] == ["granted", "withdrawn"]
    assert shown["current"]["analytics"]["channel"] == "phone"
    assert {r["recorded_by"] for r in shown["history"]} == {"dpo-cli"}
    code, out = cli("consent", "grant", ALICE, "marketing", "--notice-version", "v1")
    assert code == 2 and "unknown purpose 'marketing'" in out
    code, out = cli("consent", "show", "CUST-00000")
    assert code == 3 and "CUST-00000" not in out  # NotFound


def test_access_and_erasure_through_the_cli(
    cli: Cli, filled_vault: Vault, tmp_path: Path, sample_subjects: dict[str, dict[str, str]]
) -> None:
    code, out = cli("rights", "submit", ALICE, "access", "--channel", "email")
    assert code == 0, out
    access = _request_id(out)
    code, out = cli("rights", "execute", access, "--ref", ALICE, "--out", "x.zip")
    assert code == 4 and "verified first" in out  # Conflict
    assert cli("rights", "verify", access)[0] == 0
    archive = tmp_path / "alice.zip"
    code, out = cli("rights", "execute", access, "--ref", ALICE, "--out", str(archive))
    assert code == 0, out
    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as zf:
        data = json.loads(zf.read("subject.json"))
    assert data["profile"]["iban"]["value"] == sample_subjects[ALICE]["iban"]
    assert sample_subjects[ALICE]["iban"] not in out  # the values go to the file only

    bob = filled_vault.subject_id(BOB, ctx=_ctx())
    code, out = cli("rights", "submit", BOB, "erasure")
    erase = _request_id(out)
    cli("rights", "verify", erase)
    code, out = cli("rights", "hold", "--ref", BOB, "--reason", "tax audit")
    assert code == 0 and out.startswith("hold 1 set on the subject sub_")
    code, out = cli("rights", "execute", erase, "--ref", BOB)
    assert code == 3 and "hold 1 on the subject" in out
    assert cli.plain("rights", "holds")[1].startswith("1  subject sub_")
    assert cli("rights", "release", "1")[0] == 0
    code, out = cli("rights", "execute", erase, "--ref", BOB)
    assert code == 0, out
    assert '"subject_records": {' in out
    # Crypto-shredded: Bob's data key is gone from the key store.
    assert filled_vault.key_store.get(filled_vault.tenant, KeyKind.SUBJECT, bob) is None
    with pytest.raises(SubjectNotFound):
        filled_vault.get_subject(BOB, ctx=_ctx())
    code, out = cli.plain("rights", "show", erase)
    assert json.loads(out)["state"] == "completed"


def test_rectify_restrict_reject_extend_and_overdue(cli: Cli, filled_vault: Vault) -> None:
    code, out = cli("rights", "submit", ALICE, "rectification")
    rectify = _request_id(out)
    cli("rights", "verify", rectify)
    code, out = cli(
        "rights", "execute", rectify, "--ref", ALICE, "--set", "city=Deventer", "--unset", "phone"
    )
    assert code == 0, out
    view = filled_vault.get_subject(ALICE, ctx=_ctx())
    assert view.fields["city"] == "Deventer" and "phone" not in view.fields

    code, out = cli("rights", "submit", ALICE, "restriction")
    restrict = _request_id(out)
    cli("rights", "verify", restrict)
    assert cli("rights", "execute", restrict, "--ref", ALICE)[0] == 0
    code, out = cli.plain("consent", "show", ALICE)
    assert "restriction of all processing (in force)" in out
    assert cli("rights", "lift", restrict) == (0, "lifted 1 processing limit(s)\n")

    code, out = cli("rights", "submit", BOB, "objection", "--scope", "analytics")
    objection = _request_id(out)
    code, out = cli("rights", "reject", objection, "--reason", "no such processing")
    assert code == 0 and "rejected" in out and "no such processing" in out
    code, out = cli("rights", "extend", rectify, "--reason", "x")
    assert code == 4 and "completed" in out

    assert cli.plain("rights", "overdue") == (0, "no overdue requests\n")
    # A request received long ago (a fake clock at intake) is overdue today.
    then = FakeClock(datetime(2020, 1, 6, tzinfo=UTC))
    old = RightsService(filled_vault, holders=vault_holders(filled_vault, clock=then), clock=then)
    late = old.submit(BOB, RequestKind.ACCESS, channel="post", ctx=_ctx())
    code, out = cli.plain("rights", "overdue")
    assert code == 1 and late.id in out and "due 2020-02-06" in out
    code, out = cli.plain("rights", "list", "--state", "completed")
    assert rectify in out and restrict in out and late.id not in out


def _ctx() -> AccessContext:
    return AccessContext(actor="test", purpose="test", legal_basis="legal_obligation")  # type: ignore[arg-type]
