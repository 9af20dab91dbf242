"""RoPA and DPIA (golden structure, numbers matching the store, PDF rendering) and the
evidence pack (signed manifest; a tampered file, an edited manifest, an added file and a
wrong master key are all caught)."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.api.conftest import POLICY

from discreet.audit import AccessContext, ActorKind, LegalBasis
from discreet.audit.context import Outcome
from discreet.audit.log import AuditEvent, AuditLog
from discreet.console import activity, totp
from discreet.console.accounts import AccountStore
from discreet.console.roles import Role
from discreet.errors import InvalidInput
from discreet.ops import facts
from discreet.ops.evidence import build_pack, verify_pack
from discreet.ops.incidents import IncidentRegister, Kind, Severity
from discreet.ops.reports import detection_figures, dpia_html, html_to_pdf, ropa_html
from discreet.policy import BUILTIN_SOURCE, builtin_policy_text, parse_policy
from discreet.store.models import table_of
from discreet.store.retention_models import RetentionRunRow
from discreet.vault import MasterKey

REPO = Path(__file__).resolve().parents[2]


def _sections(html: str) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", html)


def test_period_parsing() -> None:
    q4 = facts.parse_period("2026-Q4")
    assert (q4.start, q4.end) == (
        datetime(2026, 10, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert facts.parse_period("2026-02").end == datetime(2026, 3, 1, tzinfo=UTC)
    assert facts.parse_period("2026").end == datetime(2027, 1, 1, tzinfo=UTC)
    for bad in ("2026-Q5", "2026-13", "Q4", "2026/11"):
        with pytest.raises(InvalidInput, match="--period"):
            facts.parse_period(bad)


def test_ropa_has_every_section_and_assistant_of_the_policy() -> None:
    policy = parse_policy(builtin_policy_text(), BUILTIN_SOURCE)
    html = ropa_html(policy)
    assert [s.split(". ", 1)[0] for s in _sections(html)] == ["1", "2", "3", "4", "5", "6"]
    for assistant in policy.assistants:
        assert f"<b>{assistant}</b>" in html
    for name, purpose in policy.purposes.items():
        if any(name in a.purposes for a in policy.assistants.values()):
            assert f"{name} ({purpose.legal_basis})" in html
    assert "special (art. 9)" in html and "health" in html
    assert "TO COMPLETE" in html  # the controller's contact is for a person to fill in
    # The example policy's upstream is the embedded assistant or a named processor.
    assert ("Embedded assistant" in html) or ("processor (art. 28)" in html)


def test_ropa_escapes_policy_text() -> None:
    text = POLICY.replace(
        "  support:\n    purposes: [customer_support]",
        "  support:\n    description: <script>alert(1)</script>\n    purposes: [customer_support]",
    )
    html = ropa_html(parse_policy(text, "<t>"))
    assert "<script>" not in html and "&lt;script&gt;" in html


def _ctx() -> AccessContext:
    return AccessContext(
        actor="support",
        purpose="customer_support",
        legal_basis=LegalBasis.CONTRACT,
        actor_kind=ActorKind.ASSISTANT,
    )


def _fill(store_env) -> None:
    """Five turns (one with two withheld values), one guard block, one refusal, one
    incident and one retention run, all now."""
    db = store_env.data_db()
    log = AuditLog(db)
    for i in range(5):
        log.append(
            AuditEvent(
                ctx=_ctx(),
                tenant="default",
                action="gateway.turn",
                outcome=Outcome.OK,
                subject=f"subj-{i}",
                details={
                    "key_id": "k1",
                    "guard": "pass" if i else "withheld",
                    "withheld": 0 if i else 2,
                    "entities_in": "EMAIL_ADDRESS",
                    "handoff": "customer_asked" if i == 4 else "",
                },
            )
        )
    log.append(
        AuditEvent(
            ctx=_ctx(),
            tenant="default",
            action="incident.cross_subject_leak",
            outcome=Outcome.DENIED,
            subject="subj-0",
            details={"key_id": "k1"},
        )
    )
    log.append(
        AuditEvent(
            ctx=_ctx(),
            tenant="default",
            action="gateway.turn",
            outcome=Outcome.DENIED,
            details={"key_id": "k1", "status": 403, "reason": "consent_required"},
        )
    )
    IncidentRegister(db, tenant="default").open(
        title="Guard block", kind=Kind.CONFIDENTIALITY, severity=Severity.MEDIUM, actor="dpo"
    )
    now = datetime.now(UTC)
    with db.begin() as conn:
        conn.execute(
            table_of(RetentionRunRow).insert(),
            {
                "tenant": "default",
                "started_at": now - timedelta(seconds=5),
                "finished_at": now,
                "dry_run": False,
                "actor": "retention",
                "counts": json.dumps({"transcripts": {"deleted": 7, "held": 1}}),
            },
        )


def _this_month() -> facts.Period:
    return facts.parse_period(f"{datetime.now(UTC):%Y-%m}")


def test_dpia_numbers_match_the_store(store_env) -> None:
    _fill(store_env)
    db = store_env.data_db()
    period = _this_month()
    audit = facts.audit_facts(db, period)
    assert audit["turns"] == 5 and audit["refused_turns"] == 1
    assert audit["guard_blocks"] == 1 and audit["values_withheld"] == 2
    assert audit["guard_decisions"] == {"pass": 4, "withheld": 1}
    html = dpia_html(
        parse_policy(POLICY, "<t>"),
        period,
        audit=audit,
        requests=facts.requests_facts(db, "default", period),
        retention_runs=facts.retention_facts(db, "default", period),
        incidents=facts.incident_facts(db, "default", period),
        detection=detection_figures(REPO / "benchmarks/results/detection_generated.json"),
        weeks=facts.weeks_between(period),
    )
    assert [s.split(" ", 1)[0] for s in _sections(html)] == ["1.", "2.", "3.", "4.", "5."]
    cells = dict(re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", html))
    assert cells["chat turns served"] == "5"
    assert cells["answers blocked as cross-subject leaks"] == "1"
    assert cells["values withheld by the output guard"] == "2"
    assert cells["retention runs / rows deleted"] == "1 / 7"
    assert cells["incidents (aware in or open during the period)"] == "1"
    assert "F2 0.9" in cells["detection quality (last benchmark)"]
    assert html.count("<svg") == 2 and html.count("TO COMPLETE") >= 5
    assert "subj-" not in html


def test_pdf_renders(tmp_path) -> None:
    pdf = html_to_pdf(ropa_html(parse_policy(POLICY, "<t>")))
    assert pdf.startswith(b"%PDF-") and len(pdf) > 2000
    assert pdf.rstrip().endswith(b"%%EOF")


def _pack(store_env, tmp_path: Path, master: MasterKey) -> Path:
    _fill(store_env)
    out = tmp_path / "evidence.zip"
    build_pack(
        out,
        db=store_env.data_db(),
        keys_db=store_env.keys_db(),
        policy=parse_policy(POLICY, "<t>"),
        tenant="default",
        period=_this_month(),
        master=master,
        staff=AccountStore(store_env.data_db()).accounts(),
    )
    return out


def _rewrite(path: Path, change: dict[str, bytes | None]) -> None:
    with zipfile.ZipFile(path) as src:
        items = {n: src.read(n) for n in src.namelist()}
    for name, data in change.items():
        if data is None:
            items.pop(name, None)
        else:
            items[name] = data
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in items.items():
            dst.writestr(name, data)


def test_evidence_pack_contents_and_verification(store_env, tmp_path) -> None:
    master = store_env.master_key
    pack = _pack(store_env, tmp_path, master)
    with zipfile.ZipFile(pack) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        requests = json.loads(archive.read("requests.json"))
        chain = json.loads(archive.read("audit_verification.json"))
        access = json.loads(archive.read("access_review.json"))
        incidents = json.loads(archive.read("incidents.json"))
        everything = b"".join(archive.read(n) for n in names)
    assert {
        "audit_verification.json",
        "key_rotation.json",
        "access_review.json",
        "retention_runs.json",
        "requests.json",
        "incidents.json",
        "config_snapshot.json",
        "summary.html",
        "guard_decisions.svg",
    } <= names
    assert set(manifest["files"]) == names - {"manifest.json", "manifest.sig"}
    assert chain["ok"] is True and chain["records_checked"] == 7
    assert requests["received"] == 0 and len(incidents) == 1
    assert access == {"api_keys": [], "console_users": []}
    assert b"subj-" not in everything  # no subject ids in the pack
    assert verify_pack(pack, master).ok


def test_the_access_review_lists_console_users_with_mfa_and_last_use(store_env, tmp_path) -> None:
    db = store_env.data_db()
    accounts = AccountStore(db)
    dana = accounts.create("dana", Role.PRIVACY_OFFICER, "correct horse battery staple 1")
    accounts.create("sam", Role.AUDITOR, "correct horse battery staple 2")
    accounts.create("old.admin", Role.ADMIN, "correct horse battery staple 3")
    accounts.disable("old.admin")
    secret = totp.new_secret()
    assert accounts.enrol(dana.id, secret, totp.code_at(secret, datetime.now(UTC)))
    log = AuditLog(db)
    for username, action, outcome in (
        ("dana", activity.SIGN_IN, Outcome.OK),
        ("dana", "console.requests.view", Outcome.OK),
        ("sam", activity.SIGN_IN, Outcome.DENIED),  # a failed sign-in is not a sign-in
    ):
        ctx = activity.staff_context(username, activity.OVERSIGHT)
        activity.record(log, "default", ctx, action, outcome=outcome)
    pack = _pack(store_env, tmp_path, store_env.master_key)
    with zipfile.ZipFile(pack) as archive:
        access = json.loads(archive.read("access_review.json"))
        summary = archive.read("summary.html").decode()
    users = {u["username"]: u for u in access["console_users"]}
    assert set(users) == {"dana", "sam", "old.admin"}
    assert users["dana"]["role"] == "privacy_officer" and users["dana"]["mfa_enabled"] is True
    assert users["dana"]["last_sign_in_at"] is not None
    assert users["dana"]["last_used_at"] > users["dana"]["last_sign_in_at"]
    assert users["sam"]["mfa_enabled"] is False
    assert users["sam"]["last_sign_in_at"] is None and users["sam"]["last_used_at"] is None
    assert users["old.admin"]["disabled_at"] is not None
    assert "password" not in json.dumps(access) and secret not in json.dumps(access)
    # Two active accounts, one of them without a second factor: the summary says so.
    assert "console users active / without a second factor</th><td>2 / 1<" in summary


@pytest.mark.parametrize("tamper", ["file", "manifest", "added", "removed", "key"])
def test_tampering_is_caught(store_env, tmp_path, tamper) -> None:
    master = store_env.master_key
    pack = _pack(store_env, tmp_path, master)
    if tamper == "file":
        _rewrite(pack, {"incidents.json": b"[]\n"})
    elif tamper == "manifest":
        with zipfile.ZipFile(pack) as archive:
            manifest = json.loads(archive.read("manifest.json"))
        manifest["files"]["incidents.json"] = "0" * 64
        _rewrite(pack, {"manifest.json": json.dumps(manifest).encode()})
    elif tamper == "added":
        _rewrite(pack, {"extra.txt": b"hello"})
    elif tamper == "removed":
        _rewrite(pack, {"requests.json": None})
    result = verify_pack(pack, MasterKey.generate() if tamper == "key" else master)
    assert not result.ok
    expected = {
        "file": "incidents.json: SHA-256",
        "manifest": "signature",
        "added": "extra.txt: not in the manifest",
        "removed": "requests.json: missing",
        "key": "signature",
    }[tamper]
    assert any(expected in p for p in result.problems), result.problems


def test_cli_reports_and_verify(store_env, tmp_path, cli) -> None:
    _fill(store_env)
    env = {**store_env.environ(), "DISCREET_TENANT": "default"}
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(POLICY)
    out = tmp_path / "ropa.pdf"
    result = cli(["report", "ropa", "-c", str(policy_file), "--format", "pdf", "-o", str(out)], env)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    html = cli(
        ["report", "dpia", "--period", f"{datetime.now(UTC):%Y-%m}", "-c", str(policy_file)], env
    )
    assert html.exit_code == 0 and "Measured facts" in html.output
    bad = cli(["report", "dpia", "--period", "2026-Q7", "-c", str(policy_file)], env)
    assert bad.exit_code == 2 and "--period" in bad.output
    pack = tmp_path / "pack.zip"
    made = cli(
        [
            "report",
            "evidence",
            "--period",
            f"{datetime.now(UTC):%Y}",
            "-o",
            str(pack),
            "-c",
            str(policy_file),
        ],
        env,
    )
    assert made.exit_code == 0, made.output
    assert cli(["report", "verify", str(pack)], env).exit_code == 0
    _rewrite(pack, {"summary.html": b"<p>all fine</p>"})
    tampered = cli(["report", "verify", str(pack)], env)
    assert tampered.exit_code == 1 and "summary.html" in tampered.output
