"""/metrics after real turns through the real gateway (no personal data, subject or key
reference in any label; its own token), and the masking log filter with JSON lines."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from tests.api.conftest import BART, MARIEKE, POLICY, make_api
from tests.support.upstream import Script

from discreet.ops.masking import JsonFormatter, MaskingFilter, configure_json_logging
from discreet.ops.metrics import MetricsEndpoint, metrics_router
from discreet.policy import parse_policy

TOKEN = "metrics-token-0123456789abcdef"


def _sample(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


@pytest.fixture
def metered(store_env, recording_upstream, sample_subjects, ctx):
    policy = parse_policy(POLICY, "<test policy>")
    api = make_api(store_env, policy, recording_upstream, sample_subjects, ctx)
    endpoint = MetricsEndpoint(
        api.vault.audit_log.db, tenant=api.vault.tenant, token=TOKEN, from_start=True
    )
    api.client.app.include_router(metrics_router(endpoint))  # as the lead mounts it
    with api.client:
        yield api


def test_metrics_count_turns_and_carry_no_personal_data(metered, sample_subjects) -> None:
    api = metered
    api.upstream.set_default(Script(text="Noted, [PERSON_1]."))
    marieke = sample_subjects[MARIEKE]
    reply = api.chat(f"Hi, I am {marieke['name']}, mail me at {marieke['email']}")
    assert reply.status_code == 200
    # The model tries to leak the other customer's e-mail: blocked by the guard.
    bart = sample_subjects[BART]
    api.upstream.set_default(Script(text=f"Contact {bart['email']} instead."))
    assert api.chat("Who else ordered this?").status_code == 200
    assert api.chat("hello", key="dsk_invalid").status_code == 401
    api.upstream.enqueue(Script.error(503))  # the model is down for one turn
    assert api.chat("Are you there?").status_code >= 500

    assert api.client.get("/metrics").status_code == 401
    assert (
        api.client.get("/metrics", headers={"Authorization": f"Bearer {api.keys['support']}"})
    ).status_code == 401  # an API key is not the metrics token
    scraped = api.client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert scraped.status_code == 200
    text = scraped.text
    assert _sample(text, "discreet_turns_total", outcome="ok") >= 1
    assert _sample(text, "discreet_guard_blocks_total") == 1
    assert (
        _sample(text, "discreet_entities_detected_total", direction="in", type="EMAIL_ADDRESS") >= 1
    )
    assert _sample(text, "discreet_turn_phase_seconds_count", phase="upstream") >= 2
    assert _sample(text, "discreet_audit_chain_ok") == 1
    assert _sample(text, "discreet_upstream_errors_total", reason="upstream_unavailable") == 1
    assert _sample(text, "discreet_turns_total", outcome="refused") == 1

    forbidden = [MARIEKE, BART, *api.keys.values()]
    for fields in sample_subjects.values():
        forbidden += list(fields.values())
    forbidden += [e.subject for e in api.audit() if e.subject]
    forbidden += [
        str(e.details.get("conversation")) for e in api.audit() if e.details.get("conversation")
    ]
    forbidden += [str(e.details.get("key_id")) for e in api.audit() if e.details.get("key_id")]
    for value in set(forbidden):
        assert value not in text, "a value or reference reached /metrics"
    labels = set(re.findall(r'(\w+)="', text))
    assert labels <= {
        "outcome",
        "backend",
        "reason",
        "decision",
        "direction",
        "type",
        "phase",
        "state",
        "kind",
        "le",
    }


def test_metrics_token_must_be_long() -> None:
    with pytest.raises(ValueError, match="16"):
        MetricsEndpoint(None, tenant="t", token="short")  # type: ignore[arg-type]


def test_logging_filter_masks_a_customers_email_everywhere(sample_subjects) -> None:
    email = sample_subjects[MARIEKE]["email"]
    stream = io.StringIO()
    logger = logging.getLogger("discreet.test.masking")
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskingFilter())
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(
            "could not deliver to %s", email, extra={"customer": {"mail": email}, "n": 3}
        )
        try:
            raise RuntimeError(f"bounce from {email}")
        except RuntimeError:
            logger.exception("mail failed")
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert email not in stream.getvalue()
    assert lines[0]["event"] == "could not deliver to <EMAIL_ADDRESS>"
    assert lines[0]["customer"] == {"mail": "<EMAIL_ADDRESS>"} and lines[0]["n"] == 3
    assert set(lines[0]) >= {"ts", "level", "logger", "event"}
    assert "<EMAIL_ADDRESS>" in lines[1]["exception"]


def test_configure_json_logging_covers_uvicorn_loggers(sample_subjects) -> None:
    phone = sample_subjects[MARIEKE]["phone"]
    stream = io.StringIO()
    handler = configure_json_logging(stream=stream)
    try:
        logging.getLogger("uvicorn.error").error("client sent %s", phone)
    finally:
        logging.getLogger().removeHandler(handler)
    assert phone not in stream.getvalue()
    assert json.loads(stream.getvalue().splitlines()[-1])["logger"] == "uvicorn.error"


def test_install_ops_mounts_metrics_and_records_refusals(store_env, ctx) -> None:
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse
    from fastapi.testclient import TestClient

    from discreet.audit.log import AuditLog
    from discreet.ops.wiring import MetricsTokenTooShort, install_ops

    app = FastAPI()

    @app.get("/v1/models")
    def models() -> JSONResponse:
        return JSONResponse({"error": "no key"}, status_code=401)

    db = store_env.data_db()
    recorder = install_ops(
        app,
        db=db,
        tenant="default",
        master=store_env.master_key,
        settings=store_env.settings(metrics_token=TOKEN),
    )
    with TestClient(app) as client:
        for _ in range(25):
            assert client.get("/v1/models").status_code == 401
        assert client.get("/metrics").status_code == 401
        assert (
            client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        )
    recorder.flush(everything=True)
    [record] = [e for e in AuditLog(db).entries() if e.action == "auth.failures"]
    assert record.details["count"] == 26 and str(record.details["address"]).startswith("addr:")
    assert "testclient" not in json.dumps(record.as_dict())  # the address is a digest

    bare = FastAPI()
    unset = store_env.settings(metrics_token=None)
    install_ops(bare, db=db, tenant="default", master=store_env.master_key, settings=unset)
    with TestClient(bare) as client:
        assert client.get("/metrics").status_code == 404  # nothing exposed by default
    with pytest.raises(MetricsTokenTooShort):
        install_ops(
            FastAPI(),
            db=db,
            tenant="default",
            master=store_env.master_key,
            settings=store_env.settings(metrics_token="short"),
        )


def test_phases_open_spans_without_attributes() -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from discreet.telemetry import PhaseTimer

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    timer = PhaseTimer()
    with timer.phase("upstream"):
        pass  # without tracing enabled: no span
    timer.enable_tracing(provider)
    for name in ("prepare", "upstream", "finish"):
        with timer.phase(name):
            pass
    spans = exporter.get_finished_spans()
    assert [s.name for s in spans] == [
        "discreet.turn.prepare",
        "discreet.turn.upstream",
        "discreet.turn.finish",
    ]
    assert all(not s.attributes for s in spans)
