"""The privacy office console's page times, side by side with the JSON API on the same
store, and the cost of a sign-in.

Fills a SQLite store with ``--subjects`` customers and one rights request each (so the
queue and the audit log have realistic sizes), signs a privacy officer in (password +
TOTP), then times, in-process (FastAPI's test client, no network):

* ``GET /requests`` (the console's queue, HTML) against ``GET /v1/rights/requests`` (the
  operator API's JSON list, the same router the gateway mounts) -- the peer;
* ``GET /`` (overview: queue, guard chart, consent, audit chain, retention forecast) and
  ``GET /audit`` (last 30 days, newest 200);
* a sign-in's password check (Argon2id), which dominates signing in.

    .venv/bin/python benchmarks/bench_console.py --subjects 300 --rounds 30
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, machine_speed, sqlite_settings
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from discreet.api.auth import authenticate
from discreet.api.routes_rights import rights_router
from discreet.audit import AccessContext, LegalBasis
from discreet.console import create_console_app, open_console_services, totp
from discreet.console.roles import Role
from discreet.policy import BUILTIN_SOURCE, builtin_policy_text, parse_policy
from discreet.rights import RequestKind
from discreet.vault import MasterKey, upgrade_databases

CTX = AccessContext("bench", "data_subject_request", LegalBasis.LEGAL_OBLIGATION)
PASSWORD = "correct horse battery staple"


def p50_ms(action: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    policy = parse_policy(builtin_policy_text(), BUILTIN_SOURCE)
    with sqlite_settings() as settings:
        key = MasterKey.generate()
        upgrade_databases(settings)
        services = open_console_services(policy, settings, master_key=key)
        for number in range(args.subjects):
            ref = f"CUST-{number:05d}"
            services.vault.put_subject(ref, {"name": f"Bench {number}"}, ctx=CTX)
            services.rights.submit(ref, RequestKind.ACCESS, channel="web", ctx=CTX)
        services.accounts.create("officer", Role.PRIVACY_OFFICER, PASSWORD)
        console = TestClient(create_console_app(services))
        token = re.search(r'name="csrf" value="([^"]+)"', console.get("/login").text)
        assert token
        console.post("/login", data={"username": "officer", "password": PASSWORD, "csrf": token[1]})
        page = console.get("/login/enrol").text
        found = re.search(r'id="totp-secret">([^<]+)<', page)
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert found and token
        code = totp.code_at(found[1].replace(" ", ""), datetime.now(UTC))
        assert (
            console.post("/login/enrol", data={"code": code, "csrf": token[1]}).status_code == 200
        )

        operator, _ = services.api_keys.create_operator("bench")

        def who(request: Request) -> str:
            return authenticate(services.api_keys, request).assistant

        api = FastAPI()
        api.include_router(rights_router(lambda: services.rights, who))
        peer = TestClient(api, headers={"Authorization": f"Bearer {operator}"})
        assert len(peer.get("/v1/rights/requests").json()) == args.subjects

        rows = {
            "console `GET /requests` (HTML)": p50_ms(lambda: console.get("/requests"), args.rounds),
            "API `GET /v1/rights/requests` (JSON)": p50_ms(
                lambda: peer.get("/v1/rights/requests"), args.rounds
            ),
            "console `GET /` (overview)": p50_ms(lambda: console.get("/"), args.rounds),
            "console `GET /audit` (30 days, newest 200)": p50_ms(
                lambda: console.get("/audit"), args.rounds
            ),
            "sign-in password check (Argon2id)": p50_ms(
                lambda: services.accounts.check_password("officer", PASSWORD), args.rounds
            ),
        }
        records = sum(1 for _ in services.audit.entries())
        services.close()
    print(
        f"{machine()}; reference workload {machine_speed()}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    print(
        f"SQLite, {args.subjects} subjects and open requests, {records} audit records, "
        f"p50 of {args.rounds} rounds\n"
    )
    print("| what | p50 ms |\n|---|---|")
    for name, value in rows.items():
        print(f"| {name} | {value:.1f} |")
    ratio = rows["console `GET /requests` (HTML)"] / rows["API `GET /v1/rights/requests` (JSON)"]
    print(f"\nconsole queue / API list: {ratio:.2f}x")


if __name__ == "__main__":
    main()
