"""``discreet selftest``: canary values through a real gateway, and the set-up checks.

The canary flow runs synthetic customers that look real (a name, an e-mail address, a
phone number, an IBAN; fresh digits each run) through a gateway listening on loopback
HTTP, whose upstream model is a recording server the self-test starts itself:

* ``canary_not_upstream``: none of the canary values reaches the upstream (every request
  it received is searched, system context included);
* ``tokens_rehydrated``: the upstream echoes the tokens it got; the customer receives
  their own values back;
* ``foreign_blocked``: the upstream answers with *another* canary customer's e-mail
  address; the customer never sees it;
* ``audit_chain``: the audit chain of the canary run and of the configured data store
  verify.

Without ``--gateway`` the gateway is built in this process over scratch stores (a
temporary directory, a fresh master key) with the configured policy, so a production
vault never receives canary customers. With ``--gateway URL`` the gateway under test is
a running one: start it (a staging instance) with ``DISCREET_UPSTREAM_URL`` pointing at
``http://127.0.0.1:PORT/v1`` (``--upstream-port``), give an assistant key and the
references of two canary customers imported there.

Set-up checks on the configured installation (read-only):

* ``key_files``: the master key file and a SQLite key store's files are not readable by
  group or others (0600);
* ``key_store_apart``: the key store is not the data store's database (fail) and not in
  the same directory (warning: a file-level backup of that directory holds both);
* ``tls``: the gateway URL uses https unless it is a loopback address.

Each check is ``pass``, ``warn`` or ``fail``; the exit status is 1 when any failed.
"""

from __future__ import annotations

import ipaddress
import json
import re
import secrets
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from discreet.policy import Policy
from discreet.settings import Settings

_TOKEN = re.compile(r"\[[A-Z][A-Z_]*_\d+\]")


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: str  # pass, warn, fail
    detail: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    def add(self, name: str, ok: bool | None, detail: str) -> None:
        status = "warn" if ok is None else ("pass" if ok else "fail")
        self.checks.append(Check(name, status, detail))

    @property
    def ok(self) -> bool:
        return all(c.status != "fail" for c in self.checks)

    def render(self) -> str:
        width = max((len(c.name) for c in self.checks), default=0)
        lines = [f"{c.status.upper():<4}  {c.name:<{width}}  {c.detail}" for c in self.checks]
        failed = sum(c.status == "fail" for c in self.checks)
        lines.append("selftest passed" if self.ok else f"selftest FAILED: {failed} check(s) failed")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": [asdict(c) for c in self.checks]}


def canary_customers() -> dict[str, dict[str, str]]:
    """Two synthetic customers with realistic, fresh values."""
    n = secrets.randbelow(9000) + 1000
    return {
        f"CANARY-{n}-A": {
            "first_name": "Lotte",
            "last_name": "Verhoeven",
            "name": "Lotte Verhoeven",
            "email": f"lotte.verhoeven{n}@voorbeeld.nl",
            "phone": f"+31 6 {n}{secrets.randbelow(9000) + 1000}",
            "iban": "NL91ABNA0417164300",
            "customer_number": f"CN-{n}-41",
        },
        f"CANARY-{n}-B": {
            "first_name": "Bastian",
            "last_name": "Krüger",
            "name": "Bastian Krüger",
            "email": f"b.krueger{n}@beispiel.de",
            "phone": f"+49 151 {n}{secrets.randbelow(9000) + 1000}",
            "iban": "DE89370400440532013000",
            "customer_number": f"CN-{n}-77",
        },
    }


class RecordingUpstream:
    """A loopback OpenAI-compatible model: records each request body; answers with what
    `reply` returns for the request (non-streaming and streaming)."""

    def __init__(self, port: int = 0) -> None:
        self.received: list[str] = []
        self.reply: Callable[[dict[str, Any]], str] = lambda body: "OK"
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                outer.received.append(raw.decode("utf-8", "replace"))
                body = json.loads(raw or b"{}")
                text = outer.reply(body)
                if body.get("stream"):
                    chunk = {
                        "id": "c1",
                        "object": "chat.completion.chunk",
                        "created": 0,
                        "model": "canary",
                        "choices": [
                            {"index": 0, "delta": {"content": text}, "finish_reason": None}
                        ],
                    }
                    payload = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()
                    content_type = "text/event-stream"
                else:
                    payload = json.dumps(
                        {
                            "id": "c1",
                            "object": "chat.completion",
                            "created": 0,
                            "model": "canary",
                            "choices": [
                                {
                                    "index": 0,
                                    "message": {"role": "assistant", "content": text},
                                    "finish_reason": "stop",
                                }
                            ],
                            "usage": {
                                "prompt_tokens": 1,
                                "completion_tokens": 1,
                                "total_tokens": 2,
                            },
                        }
                    ).encode()
                    content_type = "application/json"
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass  # requests carry (pseudonymised) customer text: no log lines

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> RecordingUpstream:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _last_user_text(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages", [])):
        if message.get("role") == "user":
            content = message.get("content")
            return content if isinstance(content, str) else json.dumps(content)
    return ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _serve(app: Any) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the canary gateway did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _pick_assistant(policy: Policy) -> tuple[str, str] | None:
    """An assistant and purpose that need no consent record and see e-mail addresses."""
    for name, spec in policy.assistants.items():
        for purpose in spec.purposes:
            if not policy.requires_consent(purpose) and "email" in policy.allowed_fields(
                name, purpose
            ):
                return name, purpose
    for name, spec in policy.assistants.items():
        for purpose in spec.purposes:
            if not policy.requires_consent(purpose):
                return name, purpose
    return None


def canary_flow(
    report: Report,
    *,
    gateway_url: str,
    api_key: str,
    upstream: RecordingUpstream,
    own_ref: str,
    own: dict[str, str],
    foreign: dict[str, str],
    purpose: str | None = None,
) -> None:
    """The three canary checks against a gateway whose upstream is `upstream`."""
    headers = {"Authorization": f"Bearer {api_key}", "X-Discreet-Subject": own_ref}
    if purpose:
        headers["X-Discreet-Purpose"] = purpose
    message = (
        f"Hello, this is {own['name']}. Please send the invoice to {own['email']}, "
        f"call me on {own['phone']} and refund to {own['iban']}."
    )
    # The model echoes the tokens it received: the customer should get their values back.
    upstream.reply = lambda body: "Noted: " + " ".join(_TOKEN.findall(_last_user_text(body)))
    with httpx.Client(base_url=gateway_url, timeout=60) as client:
        # The model name the key may request (its assistant's): others are 404.
        listed = client.get("/v1/models", headers=headers)
        model = listed.json()["data"][0]["id"] if listed.status_code == 200 else "canary"
        first = client.post(
            "/v1/chat/completions",
            json={"model": model, "messages": [{"role": "user", "content": message}]},
            headers=headers,
        )
        answer = (
            first.json()["choices"][0]["message"]["content"] if first.status_code == 200 else ""
        )
        conversation = first.headers.get("x-discreet-conversation")
        report.add(
            "tokens_rehydrated",
            first.status_code == 200 and own["email"] in answer,
            f"HTTP {first.status_code}; the customer's own e-mail "
            + ("came back" if own["email"] in answer else "did NOT come back"),
        )
        # The model turns adversarial: another customer's e-mail in the answer.
        upstream.reply = lambda body: f"You could also ask {foreign['email']} about it."
        if conversation:
            headers["X-Discreet-Conversation"] = conversation
        second = client.post(
            "/v1/chat/completions",
            json={"model": model, "messages": [{"role": "user", "content": "Anyone else?"}]},
            headers=headers,
        )
        leaked = foreign["email"] in second.text
        report.add(
            "foreign_blocked",
            second.status_code == 200 and not leaked,
            f"HTTP {second.status_code}; another customer's e-mail "
            + ("REACHED the customer" if leaked else "was kept from the customer"),
        )
    checked = (
        ("e-mail", own["email"]),
        ("phone", own["phone"]),
        ("IBAN", own["iban"]),
        ("name", own["name"]),
    )
    reached = [kind for kind, value in checked if any(value in body for body in upstream.received)]
    report.add(
        "canary_not_upstream",
        bool(upstream.received) and not reached,
        f"{len(upstream.received)} upstream request(s); "
        + (f"RAW VALUES REACHED IT: {', '.join(reached)}" if reached else "no raw canary value")
        + f" ({len(checked)} values checked)",
    )


def setup_checks(report: Report, settings: Settings, gateway_url: str | None) -> None:
    from sqlalchemy.engine import make_url

    from discreet.store import DATA, Database, ensure_current
    from discreet.store.errors import StorageError

    loose = []
    key_file = settings.master_key_file
    if key_file is not None and key_file.exists() and key_file.stat().st_mode & 0o077:
        loose.append("master key file")
    paths: dict[str, Path] = {}
    for name, url in (("data store", settings.data_url), ("key store", settings.keys_url)):
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            paths[name] = Path(str(parsed.database)).resolve()
    # The key store's file and its WAL siblings hold the wrapped data keys (the data
    # store's hold ciphertext, which is why only the key files are checked).
    if "key store" in paths:
        base = paths["key store"]
        for path in (base, base.with_name(base.name + "-wal"), base.with_name(base.name + "-shm")):
            if path.exists() and path.stat().st_mode & 0o077:
                loose.append(path.name)
    report.add(
        "key_files",
        not loose,
        "readable by group or others: " + ", ".join(loose) if loose else "0600 (or not files)",
    )
    same_db = make_url(settings.data_url) == make_url(settings.keys_url)
    same_dir = (
        "data store" in paths
        and "key store" in paths
        and paths["key store"].parent == paths["data store"].parent
    )
    report.add(
        "key_store_apart",
        False if same_db else (None if same_dir else True),
        "the key store IS the data store's database"
        if same_db
        else (
            "separate files in one directory: back them up to separate places "
            "(discreet backup does), or move the key store elsewhere"
            if same_dir
            else "separate databases"
        ),
    )
    if gateway_url is not None:
        parts = urlsplit(gateway_url)
        host = parts.hostname or ""
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        report.add(
            "tls",
            parts.scheme == "https" or loopback,
            f"{parts.scheme}://{host}"
            + ("" if parts.scheme == "https" else " without TLS")
            + (" (loopback)" if loopback else ""),
        )
    data_path = paths.get("data store")
    if data_path is not None and not data_path.exists():
        report.add("audit_chain", None, "no data store yet")
        return
    try:
        db = Database(settings.data_url, name="data store")
        try:
            ensure_current(db, DATA)
            from discreet.audit.log import AuditLog

            result = AuditLog(db).verify()
        finally:
            db.dispose()
        report.add(
            "audit_chain",
            result.ok,
            f"{result.records} records verified"
            if result.ok
            else f"broken at seq {result.first_bad_seq}: {result.reason}",
        )
    except StorageError as exc:
        report.add("audit_chain", False, f"cannot read the data store: {exc}")


AppFactory = Callable[..., Any]
"""Builds the server app as ``serve`` does: ``(policy, settings, *, backend, migrate,
retention_interval_s)`` (``discreet.api.server.build_app``; passed in by the CLI, so
operations does not import the HTTP layer above it)."""


def run_selftest(
    policy: Policy,
    settings: Settings | None = None,
    *,
    build_app: AppFactory | None = None,
    gateway_url: str | None = None,
    api_key: str | None = None,
    own_ref: str | None = None,
    foreign_email: str | None = None,
    upstream_port: int = 0,
) -> Report:
    """Run every check; see the module docstring."""
    settings = settings or Settings()
    report = Report()
    if gateway_url is None:
        if build_app is None:
            from discreet.errors import InvalidInput

            raise InvalidInput("an in-process self-test needs the app factory (build_app)")
        _in_process(report, policy, build_app)
    else:
        if not (api_key and own_ref and foreign_email):
            from discreet.errors import InvalidInput

            raise InvalidInput(
                "--gateway needs --api-key, --subject and --foreign-email (canary customers "
                "imported into that gateway's vault)"
            )
        with RecordingUpstream(upstream_port) as upstream:
            # The live gateway knows its canary's values; the check looks for the e-mail
            # the operator names and any e-mail-like token echo.
            canary_flow(
                report,
                gateway_url=gateway_url,
                api_key=api_key,
                upstream=upstream,
                own_ref=own_ref,
                own=_live_canary(own_ref),
                foreign={"email": foreign_email},
            )
    setup_checks(report, settings, gateway_url)
    return report


def _live_canary(ref: str) -> dict[str, str]:
    # Against a live gateway the self-test writes its own message with values it makes
    # up, so it does not need the vault's: the echo check then covers detection-based
    # pseudonymisation (values in the message) rather than vault rehydration.
    n = secrets.randbelow(9000) + 1000
    return {
        "name": "Lotte Verhoeven",
        "email": f"lotte.verhoeven{n}@voorbeeld.nl",
        "phone": f"+31 6 {n}{secrets.randbelow(9000) + 1000}",
        "iban": "NL91ABNA0417164300",
    }


def _in_process(report: Report, policy: Policy, build_app: AppFactory) -> None:
    from discreet.audit.context import AccessContext, ActorKind, LegalBasis
    from discreet.conversations.apikeys import ApiKeyStore
    from discreet.gateway.factory import policy_field_categories
    from discreet.gateway.settings import UpstreamSettings
    from discreet.gateway.upstream import AsyncUpstreamClient
    from discreet.vault import MasterKey, open_vault

    picked = _pick_assistant(policy)
    if picked is None:
        report.add("canary", False, "the policy has no assistant serving a purpose without consent")
        return
    assistant, purpose = picked
    customers = canary_customers()
    (own_ref, own), (_, foreign) = customers.items()
    allowed = policy.all_fields
    master = MasterKey.generate()
    with tempfile.TemporaryDirectory(prefix="discreet-selftest-") as home:
        # Every store setting explicit: the environment names the real stores.
        scratch = Settings(
            home=Path(home),
            database_url=f"sqlite:///{Path(home) / 'canary.db'}",
            keystore_url=f"sqlite:///{Path(home) / 'canary-keys.db'}",
            master_key=SecretStr(master.to_base64()),
            master_key_file=None,
            tenant=policy.tenant,
        )
        ctx = AccessContext(
            actor="discreet-selftest",
            purpose="selftest",
            legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
            actor_kind=ActorKind.SYSTEM,
        )
        vault = open_vault(
            scratch, master_key=master, categories=policy_field_categories(policy), migrate=True
        )
        try:
            for ref, values in customers.items():
                vault.put_subject(ref, {k: v for k, v in values.items() if k in allowed}, ctx=ctx)
            key, _ = ApiKeyStore(vault.audit_log.db, vault.tenant).create(assistant, "selftest")
        finally:
            vault.close()
        with RecordingUpstream() as upstream:
            backend = AsyncUpstreamClient(
                UpstreamSettings(base_url=upstream.base_url, model="canary", max_attempts=1)
            )
            app = build_app(
                policy, scratch, backend=backend, migrate=False, retention_interval_s=None
            )
            with _serve(app) as url:
                canary_flow(
                    report,
                    gateway_url=url,
                    api_key=key,
                    upstream=upstream,
                    own_ref=own_ref,
                    own=own,
                    foreign=foreign,
                    purpose=purpose,
                )
        from discreet.audit.log import AuditLog
        from discreet.store import Database

        db = Database(scratch.data_url, name="data store")
        try:
            result = AuditLog(db).verify()
        finally:
            db.dispose()
        report.add(
            "canary_audit_chain",
            result.ok,
            f"{result.records} records of the canary run verified"
            if result.ok
            else str(result.reason),
        )
