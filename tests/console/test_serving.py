"""`discreet serve --console-port`, `discreet users` and `discreet demo`'s console login:
real processes on real ports."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from tests.api.conftest import POLICY
from tests.support.upstream import unused_port

from discreet.api.console_serving import DEMO_USER, demo_login
from discreet.console.accounts import AccountStore
from discreet.settings import Settings
from discreet.store import DATA, Database, upgrade
from discreet.vault import MasterKey

PASSWORD = "correct horse battery staple"


def _cli(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The installed `discreet` command (its `main` maps errors to exit codes)."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "discreet"), *args],
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _wait(url: str, proc: subprocess.Popen[bytes]) -> httpx.Response:
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
        try:
            return httpx.get(url, timeout=1)
        except httpx.TransportError:
            assert time.monotonic() < deadline, f"{url} did not come up"
            time.sleep(0.2)


def test_serve_with_console_port_serves_both_listeners(tmp_path: Path) -> None:
    policy = tmp_path / "discreet.yaml"
    policy.write_text(POLICY)
    env = {
        "DISCREET_HOME": str(tmp_path / "home"),
        "DISCREET_MASTER_KEY": MasterKey.generate().to_base64(),
        "DISCREET_CONFIG": str(policy),
    }
    port, console_port = unused_port(), unused_port()
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "discreet"),
            "serve",
            "--port",
            str(port),
            "--console-port",
            str(console_port),
        ],
        env={**os.environ, **env, "DISCREET_UPSTREAM_URL": "", "DISCREET_UPSTREAM_BASE_URL": ""},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        login = _wait(f"http://127.0.0.1:{console_port}/login", proc)
        assert login.status_code == 200 and "Sign in" in login.text
        assert login.headers["x-frame-options"] == "DENY"
        chat = _wait(f"http://127.0.0.1:{port}/v1/models", proc)
        assert chat.status_code == 401  # the chat API, on its own port
        assert httpx.get(f"http://127.0.0.1:{port}/login").status_code == 404
        # Accounts for the console: the users command, against the same stores.
        made = _cli(
            ["users", "create", "anna", "--role", "auditor", "--password-stdin"], env, PASSWORD
        )
        assert made.returncode == 0, made.stderr
        listed = _cli(["users", "list"], env)
        assert "anna" in listed.stdout and "auditor" in listed.stdout
        assert "not enrolled" in listed.stdout
        again = _cli(
            ["users", "create", "anna", "--role", "auditor", "--password-stdin"], env, PASSWORD
        )
        assert again.returncode == 4 and "already exists" in again.stderr
        client = httpx.Client(base_url=f"http://127.0.0.1:{console_port}")
        page = client.get("/login")
        token = page.text.split('name="csrf" value="')[1].split('"')[0]
        answer = client.post(
            "/login", data={"username": "anna", "password": PASSWORD, "csrf": token}
        )
        assert answer.status_code == 303 and answer.headers["location"] == "/login/enrol"
        assert _cli(["users", "disable", "anna"], env).returncode == 0
        assert client.get("/login/enrol").headers["location"] == "/login?ended=1"
        assert "disabled" in _cli(["users", "list"], env).stdout
        missing = _cli(["users", "reset-mfa", "nobody"], env)
        assert missing.returncode == 3 and "no console account" in missing.stderr
        short = _cli(["users", "create", "bob", "--role", "auditor", "--password-stdin"], env, "x")
        assert short.returncode == 2 and "at least 12" in short.stderr
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_demo_login_is_a_fresh_password_each_run(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    db = Database(settings.data_url, name="data store")
    upgrade(db, DATA)
    user, first = demo_login(settings)
    assert user == DEMO_USER
    accounts = AccountStore(db)
    assert accounts.check_password(user, first).role.value == "privacy_officer"
    _, second = demo_login(settings)
    assert second != first
    assert accounts.check_password(user, second)
    db.dispose()
