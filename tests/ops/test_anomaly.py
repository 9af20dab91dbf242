"""Anomaly signals: each raised above its baseline and not below it, with seeded traffic
and explicit times; alert storage, acknowledgement and delivery to a real loopback
webhook server and a real loopback SMTP server."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from sqlalchemy import update
from tests.consent.fakes import FakeClock

from discreet.audit.log import AuditLog
from discreet.errors import Conflict
from discreet.ops.alerts import AlertStore, Delivery
from discreet.ops.anomaly import AnomalyConfig, AnomalyDetector
from discreet.ops.authwatch import AuthFailureRecorder
from discreet.ops.incidents import IncidentRegister, Kind, Severity
from discreet.policy import PolicyError
from discreet.policy.loader import parse_policy
from discreet.policy.models import AlertsSpec
from discreet.store.models import AuditRecord, table_of

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday morning
WINDOW = timedelta(minutes=10)


@dataclass
class Entry:
    """The attributes of an audit entry that detection reads."""

    ts: str
    action: str
    actor: str
    actor_kind: str = "assistant"
    subject: str | None = None
    outcome: str = "ok"
    details: dict[str, Any] = field(default_factory=dict)


def at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def turns(start: datetime, key: str, subjects: range, **details: Any) -> list[Entry]:
    return [
        Entry(
            at(start + timedelta(seconds=i)),
            "gateway.turn",
            "support",
            subject=f"subj-{s}",
            details={"key_id": key, **details},
        )
        for i, s in enumerate(subjects)
    ]


@pytest.fixture
def detector(store_env) -> AnomalyDetector:
    clock = FakeClock(T0)
    return AnomalyDetector(store_env.data_db(), tenant="default", clock=clock)


def warm(detector: AnomalyDetector, key: str = "k1", per_window: int = 20, windows: int = 30):
    """`windows` normal windows of `per_window` distinct subjects each."""
    entries: list[Entry] = []
    for w in range(windows):
        start = T0 + w * WINDOW
        entries += turns(start, key, range(w * 7, w * 7 + per_window + (w % 5)))
    end = T0 + windows * WINDOW
    assert detector.process(entries, now=end) == []
    return end


def test_a_key_sweeping_customers_is_raised_and_normal_variation_is_not(detector) -> None:
    start = warm(detector)
    normal = turns(start, "k1", range(1000, 1026))  # a busy but ordinary window
    assert detector.process(normal, now=start + WINDOW) == []
    sweep = turns(start + WINDOW, "k1", range(5000, 5200))
    # Raised minutes into the window, before it is complete.
    [alert] = detector.process(sweep, now=start + WINDOW + timedelta(minutes=4))
    assert alert.signal == "subject_reads" and alert.actor == "key:k1"
    assert alert.value == 200 and alert.baseline == pytest.approx(22, abs=3)
    assert "200 distinct subjects" in alert.reason
    # Seen again in a later run over the same window: no second alert.
    assert detector.process(sweep, now=start + 2 * WINDOW) == []


def test_new_actor_is_judged_against_the_cold_floor(detector) -> None:
    assert detector.process(turns(T0, "new", range(50)), now=T0 + WINDOW) == []
    [alert] = detector.process(turns(T0 + WINDOW, "new", range(61)), now=T0 + 2 * WINDOW)
    assert alert.actor == "key:new" and "above 60.0" in alert.reason


def test_baselines_survive_a_new_detector(detector, store_env) -> None:
    start = warm(detector)
    again = AnomalyDetector(store_env.data_db(), tenant="default", clock=FakeClock(start))
    assert again.done_until == start
    assert again.baselines["subject_reads|key:k1"].n == 30
    assert again.process(turns(start, "k1", range(200)), now=start + WINDOW)


def _blocks(start: datetime, n: int, key: str = "k1") -> list[Entry]:
    return [
        Entry(
            at(start + timedelta(seconds=i)),
            "incident.cross_subject_leak",
            "support",
            details={"key_id": key},
        )
        for i in range(n)
    ]


def test_guard_blocks_burst(detector) -> None:
    start = warm(detector)
    assert detector.process(_blocks(start, 2), now=start + WINDOW) == []
    [alert] = detector.process(_blocks(start + WINDOW, 4), now=start + 2 * WINDOW)
    assert alert.signal == "guard_blocks" and alert.value == 4
    assert alert.severity == "critical" and "leaking" in alert.reason
    # The leak goes on in the next windows: still one alert (one episode), until acked.
    assert detector.process(_blocks(start + 2 * WINDOW, 5), now=start + 3 * WINDOW) == []
    detector.alerts.ack(alert.id, actor="sec")
    [again] = detector.process(_blocks(start + 3 * WINDOW, 5), now=start + 4 * WINDOW)
    assert again.signal == "guard_blocks"


def test_guard_signals_against_the_keys_baseline(detector) -> None:
    start = T0
    # Normally one injection signal now and then from this key...
    for w in range(12):
        window = start + w * WINDOW
        assert (
            detector.process(
                turns(window, "k2", range(w, w + 1 + w % 2), signals="prompt_injection"),
                now=window + WINDOW,
            )
            == []
        )
    later = start + 12 * WINDOW
    # ...then a client probing: six turns with signals and withheld values.
    burst = turns(later, "k2", range(6), signals="prompt_injection,data_fishing", withheld=1)
    [alert] = detector.process(burst, now=later + WINDOW)
    assert alert.signal == "guard_events" and alert.value == 6 * 3


def test_off_hours_exports(detector) -> None:
    saturday_night = datetime(2026, 11, 7, 2, 0, tzinfo=UTC)
    exports = [
        Entry(
            at(saturday_night + timedelta(seconds=i)),
            "subject.read",
            "alice",
            actor_kind="user",
            subject=f"s{i}",
        )
        for i in range(6)
    ]
    raised = detector.process(exports, now=saturday_night + WINDOW)
    assert [a.signal for a in raised] == ["exports_off_hours"]
    assert raised[0].actor == "user:alice"
    tuesday = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
    same = [
        Entry(
            at(tuesday + timedelta(seconds=i)),
            "subject.read",
            "alice",
            actor_kind="user",
            subject=f"s{i}",
        )
        for i in range(6)
    ]
    assert detector.process(same, now=tuesday + WINDOW) == []


def test_off_hours_follow_the_configured_zone(store_env) -> None:
    # 06:30 UTC on a Monday is 07:30 in Amsterdam (working hours) but 01:30 in New York.
    monday = datetime(2026, 11, 9, 6, 30, tzinfo=UTC)
    exports = [
        Entry(
            at(monday + timedelta(seconds=i)),
            "subject.read",
            "bob",
            actor_kind="user",
            subject=f"s{i}",
        )
        for i in range(6)
    ]
    for tz, expected in (("Europe/Amsterdam", 0), ("America/New_York", 1)):
        det = AnomalyDetector(store_env.data_db(), tenant=f"t-{tz}", config=AnomalyConfig(tz=tz))
        assert len(det.process(exports, now=monday + WINDOW)) == expected


def test_repeated_refusals_from_one_address(detector, store_env) -> None:
    log = AuditLog(store_env.data_db())
    recorder = AuthFailureRecorder(log, tenant="default", key=b"k" * 32)
    now = T0.timestamp()
    for _ in range(25):
        recorder.record("203.0.113.9", 401, now)
    for _ in range(10):
        recorder.record("198.51.100.7", 403, now)
    assert recorder.flush(now) == 0  # the minute is not over yet
    assert recorder.flush(now + 60) == 2
    entries = [e for e in log.entries() if e.action == "auth.failures"]
    assert "203.0.113.9" not in json.dumps([e.as_dict() for e in entries])
    # The audit log stamps real time; shift the entries to the detector's clock.
    shifted = [
        Entry(at(T0), e.action, e.actor, e.actor_kind, e.subject, e.outcome, dict(e.details))
        for e in entries
    ]
    [alert] = detector.process(shifted, now=T0 + WINDOW)
    assert alert.signal == "auth_failures" and alert.actor.startswith("addr:")
    assert alert.value == 25


def test_failed_chain_verification_and_overdue_incident_raise(store_env) -> None:
    db = store_env.data_db()
    log = AuditLog(db)
    from discreet.audit import AccessContext, ActorKind, LegalBasis
    from discreet.audit.context import Outcome
    from discreet.audit.log import AuditEvent

    ctx = AccessContext(
        actor="a", purpose="p", legal_basis=LegalBasis.CONTRACT, actor_kind=ActorKind.USER
    )
    for _ in range(3):
        log.append(AuditEvent(ctx=ctx, tenant="default", action="subject.read", outcome=Outcome.OK))
    now = datetime.now(UTC)
    det = AnomalyDetector(db, tenant="default", clock=FakeClock(now))
    assert det.run() == []
    with db.begin() as conn:
        conn.execute(
            update(table_of(AuditRecord)).where(table_of(AuditRecord).c.seq == 2).values(actor="x")
        )
    register = IncidentRegister(db, tenant="default", clock=FakeClock(now))
    register.open(
        title="t",
        kind=Kind.CONFIDENTIALITY,
        severity=Severity.HIGH,
        actor="dpo",
        aware_at=now - timedelta(hours=73),
    )
    raised = {a.signal: a for a in det.run()}
    assert set(raised) == {"audit_chain", "incident_overdue"}
    assert raised["audit_chain"].severity == "critical"


def test_alerts_ack_and_list(detector, store_env) -> None:
    start = warm(detector)
    [alert] = detector.process(turns(start, "k1", range(300)), now=start + WINDOW)
    store = AlertStore(store_env.data_db(), tenant="default")
    assert store.count_open() == 1
    store.ack(alert.id, actor="sec")
    assert store.list() == [] and store.list(open_only=False)[0].acked_by == "sec"
    with pytest.raises(Conflict):
        store.ack(alert.id, actor="sec")


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        body = json.loads(self.rfile.read(length))
        body["_authorization"] = self.headers.get("Authorization")
        _Hook.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook():
    _Hook.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", _Hook.received
    server.shutdown()
    server.server_close()


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    class Inbox(Message):
        def __init__(self) -> None:
            super().__init__()
            self.messages: list[Any] = []

        def handle_message(self, message: Any) -> None:
            self.messages.append(message)

    inbox = Inbox()
    with socket.socket() as probe:  # a free port (the controller needs a real one)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, inbox
    controller.stop()


def _alerts_policy(text: str) -> AlertsSpec:
    """The `alerts` section of a policy file, parsed as `discreet alerts check` reads it."""
    return parse_policy(f"version: 1\ntenant: t\n{text}").alerts


@pytest.mark.parametrize("shape", ["json", "slack", "teams"])
def test_delivery_to_a_webhook_and_by_mail(
    detector, webhook, smtp_server, shape, monkeypatch
) -> None:
    start = warm(detector)
    [alert] = detector.process(turns(start, "k1", range(300)), now=start + WINDOW)
    url, received = webhook
    controller, inbox = smtp_server
    spec = _alerts_policy(
        f"""alerts:
  webhooks:
    - url: {url}
      shape: {shape}
      token_env: HOOK_TOKEN
  email:
    smtp_host: 127.0.0.1
    smtp_port: {controller.port}
    from: discreet@example.test
    to: [security@example.test, oncall@example.test]
"""
    )
    monkeypatch.setenv("HOOK_TOKEN", "s3cret-token")
    delivery = Delivery(spec)
    done, failed = delivery.send(alert)
    assert done == ["webhook1", "email"] and failed == []
    [body] = received
    assert body.pop("_authorization") == "Bearer s3cret-token"
    if shape == "slack":
        assert "subject_reads" in body["text"] and body["blocks"]
    elif shape == "teams":
        assert body["@type"] == "MessageCard" and "subject_reads" in body["title"]
    else:
        assert body["alert"]["signal"] == "subject_reads" and body["alert"]["value"] == 300
    [mail] = inbox.messages
    assert "subject_reads" in mail["Subject"]
    assert mail["To"] == "security@example.test, oncall@example.test"
    text = json.dumps(body) + mail.get_payload()
    assert "subj-" not in text  # no subject ids leave the system


def test_a_webhook_url_from_the_environment_and_a_missing_secret(
    detector, webhook, monkeypatch
) -> None:
    start = warm(detector)
    [alert] = detector.process(turns(start, "k1", range(300)), now=start + WINDOW)
    url, received = webhook
    spec = _alerts_policy(
        "alerts:\n  webhooks:\n    - url_env: HOOK_URL\n      shape: slack\n"
        "    - url_env: OTHER_URL\n"
    )
    monkeypatch.setenv("HOOK_URL", url)
    monkeypatch.delenv("OTHER_URL", raising=False)
    done, failed = Delivery(spec).send(alert)
    assert done == ["webhook1"] and len(received) == 1
    assert failed == ["webhook2: environment variable OTHER_URL is not set"]


@pytest.mark.parametrize(
    ("section", "where", "message"),
    [
        ("webhooks:\n    - shape: json", "alerts.webhooks[0]", "exactly one of url and url_env"),
        ("webhooks:\n    - url: ftp://x\n", "alerts.webhooks[0].url", "http:// or https://"),
        (
            "webhooks:\n    - url: https://h.example/x\n      token_env: xoxb-12/34",
            "alerts.webhooks[0].token_env",
            "name of an environment variable, not the secret",
        ),
        ("webhooks:\n    - url: https://h.example/x\n      shape: discord", "shape", "json"),
        ("email:\n    smtp_host: m\n    to: []", "alerts.email.to", "at least 1"),
        (
            "email:\n    smtp_host: m\n    to: [a@b.c]\n    user: u",
            "alerts.email",
            "user and password_env together",
        ),
        ("pager: 1", "alerts.pager", "unknown key 'pager'"),
    ],
)
def test_a_bad_alerts_section_is_a_clear_policy_error(section, where, message) -> None:
    with pytest.raises(PolicyError) as caught:
        _alerts_policy(f"alerts:\n  {section}\n")
    text = "; ".join(caught.value.messages())
    assert where in text and message in text, text
    assert "xoxb" not in text  # a pasted secret is not echoed back


def test_alerts_check_refuses_a_bad_policy_before_reading(cli, store_env, tmp_path) -> None:
    policy = tmp_path / "discreet.yaml"
    policy.write_text("version: 1\ntenant: t\nalerts:\n  webhooks:\n    - shape: teams\n")
    result = cli(["alerts", "check", "--config", str(policy)], store_env.environ())
    assert result.exit_code == 2, result.output
    assert "alerts.webhooks[0]" in result.output and "url_env" in result.output


def test_a_failing_channel_is_reported_not_raised(detector) -> None:
    start = warm(detector)
    [alert] = detector.process(turns(start, "k1", range(300)), now=start + WINDOW)
    spec = _alerts_policy(
        "alerts:\n  timeout_s: 2\n  webhooks:\n    - url: http://127.0.0.1:9/nothing\n"
    )
    done, failed = Delivery(spec).send(alert)
    assert done == [] and failed and failed[0].startswith("webhook1:")


def test_simulated_week_raises_every_attack_within_minutes(tmp_path) -> None:
    """Two seeded normal days, then the attacks: each raised within 10 minutes of its
    start, and at most one false alert per normal day (BENCHMARKS.md has the full week)."""
    from discreet.ops.simulation import simulate
    from discreet.store import DATA, Database, upgrade

    db = Database(f"sqlite:///{tmp_path / 'sim.db'}", name="data store")
    upgrade(db, DATA)
    try:
        result = simulate(db, seed=3, normal_days=2, interval_minutes=2)
    finally:
        db.dispose()
    for attack, minutes in result.time_to_raise.items():
        assert minutes is not None and minutes <= 10, f"{attack}: {minutes}"
    assert result.false_alerts_per_day <= 1


def test_an_alert_opens_an_incident_once(detector, store_env) -> None:
    start = warm(detector)
    [alert] = detector.process(turns(start, "k1", range(300)), now=start + WINDOW)
    register = IncidentRegister(
        store_env.data_db(), tenant="default", clock=FakeClock(start + WINDOW)
    )
    incident = register.open_from_alert(alert, actor="sec")
    assert incident.source == "alert" and incident.source_ref == f"alert:{alert.id}"
    assert incident.severity == Severity.HIGH and incident.aware_at == alert.raised_at
    with pytest.raises(Conflict, match="already has incident"):
        register.open_from_alert(alert, actor="sec")
