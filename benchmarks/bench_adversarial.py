"""The guarantees under an adversarial load: a malicious upstream that knows every other
customer's values, and customers who type their own values in odd spellings.

Each turn goes through the real HTTP app (in-process ASGI transport) and the real
upstream client to a real loopback server (tests/support/adversary.py) that answers, by
turn, with other customers' identifiers in every spelling, token splices, answers streamed
in 1-3 character chunks, tool results of the wrong customer, or a benign answer; half the
turns stream. Customers' messages carry their own values (plain, upper-case, spaced,
fullwidth, obfuscated e-mail). Counted, with the leak checker's normalisation:

* foreign values delivered: answers holding another customer's identifier;
* raw values upstream: requests the upstream received holding any customer's identifier;
* 5xx answers, and the latency of a turn (p50/p99, the loopback model included).

Targets (issue #12): 0 foreign values delivered and 0 raw values upstream on SQLite and
PostgreSQL, 10,000 turns, >= 100 customers.

    .venv/bin/python benchmarks/bench_adversarial.py --turns 10000 --customers 120
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.support

from common import machine, machine_speed, postgres_settings, sqlite_settings
from tests.support.adversary import (
    AdversarialUpstream,
    LeakChecker,
    Mode,
    tool_stuffing,
)

from discreet.api import create_app
from discreet.audit import AccessContext, LegalBasis
from discreet.demo.synthetic import make_customers
from discreet.gateway.settings import UpstreamSettings
from discreet.gateway.upstream import AsyncUpstreamClient
from discreet.policy import parse_policy
from discreet.policy.loader import builtin_policy_text
from discreet.settings import Settings
from discreet.vault import MasterKey
from discreet.vault.fields import SubjectRecord
from discreet.wiring import build_gateway

CTX = AccessContext("bench", "benchmark", LegalBasis.LEGITIMATE_INTERESTS)
_FULLWIDTH = {ord(str(d)): 0xFF10 + d for d in range(10)}
LEAKING = (Mode.FOREIGN, Mode.SPLICE, Mode.STREAM_SPLIT)


def policy_text(ner: str) -> str:
    text = builtin_policy_text()
    if ner == "none":
        text = text.replace(
            "detection:\n  threshold: 0.4\n",
            "detection:\n  threshold: 0.4\n  ner:\n    backend: none\n",
        )
    return text


def own_message(fields: dict[str, str], rng: random.Random) -> str:
    """A customer's message with their own values, in one of several spellings."""
    local, domain = fields["email"].split("@")
    digits = "".join(ch for ch in fields["phone"] if ch.isdigit())
    national = "0" + digits[2:]
    name = f"{fields['first_name']} {fields['last_name']}"
    options = [
        f"Hi, I am {name}. Where is my order {fields['order_number']}?",
        f"HELLO, THIS IS {name.upper()}, CUSTOMER {fields['customer_number'].lower()}.",
        f"Please mail me at {local} @ {domain} about the refund.",
        f"My e-mail is {fields['email'].upper()}, can you resend the invoice?",
        f"Call me on {national.translate(_FULLWIDTH)} please.",
        f"Call me on {' '.join(national)} tomorrow.",
        f"My number is 00{digits}, born {fields['date_of_birth']}.",
        "Where is my parcel? It has not arrived yet.",
    ]
    return rng.choice(options)


async def run(
    settings: Settings, turns: int, customers: int, concurrency: int, ner: str, seed: int
) -> dict[str, Any]:
    known = {c.ref: dict(c.fields) for c in make_customers(customers)}
    checker = LeakChecker(known)
    master = MasterKey.generate()
    policy = parse_policy(policy_text(ner), "<bench policy>")
    with AdversarialUpstream(known, Mode.CYCLE, seed=seed, hang_seconds=5.0) as upstream:
        backend = AsyncUpstreamClient(
            UpstreamSettings(base_url=upstream.base_url, model="adversary", max_attempts=1)
        )
        gateway = build_gateway(policy, settings, master_key=master, backend=backend, migrate=True)
        gateway.vault.import_subjects(
            [SubjectRecord(ref, fields) for ref, fields in known.items()], ctx=CTX
        )
        key, _ = gateway.api_keys.create("support")
        refs = sorted(known)
        counts: Counter[str] = Counter()
        latencies: list[float] = []
        foreign_values: Counter[str] = Counter()
        transport = httpx.ASGITransport(app=create_app(gateway))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", timeout=60
        ) as client:
            handed: Counter[tuple[str, int]] = Counter()

            async def worker(w: int) -> None:
                rng = random.Random(seed * 1000 + w)
                for i in range(w, turns, concurrency):
                    own = refs[rng.randrange(len(refs))]
                    fields = known[own]
                    stream = rng.random() < 0.5
                    if rng.random() < 0.1:
                        messages = tool_stuffing(known[own], own_message(fields, rng))
                        # A tool returning ANOTHER customer's record half the time.
                        if rng.random() < 0.5:
                            other = known[refs[rng.randrange(len(refs))]]
                            messages[2]["content"] = f"Order for {other['email']}"
                    else:
                        messages = [{"role": "user", "content": own_message(fields, rng)}]
                    if rng.random() < 0.2:
                        upstream.enqueue(upstream.script(Mode.BENIGN, fields, rng))
                    headers = {
                        "Authorization": f"Bearer {key}",
                        "X-Discreet-Subject": own,
                        # A handed-off conversation stays with people (sticky handoff), so
                        # the customer's next turn opens a new one: every turn meets the model.
                        "X-Discreet-Conversation": f"bench-{own}-{i % 7}-{handed[own, i % 7]}",
                    }
                    body = {"model": "support", "messages": messages, "stream": stream}
                    start = time.perf_counter()
                    response = await client.post("/v1/chat/completions", json=body, headers=headers)
                    latencies.append(time.perf_counter() - start)
                    if response.headers.get("x-discreet-handoff") == "true":
                        handed[own, i % 7] += 1
                    counts[f"{response.status_code // 100}xx"] += 1
                    counts["stream" if stream else "plain"] += 1
                    if response.status_code != 200:
                        counts[f"status {response.status_code}"] += 1
                        continue
                    if stream:
                        text = "".join(
                            json.loads(line[6:])["choices"][0]["delta"].get("content", "")
                            for line in response.text.splitlines()
                            if line.startswith("data: {")
                        )
                    else:
                        text = response.json()["choices"][0]["message"]["content"]
                    leaked = checker.foreign(text, own)
                    if leaked:
                        counts["answers with foreign values"] += 1
                        foreign_values.update(leaked)
                        if os.environ.get("BENCH_SHOW_LEAKS"):  # synthetic values only
                            print("LEAK", stream, own, sorted(leaked), repr(text), file=sys.stderr)

            started = time.perf_counter()
            await asyncio.gather(*(worker(w) for w in range(concurrency)))
            wall = time.perf_counter() - started
        raw_requests = 0
        raw_owners: Counter[str] = Counter()
        for request in upstream.requests:
            try:
                sent = json.dumps(request.json(), ensure_ascii=False)
            except ValueError:
                sent = request.text
            owners = checker.owners(sent)
            if owners:
                raw_requests += 1
                raw_owners.update(owners)
                if os.environ.get("BENCH_SHOW_RAW"):  # synthetic values: debugging only
                    print(sorted(owners), checker.explain(sent), file=sys.stderr)
                    local = known[sorted(owners)[0]]["email"].split("@")[0][:6]
                    at = sent.lower().find(local)
                    print("   ", repr(sent[max(0, at - 80) : at + 80]), file=sys.stderr)
        incidents = sum(
            1
            for entry in gateway.vault.audit_log.entries()
            if entry.action == "incident.cross_subject_leak"
        )
        await gateway.aclose()
        gateway.vault.close()
    ordered = sorted(latencies)
    return {
        "turns": len(latencies),
        "customers": customers,
        "plain / stream": f"{counts['plain']} / {counts['stream']}",
        "answers with foreign values": counts["answers with foreign values"],
        "foreign values delivered": sum(foreign_values.values()),
        "upstream requests": len(upstream.requests),
        "requests with raw values": raw_requests,
        "5xx": counts["5xx"],
        "4xx": counts["4xx"],
        "incidents recorded": incidents,
        "p50 ms": statistics.median(ordered) * 1000,
        "p99 ms": ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] * 1000,
        "turns/s": len(latencies) / wall,
        "statuses": ", ".join(
            f"{k}: {v}" for k, v in sorted(counts.items()) if k.startswith("status")
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--turns", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=120)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--postgres", default=os.environ.get("DISCREET_TEST_POSTGRES_URL"))
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--ner", choices=("builtin", "none"), default="builtin")
    parser.add_argument(
        "--seed",
        type=int,
        default=12,
        help="seed of the adversary and the customers' messages: another seed pairs other "
        "customers with other attacks (runs with one seed still differ by interleaving)",
    )
    args = parser.parse_args()
    rows: list[tuple[str, dict[str, Any]]] = []
    if not args.no_sqlite:
        with sqlite_settings() as settings:
            rows.append(
                (
                    "SQLite",
                    asyncio.run(
                        run(
                            settings,
                            args.turns,
                            args.customers,
                            args.concurrency,
                            args.ner,
                            args.seed,
                        )
                    ),
                )
            )
            print(rows[-1], file=sys.stderr)
    if args.postgres:
        with postgres_settings(args.postgres) as settings:
            rows.append(
                (
                    "PostgreSQL",
                    asyncio.run(
                        run(
                            settings,
                            args.turns,
                            args.customers,
                            args.concurrency,
                            args.ner,
                            args.seed,
                        )
                    ),
                )
            )
    print(f"Machine: {machine()}; {machine_speed()}  ")
    print(f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  ")
    print(f"Concurrency: {args.concurrency}; NER: {args.ner}; seed: {args.seed}\n")
    columns = [c for c in rows[0][1] if c != "statuses"]
    print("| store | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for store, result in rows:
        cells = [
            f"{result[c]:,.1f}"
            if isinstance(result[c], float)
            else f"{result[c]:,}"
            if isinstance(result[c], int)
            else str(result[c])
            for c in columns
        ]
        print(f"| {store} | " + " | ".join(cells) + " |")
    for store, result in rows:
        if result["statuses"]:
            print(f"\n{store} non-200 answers: {result['statuses']}")


if __name__ == "__main__":
    main()
