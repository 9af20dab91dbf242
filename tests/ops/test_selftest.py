"""`discreet selftest`: passes on a healthy set-up, fails on each broken one (a gateway that
passes values through, loose key-file permissions, one database for both stores, a broken
audit chain, a non-loopback listener without TLS)."""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from discreet.api.server import build_app
from discreet.audit import AccessContext, ActorKind, LegalBasis
from discreet.audit.context import Outcome
from discreet.audit.log import AuditEvent, AuditLog
from discreet.ops.selftest import RecordingUpstream, Report, canary_flow, run_selftest, setup_checks
from discreet.policy import parse_policy
from discreet.store.models import AuditRecord, table_of
from discreet.vault.master import write_master_key_file

POLICY = """\
version: 1
tenant: selftest-shop
data_categories:
  identity:
    fields: [name, first_name, last_name]
    types: {name: PERSON, first_name: PERSON, last_name: PERSON}
  contact:
    fields: [email, phone]
    types: {email: EMAIL_ADDRESS, phone: PHONE_NUMBER}
  financial:
    fields: [iban]
    types: {iban: IBAN}
purposes:
  customer_support:
    legal_basis: contract
assistants:
  support:
    purposes: [customer_support]
    categories: [identity, contact, financial]
detection:
  ner:
    backend: none
"""


def _statuses(report: Report) -> dict[str, str]:
    return {c.name: c.status for c in report.checks}


def test_healthy_setup_passes(store_env) -> None:
    key_file = store_env.home / "master.key"
    write_master_key_file(key_file)
    for path in store_env.home.glob("keys.db*"):
        os.chmod(path, 0o600)  # as an operator sets it (the check below fails otherwise)
    settings = store_env.settings(master_key_file=key_file)
    report = run_selftest(parse_policy(POLICY, "<t>"), settings, build_app=build_app)
    statuses = _statuses(report)
    assert report.ok, report.render()
    for name in (
        "tokens_rehydrated",
        "foreign_blocked",
        "canary_not_upstream",
        "canary_audit_chain",
        "key_files",
        "audit_chain",
    ):
        assert statuses[name] == "pass", report.render()
    assert "selftest passed" in report.render()


class _PassThrough(BaseHTTPRequestHandler):
    """A broken 'gateway': forwards the customer's text to the upstream unchanged and
    returns whatever the model says."""

    upstream = ""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        reply = httpx.post(
            f"{self.upstream}/chat/completions",
            content=body,
            headers={"Content-Type": "application/json"},
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply.content)))
        self.end_headers()
        self.wfile.write(reply.content)

    def log_message(self, *args: Any) -> None:
        pass


def test_a_gateway_that_passes_values_through_fails() -> None:
    with RecordingUpstream() as upstream:
        _PassThrough.upstream = upstream.base_url
        server = ThreadingHTTPServer(("127.0.0.1", 0), _PassThrough)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            report = Report()
            canary_flow(
                report,
                gateway_url=f"http://127.0.0.1:{server.server_address[1]}",
                api_key="x",
                upstream=upstream,
                own_ref="CANARY-1",
                own={
                    "name": "Lotte Verhoeven",
                    "email": "lotte.v9@voorbeeld.nl",
                    "phone": "+31 6 12345678",
                    "iban": "NL91ABNA0417164300",
                },
                foreign={"email": "b.krueger9@beispiel.de"},
            )
        finally:
            server.shutdown()
            server.server_close()
    statuses = _statuses(report)
    assert statuses["canary_not_upstream"] == "fail"
    assert statuses["foreign_blocked"] == "fail"
    assert statuses["tokens_rehydrated"] == "fail"  # no tokens: nothing was pseudonymised
    assert not report.ok and "FAILED: 3" in report.render()


def test_loose_key_file_fails(store_env) -> None:
    key_file = store_env.home / "master.key"
    write_master_key_file(key_file)
    os.chmod(key_file, 0o644)
    report = Report()
    setup_checks(report, store_env.settings(master_key_file=key_file), None)
    assert _statuses(report)["key_files"] == "fail"


def test_a_world_readable_key_store_file_fails(store_env) -> None:
    if not store_env.is_sqlite:
        pytest.skip("a file check")
    os.chmod(store_env.home / "keys.db", 0o644)
    report = Report()
    setup_checks(report, store_env.settings(), None)
    assert _statuses(report)["key_files"] == "fail"


def test_one_database_for_both_stores_fails(store_env) -> None:
    report = Report()
    setup_checks(report, store_env.settings(keystore_url=store_env.data_url), None)
    assert _statuses(report)["key_store_apart"] == "fail"


def test_broken_audit_chain_fails(store_env) -> None:
    db = store_env.data_db()
    log = AuditLog(db)
    ctx = AccessContext(
        actor="a", purpose="p", legal_basis=LegalBasis.CONTRACT, actor_kind=ActorKind.USER
    )
    for _ in range(2):
        log.append(AuditEvent(ctx=ctx, tenant="default", action="subject.read", outcome=Outcome.OK))
    with db.begin() as conn:
        conn.execute(
            update(table_of(AuditRecord))
            .where(table_of(AuditRecord).c.seq == 1)
            .values(purpose="x")
        )
    report = Report()
    setup_checks(report, store_env.settings(), None)
    assert _statuses(report)["audit_chain"] == "fail"
    assert "seq 1" in next(c.detail for c in report.checks if c.name == "audit_chain")


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("http://gateway.example.com:8000", "fail"),
        ("https://gateway.example.com", "pass"),
        ("http://127.0.0.1:8000", "pass"),
        ("http://[::1]:8000", "pass"),
    ],
)
def test_tls_off_loopback(store_env, url, status) -> None:
    report = Report()
    setup_checks(report, store_env.settings(), url)
    assert _statuses(report)["tls"] == status


def test_cli_exit_status_and_json(store_env, tmp_path, cli) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(POLICY)
    for path in store_env.home.glob("keys.db*"):
        os.chmod(path, 0o600)
    good = cli(["selftest", "-c", str(policy), "--json"], store_env.environ())
    assert good.exit_code == 0, good.output
    assert json.loads(good.output)["ok"] is True
    env = {**store_env.environ(), "DISCREET_KEYSTORE_URL": store_env.data_url}
    bad = cli(["selftest", "-c", str(policy)], env)
    assert bad.exit_code == 1 and "FAIL  key_store_apart" in bad.output
    missing = cli(["selftest", "--gateway", "http://127.0.0.1:1", "-c", str(policy)], env)
    assert missing.exit_code == 2 and "--api-key" in missing.output
