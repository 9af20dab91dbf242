"""The console in a real headless Chromium (Debian's ``chromium`` and ``chromium-driver``,
driven by Selenium) against a real server on a loopback port: sign-in with TOTP
enrolment, wrong codes, lock-out, each role's pages, the erasure flow from the queue to
the completion record, reveal-with-reason and its audit record, CSRF rejection, session
expiry. Each page's screenshot goes to ``docs/screenshots/`` (shown in the README).

SQLite only: the PostgreSQL variants of these flows run over HTTP in ``test_http.py``.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from tests.console.conftest import MARIEKE, PASSWORD, Console
from tests.export.conftest import OFFICER
from tests.support.upstream import unused_port

from discreet.analytics import BudgetLedger
from discreet.console import totp
from discreet.console.accounts import FREE_FAILURES
from discreet.console.roles import Role
from discreet.ops.incidents import Kind, Severity
from discreet.vault import SubjectNotFound

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None or CHROMEDRIVER is None,
        reason="needs Debian's chromium and chromium-driver (.ci/run installs them)",
    ),
]

if CHROMIUM is not None:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement
    from selenium.webdriver.support.ui import Select, WebDriverWait


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        "--disable-gpu",
    ):
        options.add_argument(arg)
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    browser.implicitly_wait(5)
    try:
        yield browser
    finally:
        browser.quit()


def _replaced(page: WebElement) -> bool:
    """The old page's root is gone. Chromium reports a node of a document being replaced
    either as stale or, mid-navigation, as "does not belong to the document" (a plain
    WebDriverException that Selenium's staleness_of lets through): both mean navigated."""
    try:
        page.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:
        if "does not belong to the document" in str(exc.msg):
            return True
        raise
    return False


class Site:
    def __init__(self, console: Console, driver: WebDriver, base: str) -> None:
        self.console = console
        self.driver = driver
        self.base = base

    def go(self, path: str) -> None:
        self.driver.get(self.base + path)

    def find(self, css: str) -> object:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def text(self) -> str:
        return str(self.driver.find_element(By.TAG_NAME, "body").text)

    def fill(self, element_id: str, value: str) -> None:
        box = self.driver.find_element(By.ID, element_id)
        box.clear()
        box.send_keys(value)

    def click(self, element_id: str, *, navigates: bool = True) -> None:
        """Click; when it sends a form or follows a link, wait for the next page."""
        page = self.driver.find_element(By.TAG_NAME, "html")
        self.driver.find_element(By.ID, element_id).click()
        if navigates:
            self.wait_for_new(page)

    def wait_for_new(self, page: WebElement) -> None:
        WebDriverWait(self.driver, 10).until(lambda _: _replaced(page))

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))

    def password_step(self, username: str, password: str = PASSWORD) -> None:
        self.driver.delete_all_cookies()
        self.go("/login")
        self.fill("username", username)
        self.fill("password", password)
        self.click("sign-in")

    def sign_in(self, username: str) -> None:
        self.password_step(username)
        if self.driver.current_url.endswith("/login/enrol"):
            secret = self.driver.find_element(By.ID, "totp-secret").text.replace(" ", "")
            self.console.secrets[username] = secret
            self.fill("code", totp.code_at(secret, self.console.clock()))
            self.click("confirm")
            self.click("continue")
        else:
            self.fill("code", self.console.code(username))
            self.click("confirm")
        assert self.driver.current_url == self.base + "/", self.text()


@pytest.fixture
def site(console: Console, driver: WebDriver) -> Iterator[Site]:
    port = unused_port()
    server = uvicorn.Server(
        uvicorn.Config(console.app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the console server did not start"
        time.sleep(0.02)
    try:
        yield Site(console, driver, f"http://127.0.0.1:{port}")
    finally:
        driver.delete_all_cookies()
        server.should_exit = True
        thread.join(timeout=10)


def test_sign_in_with_totp_enrolment_and_wrong_codes(site: Site) -> None:
    console = site.console
    name = console.user(Role.ADMIN)
    site.go("/login")
    site.shot("login")
    site.password_step(name)
    assert site.driver.current_url.endswith("/login/enrol")
    assert site.find(".qr svg")  # the QR code, drawn on the server
    site.shot("enrol")
    secret = site.driver.find_element(By.ID, "totp-secret").text.replace(" ", "")
    good = totp.code_at(secret, console.clock())
    site.fill("code", "000000" if good != "000000" else "111111")
    site.click("confirm")
    assert "not right" in site.find("#error").text  # type: ignore[attr-defined]
    site.fill("code", good)
    site.click("confirm")
    codes = site.driver.find_elements(By.CSS_SELECTOR, "#recovery-codes li")
    assert len(codes) == 10
    site.shot("recovery-codes")
    site.click("continue")
    assert name in site.find("#whoami").text  # type: ignore[attr-defined]
    site.click("sign-out")
    assert site.driver.current_url.endswith("/login")
    # The second time: the TOTP step, a wrong code first.
    site.password_step(name)
    assert site.driver.current_url.endswith("/login/mfa")
    site.fill("code", "12345")
    site.click("confirm")
    assert "not right" in site.find("#error").text  # type: ignore[attr-defined]
    console.clock.advance(seconds=30)
    site.fill("code", totp.code_at(secret, console.clock()))
    site.click("confirm")
    assert site.driver.current_url == site.base + "/"


def test_lock_out_after_repeated_wrong_passwords(site: Site) -> None:
    name = site.console.user(Role.AUDITOR)
    for _ in range(FREE_FAILURES + 1):
        site.password_step(name, "not the password!")
        assert "Sign-in failed" in site.find("#error").text  # type: ignore[attr-defined]
    site.password_step(name)  # the right password, but locked: the same answer
    assert "Sign-in failed" in site.find("#error").text  # type: ignore[attr-defined]
    assert site.console.services.accounts.get(name).locked_at(site.console.clock())


@pytest.mark.parametrize(
    ("role", "nav"),
    [
        (Role.ADMIN, {"overview", "policy", "apikeys", "users"}),
        (
            Role.PRIVACY_OFFICER,
            {"overview", "requests", "subject", "conversations", "audit", "policy"},
        ),
        (Role.AUDITOR, {"overview", "requests", "audit", "policy"}),
        (Role.SUPPORT_LEAD, {"overview", "conversations"}),
    ],
)
def test_each_role_sees_only_its_pages(site: Site, role: Role, nav: set[str]) -> None:
    console = site.console
    if role in (Role.PRIVACY_OFFICER, Role.AUDITOR):
        # Something in the queue: one request received 40 days ago (overdue), one today.
        console.clock.advance(days=-40)
        console.services.rights.submit(MARIEKE, "erasure", channel="email", ctx=_ctx())  # type: ignore[arg-type]
        console.clock.advance(days=40)
        console.services.rights.submit(MARIEKE, "access", channel="web", ctx=_ctx())  # type: ignore[arg-type]
    name = console.user(role)
    site.sign_in(name)
    if role is Role.AUDITOR:
        overdue = site.driver.find_elements(By.CSS_SELECTOR, "#overview-requests tr.overdue")
        assert len(overdue) == 1 and "overdue" in overdue[0].text
    links = site.driver.find_elements(By.CSS_SELECTOR, "header nav a")
    assert {str(a.get_attribute("id")).removeprefix("nav-") for a in links} == nav
    site.shot(f"overview-{role.value}")
    for path in ("/users", "/subject", "/audit", "/apikeys", "/conversations"):
        if path.strip("/") in nav:
            continue
        site.go(path)
        assert "Not allowed" in site.text(), path
    if role is Role.SUPPORT_LEAD:
        site.shot("forbidden")


def test_erasure_from_the_queue_to_the_completion_record(site: Site) -> None:
    console = site.console
    site.sign_in(console.user(Role.PRIVACY_OFFICER))
    site.click("nav-subject")
    site.fill("subject-ref", MARIEKE)
    site.click("open-subject")
    subject_id = site.find("#subject-id").text  # type: ignore[attr-defined]
    assert "••••••" in site.find("#field-email").text  # type: ignore[attr-defined]
    assert "marieke" not in site.text().lower()  # values stay masked
    site.shot("subject")
    Select(site.driver.find_element(By.ID, "request-kind-new")).select_by_value("erasure")
    site.click("submit-request")
    request_id = site.find("h1 code").text  # type: ignore[attr-defined]
    site.click("nav-requests")
    row = site.driver.find_element(By.LINK_TEXT, request_id)
    site.shot("requests")
    page = site.driver.find_element(By.TAG_NAME, "html")
    row.click()
    site.wait_for_new(page)
    site.click("verify")
    assert site.find("#request-state").text == "verified"  # type: ignore[attr-defined]
    site.fill("execute-ref", MARIEKE)
    page = site.driver.find_element(By.TAG_NAME, "html")
    site.click("execute", navigates=False)
    site.driver.switch_to.alert.accept()  # "Erase this customer?" (console.js)
    site.wait_for_new(page)
    assert site.find("#request-state").text == "completed"  # type: ignore[attr-defined]
    record = site.find("#completion-record").text  # type: ignore[attr-defined]
    assert "erasure_job" in record and '"completed": true' in record
    assert "rights.completed" in site.find("#timeline").text  # type: ignore[attr-defined]
    site.shot("request")
    with pytest.raises(SubjectNotFound):
        console.services.vault.subject_id(MARIEKE, ctx=_ctx())
    assert console.services.rights.book.get(request_id).subject_id == subject_id


def _ctx():  # type: ignore[no-untyped-def]
    from discreet.audit import AccessContext, LegalBasis

    return AccessContext(actor="test", purpose="check", legal_basis=LegalBasis.LEGAL_OBLIGATION)


def test_reveal_with_a_reason_is_audited_and_expires(site: Site) -> None:
    console = site.console
    lead = console.user(Role.SUPPORT_LEAD)
    site.sign_in(lead)
    site.click("nav-conversations")
    site.shot("conversations")
    page = site.driver.find_element(By.TAG_NAME, "html")
    site.driver.find_element(By.LINK_TEXT, "conv-echo").click()
    site.wait_for_new(page)
    transcript = site.find("#transcript").text  # type: ignore[attr-defined]
    assert "[PERSON_1]" in transcript and "Oosterhout" not in transcript
    Select(site.driver.find_element(By.ID, "reveal-token")).select_by_value("[PERSON_1]")
    Select(site.driver.find_element(By.ID, "reveal-reason")).select_by_value(
        "complaint_investigation"
    )
    site.fill("reveal-note", "ticket 4711: customer says the name is misspelt")
    site.click("reveal")
    revealed = site.find("#transcript mark.revealed").text  # type: ignore[attr-defined]
    assert revealed == "Marieke van Oosterhout"
    site.shot("conversation")
    entries = list(console.services.audit.entries())
    grant = [e for e in entries if e.action == "console.reveal"]
    assert len(grant) == 1
    assert grant[0].actor == f"console:{lead}" and grant[0].purpose == "complaint_investigation"
    assert grant[0].details["token"] == "[PERSON_1]" and grant[0].subject
    reads = [e for e in entries if e.action == "token_map.read" and e.actor == f"console:{lead}"]
    assert reads and all(e.purpose == "complaint_investigation" for e in reads)
    assert "Oosterhout" not in str([e.as_dict() for e in entries])  # no value in the log
    console.clock.advance(minutes=console.services.policy.console.reveal_minutes + 1)
    site.driver.refresh()
    if site.driver.current_url.endswith("ended=1"):  # idle-timed out meanwhile: sign in
        site.sign_in(lead)
        site.go("/conversation?id=conv-echo")
    assert "Oosterhout" not in site.find("#transcript").text  # type: ignore[attr-defined]


def test_a_form_with_a_forged_csrf_token_is_refused(site: Site) -> None:
    console = site.console
    request_id = console.services.rights.submit(
        MARIEKE,
        "access",
        channel="email",
        ctx=_ctx(),  # type: ignore[arg-type]
    ).id
    site.sign_in(console.user(Role.PRIVACY_OFFICER))
    site.go(f"/requests/{request_id}")
    site.driver.execute_script(
        "document.querySelectorAll('input[name=csrf]').forEach(i => i.value = 'forged')"
    )
    site.click("verify")
    assert "Not allowed" in site.text() and "security token" in site.text()
    assert console.services.rights.book.get(request_id).state.value == "received"


def test_an_idle_session_expires(site: Site) -> None:
    console = site.console
    site.sign_in(console.user(Role.AUDITOR))
    console.clock.advance(minutes=console.services.policy.console.idle_timeout_minutes + 1)
    site.go("/audit")
    assert site.driver.current_url.endswith("/login?ended=1")
    assert "session has ended" in site.find("#notice").text  # type: ignore[attr-defined]


def test_the_remaining_pages(site: Site) -> None:
    """Audit (verify, export links), policy, API keys (a key shown once), users."""
    console = site.console
    site.sign_in(console.user(Role.AUDITOR))
    site.click("nav-audit")
    site.click("verify-chain")
    assert "Intact" in site.find("#verify-result").text  # type: ignore[attr-defined]
    site.fill("audit-action", "gateway.")
    site.click("audit-go")
    rows = site.driver.find_elements(By.CSS_SELECTOR, "#audit-entries tbody tr")
    assert len(rows) >= 2 and all("gateway." in r.text for r in rows)
    site.shot("audit")
    site.click("nav-policy")
    assert site.find("#policy-support")
    site.shot("policy")
    site.sign_in(console.user(Role.ADMIN))
    site.click("nav-apikeys")
    site.fill("key-name", "support")
    site.fill("key-label", "chat widget")
    site.click("create-key")
    key = site.find("#new-key-value").text  # type: ignore[attr-defined]
    assert key.startswith("dsk_") and console.services.api_keys.verify(key) is not None
    site.shot("apikeys")
    site.go("/apikeys")
    assert key not in site.driver.page_source  # shown once only
    site.click("nav-users")
    site.shot("users")


def test_the_overview_shows_the_incident_clock_and_the_private_analytics(site: Site) -> None:
    """Open incidents with their 72-hour clock (time left, overdue, notified) for the
    privacy officer; the latest differentially private figures for whoever sees guard
    statistics; neither for the administrator."""
    console = site.console
    services = console.services
    now = console.clock()
    register = services.incidents
    overdue = register.open(
        title="Answer with another customer's e-mail",
        kind=Kind.CONFIDENTIALITY,
        severity=Severity.HIGH,
        actor="dpo",
        aware_at=now - timedelta(hours=80),
    )
    fresh = register.open(
        title="Lost laptop",
        kind=Kind.AVAILABILITY,
        severity=Severity.LOW,
        actor="dpo",
        aware_at=now - timedelta(hours=10),
    )
    closed = register.open(title="Old", kind=Kind.INTEGRITY, severity=Severity.LOW, actor="dpo")
    register.note(closed.id, "not a breach: no notification", actor="dpo", decision=True)
    register.close(closed.id, actor="dpo", summary="no breach")
    cells = [
        {"value": v, "count": n, "ci": [n - 3, n + 3], "assistant": a}
        for a in ("support", "billing")
        for v, n in (("resolved", 30), ("handoff", 9), ("guard_blocked", 1), ("open", 0))
    ]
    # Releases as `discreet analytics run` leaves them: charged, then their figures stored
    # on the ledger entry (the console shows them again without spending).
    ledger = BudgetLedger(services.db, tenant=services.tenant, clock=console.clock)
    ledger.set_budget("support", epsilon=10.0, ctx=OFFICER)
    period = {"since": (now - timedelta(days=30)).isoformat(), "until": now.isoformat()}

    def released(result: dict[str, Any]) -> None:
        charge = ledger.spend("support", result["query"], epsilon=1.0, ctx=OFFICER)
        assert charge.entry is not None
        ledger.record_result(charge.entry, {**result, "period": period})

    released({"query": "outcomes", "cells": cells, "ci_half_width": 3})
    volume = [{"value": "2026-W48", "count": 55, "ci": [52, 58]}, {"value": "x", "count": 25}]
    released({"query": "volume", "cells": volume, "ci_half_width": 3})

    site.sign_in(console.user(Role.PRIVACY_OFFICER))
    rows = site.driver.find_elements(By.CSS_SELECTOR, "#overview-incidents tbody tr")
    assert [r.get_attribute("data-incident") for r in rows] == [overdue.id, fresh.id]
    assert "overdue" in str(rows[0].get_attribute("class"))
    assert rows[0].find_element(By.CSS_SELECTOR, ".clock").text == "overdue by 8.0 h"
    assert rows[1].find_element(By.CSS_SELECTOR, ".clock").text == "62.0 h left"
    assert site.find("#dp-volume").text == "80"  # type: ignore[attr-defined]
    assert site.find("#dp-handoff").text == "25.0 %"  # type: ignore[attr-defined]
    # Notifying the authority stops the clock.
    register.notify(fresh.id, to="authority", actor="dpo")
    site.go("/")
    row = site.find(f'tr[data-incident="{fresh.id}"] .clock')
    assert row.text == "authority notified"  # type: ignore[attr-defined]

    site.sign_in(console.user(Role.SUPPORT_LEAD))
    assert site.find("#dp-handoff").text == "25.0 %"  # type: ignore[attr-defined]
    assert not site.driver.find_elements(By.ID, "overview-incidents")
    site.sign_in(console.user(Role.ADMIN))
    assert not site.driver.find_elements(By.ID, "overview-incidents")
    assert not site.driver.find_elements(By.ID, "overview-analytics")
