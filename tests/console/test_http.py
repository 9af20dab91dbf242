"""The console over HTTP: roles on direct URLs and forged forms, CSRF, escaping of every
field a user fills, security headers, clear 4xx answers, and the audit trail."""

from __future__ import annotations

import re

import pytest
from tests.console.conftest import MARIEKE, PASSWORD, Console, csrf_of

from discreet.console.roles import ROLE_PERMISSIONS, Permission, Role

PAGES = {
    "/": Permission.OVERVIEW,
    "/requests": Permission.REQUESTS_VIEW,
    "/subject": Permission.SUBJECT_VIEW,
    "/conversations": Permission.CONVERSATIONS_VIEW,
    "/conversation?id=conv-echo": Permission.CONVERSATIONS_VIEW,
    "/audit": Permission.AUDIT_VIEW,
    "/audit/export?format=csv": Permission.AUDIT_EXPORT,
    "/policy": Permission.POLICY_VIEW,
    "/apikeys": Permission.APIKEYS_MANAGE,
    "/users": Permission.USERS_MANAGE,
}
XSS = "<script>alert('x')</script>"


def _signed_in(console: Console, role: Role) -> tuple[object, str]:
    client = console.client()
    csrf = console.sign_in(client, console.user(role))
    return client, csrf


def _new_request(console: Console, kind: str = "erasure") -> str:
    client, csrf = _signed_in(console, Role.PRIVACY_OFFICER)
    answer = client.post("/requests", data={"subject_ref": MARIEKE, "kind": kind, "csrf": csrf})
    assert answer.status_code == 303
    return str(answer.headers["location"]).rsplit("/", 1)[1]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_only_its_pages(console: Console, role: Role) -> None:
    client, _ = _signed_in(console, role)
    for path, permission in PAGES.items():
        answer = client.get(path)
        expected = 200 if permission in ROLE_PERMISSIONS[role] else 403
        assert answer.status_code == expected, (role, path)
        if expected == 403:
            assert "Not allowed" in answer.text and "Traceback" not in answer.text
    # The navigation offers exactly the pages the role may open.
    nav = set(re.findall(r'id="nav-([a-z]+)"', client.get("/").text))
    assert ("users" in nav) is (role is Role.ADMIN)
    assert ("subject" in nav) is (role is Role.PRIVACY_OFFICER)
    assert ("audit" in nav) is (role in (Role.AUDITOR, Role.PRIVACY_OFFICER))


def test_signed_out_pages_lead_to_sign_in(console: Console) -> None:
    client = console.client()
    for path in PAGES:
        answer = client.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/login?ended=1"
    assert client.post("/requests/x/verify", data={"csrf": "x"}).status_code == 303


def test_forged_forms_of_other_roles_are_refused(console: Console) -> None:
    request_id = _new_request(console)
    for role in (Role.SUPPORT_LEAD, Role.AUDITOR, Role.ADMIN):
        client, csrf = _signed_in(console, role)
        # A valid session and its own valid CSRF token: still not this role's action.
        answer = client.post(f"/requests/{request_id}/verify", data={"csrf": csrf})
        assert answer.status_code == 403
        answer = client.post(
            f"/requests/{request_id}/execute", data={"csrf": csrf, "subject_ref": MARIEKE}
        )
        assert answer.status_code == 403
    assert console.services.rights.book.get(request_id).state.value == "received"
    client, csrf = _signed_in(console, Role.AUDITOR)
    keys_before = len(console.services.api_keys.list())
    assert client.post("/apikeys", data={"csrf": csrf, "name": "support"}).status_code == 403
    assert (
        client.post(
            "/users", data={"csrf": csrf, "username": "eve", "role": "admin", "password": PASSWORD}
        ).status_code
        == 403
    )
    assert len(console.services.api_keys.list()) == keys_before
    assert [a.username for a in console.services.accounts.accounts()].count("eve") == 0
    lead, csrf = _signed_in(console, Role.SUPPORT_LEAD)
    answer = lead.post(
        "/subject/reveal",
        data={
            "csrf": csrf,
            "subject_ref": MARIEKE,
            "field": "email",
            "reason": "fraud_check",
            "note": "n",
        },
    )
    assert answer.status_code == 403


def test_csrf_tokens_are_checked_on_every_form(console: Console) -> None:
    request_id = _new_request(console)
    client, csrf = _signed_in(console, Role.PRIVACY_OFFICER)
    _other, other_csrf = _signed_in(console, Role.PRIVACY_OFFICER)
    assert other_csrf != csrf
    for data in ({}, {"csrf": ""}, {"csrf": other_csrf}):
        answer = client.post(f"/requests/{request_id}/verify", data=data)
        assert answer.status_code == 403 and "security token" in answer.text
    assert client.post("/logout", data={}).status_code == 403
    assert console.services.rights.book.get(request_id).state.value == "received"
    assert client.post(f"/requests/{request_id}/verify", data={"csrf": csrf}).status_code == 303
    assert console.services.rights.book.get(request_id).state.value == "verified"
    # The sign-in form: a token that matches the browser's own cookie, or nothing.
    fresh = console.client()
    answer = fresh.post("/login", data={"username": "x", "password": "y", "csrf": "forged"})
    assert answer.status_code == 403


def test_unknown_user_and_wrong_password_get_the_same_page(console: Console) -> None:
    console.user(Role.AUDITOR, "anna")
    pages = []
    for username, password in (("nobody", PASSWORD), ("anna", "wrong password!!")):
        client = console.client()
        token = csrf_of(client.get("/login").text)
        answer = client.post(
            "/login", data={"username": username, "password": password, "csrf": token}
        )
        assert answer.status_code == 401
        pages.append(CSRF_FREE.sub("", answer.text))
    assert pages[0] == pages[1]


CSRF_FREE = re.compile(r'name="csrf" value="[^"]+"')


def test_every_user_filled_field_is_escaped(console: Console) -> None:
    request_id = _new_request(console)
    officer, csrf = _signed_in(console, Role.PRIVACY_OFFICER)
    assert officer.post(f"/requests/{request_id}/verify", data={"csrf": csrf}).status_code == 303
    officer.post(
        f"/requests/{request_id}/extend", data={"csrf": csrf, "months": "1", "reason": XSS}
    )
    pages = [officer.get(f"/requests/{request_id}").text]
    officer.post(f"/requests/{request_id}/reject", data={"csrf": csrf, "reason": XSS})
    pages.append(officer.get(f"/requests/{request_id}").text)
    pages.append(
        officer.post(
            "/subject/hold", data={"csrf": csrf, "subject_ref": MARIEKE, "reason": XSS}
        ).text
    )
    pages.append(
        officer.post(
            "/subject/reveal",
            data={
                "csrf": csrf,
                "subject_ref": MARIEKE,
                "field": "email",
                "reason": "fraud_check",
                "note": XSS,
            },
        ).text
    )
    pages.append(officer.get("/audit", params={"actor": XSS, "action": XSS}).text)
    pages.append(officer.get("/audit").text)  # the reveal's note, in the grants table
    pages.append(officer.post("/subject", data={"csrf": csrf, "subject_ref": XSS}).text)
    pages.append(officer.get("/conversation", params={"id": XSS}).text)
    admin, csrf = _signed_in(console, Role.ADMIN)
    pages.append(
        admin.post(
            "/apikeys", data={"csrf": csrf, "role": "operator", "name": XSS, "label": XSS}
        ).text
    )
    pages.append(
        admin.post(
            "/users", data={"csrf": csrf, "username": XSS, "role": "auditor", "password": PASSWORD}
        ).text
    )
    login = console.client()
    token = csrf_of(login.get("/login").text)
    pages.append(login.post("/login", data={"username": XSS, "password": XSS, "csrf": token}).text)
    for page in pages:
        assert XSS not in page and "<script>alert" not in page
    joined = "".join(pages)
    assert "&lt;script&gt;" in joined  # shown, as text
    assert joined.count("&lt;script&gt;") >= 6


def test_security_headers_on_every_answer(console: Console) -> None:
    client, _ = _signed_in(console, Role.PRIVACY_OFFICER)
    for answer in (
        client.get("/"),
        client.get("/apikeys"),  # a 403
        client.get("/requests?state=nonsense"),  # a 400
        console.client().get("/login"),
        client.get("/static/console.css"),
    ):
        csp = answer.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["x-content-type-options"] == "nosniff"
    page = client.get("/").text
    assert "<script>" not in page and " style=" not in page and "onclick" not in page
    cookie = console.client()
    token = csrf_of(cookie.get("/login").text)
    console.user(Role.AUDITOR, "anna")
    answer = cookie.post("/login", data={"username": "anna", "password": PASSWORD, "csrf": token})
    set_cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie
    assert "secure" not in set_cookie  # plain HTTP in this test; Secure over TLS
    tls = console.client()
    tls.base_url = tls.base_url.copy_with(scheme="https")
    token = csrf_of(tls.get("/login").text)
    answer = tls.post("/login", data={"username": "anna", "password": PASSWORD, "csrf": token})
    assert "secure" in answer.headers["set-cookie"].lower()


def test_bad_input_gets_a_clear_4xx_naming_what(console: Console) -> None:
    request_id = _new_request(console)
    client, csrf = _signed_in(console, Role.PRIVACY_OFFICER)
    cases = [
        (client.get("/requests?state=nonsense"), 400, "state"),
        (client.get("/audit?since=yesterday"), 400, "since"),
        (client.get("/conversation?id=no-such-conversation"), 404, "conversation"),
        (client.get("/requests/dsr_missing"), 404, "request"),
        (client.post("/subject", data={"csrf": csrf, "subject_ref": "CUST-00000"}), 404, "subject"),
        (
            client.post(
                "/subject", data={"csrf": csrf, "subject_ref": MARIEKE, "purpose": "curiosity"}
            ),
            400,
            "purpose",
        ),
        (
            client.post(
                f"/requests/{request_id}/extend", data={"csrf": csrf, "months": "7", "reason": "r"}
            ),
            400,
            "months",
        ),
        (
            client.post(
                f"/requests/{request_id}/execute", data={"csrf": csrf, "subject_ref": MARIEKE}
            ),
            409,
            "received",
        ),
        (
            client.post(
                "/subject/reveal",
                data={
                    "csrf": csrf,
                    "subject_ref": MARIEKE,
                    "field": "email",
                    "reason": "curiosity",
                    "note": "n",
                },
            ),
            400,
            "reason",
        ),
    ]
    for answer, status, word in cases:
        assert answer.status_code == status, (word, answer.text)
        assert word in answer.text.lower()
        assert "Traceback" not in answer.text and MARIEKE not in answer.text.split("<main>")[1]


def test_console_actions_are_audited_with_the_user_and_purpose(console: Console) -> None:
    request_id = _new_request(console)
    client, csrf = _signed_in(console, Role.PRIVACY_OFFICER)
    client.get(f"/requests/{request_id}")
    client.post(f"/requests/{request_id}/verify", data={"csrf": csrf})
    client.post(
        "/subject", data={"csrf": csrf, "subject_ref": MARIEKE, "purpose": "complaint_handling"}
    )
    entries = list(console.services.audit.entries())
    mine = [e for e in entries if e.actor.startswith("console:privacy-officer")]
    actions = {e.action for e in mine}
    assert {
        "console.sign_in",
        "rights.receive",
        "console.request.view",
        "rights.verified",
        "console.subject.view",
        "subject.lookup",
    } <= actions
    admin = console.client()
    console.sign_in(admin, console.user(Role.ADMIN))
    for path in ("/", "/policy", "/apikeys", "/users"):
        assert admin.get(path).status_code == 200
    seen = {e.action for e in console.services.audit.entries() if e.actor == "console:admin"}
    assert {
        "console.overview.view",
        "console.policy.view",
        "console.apikeys.view",
        "console.users.view",
    } <= seen
    viewed = next(e for e in mine if e.action == "console.subject.view")
    assert viewed.purpose == "complaint_handling" and viewed.subject
    assert all(e.actor_kind == "user" for e in mine)
    assert console.services.audit.verify().ok
