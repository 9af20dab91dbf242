"""Gateway overhead per chat turn: everything discreet adds around the model's own time.

Each turn goes through the real HTTP app (FastAPI over an in-process ASGI transport, so
no socket time), API-key check, conversation binding, audited vault reads, detection and
pseudonymisation of a 5-message (~1 KB) conversation, the output guard, rehydration and
the turn's audit record, on SQLite (WAL, temporary files) and on PostgreSQL when a URL is
given (``--postgres`` or DISCREET_TEST_POSTGRES_URL). The model is a zero-delay
in-process backend whose own time is measured per call and subtracted, so the numbers are
the gateway's overhead alone. Reports p50/p99 per turn at 1 and 32 concurrent
conversations and the sustained turns/s, as a Markdown table with machine and date.

Targets: p99 <= 15 ms at 1 conversation, >= 200 turns/s sustained.

    .venv/bin/python benchmarks/bench_gateway.py --turns 400
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import os
import statistics
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing import get_context
from typing import Any

import httpx
from common import machine, machine_speed, postgres_settings, sqlite_settings

from discreet.api import create_app
from discreet.api.server import tune_for_serving
from discreet.audit import AccessContext, LegalBasis
from discreet.gateway.turn import TURN_THREADS
from discreet.policy import parse_policy
from discreet.settings import Settings
from discreet.vault import MasterKey
from discreet.wiring import build_gateway

POLICY = """\
version: 1
tenant: bench
data_categories:
  identity: {fields: [name], types: {name: PERSON}}
  contact: {fields: [email, phone], types: {email: EMAIL_ADDRESS, phone: PHONE_NUMBER}}
  order:
    fields: [customer_number, order_number, order_status, delivery_date]
    types: {customer_number: CUSTOMER_ID, order_number: ORDER_ID, order_status: plain,
            delivery_date: text}
purposes:
  customer_support: {legal_basis: contract}
assistants:
  support:
    purposes: [customer_support]
    categories: [identity, contact, order]
"""
NER_OFF = "detection:\n  ner: {backend: none}\n"
CTX = AccessContext("bench", "benchmark", LegalBasis.LEGITIMATE_INTERESTS)
ANSWER = (
    "Thanks [PERSON_1]. Your order [ORDER_ID_1] has shipped; we sent the tracking link to "
    "[EMAIL_ADDRESS_1] and will text [PHONE_NUMBER_1] on the day of delivery. Anything else?"
)
_backend_time: contextvars.ContextVar[float] = contextvars.ContextVar("backend_time", default=0.0)


class InstantBackend:
    """A model that answers at once (with tokens to rehydrate); records its own time."""

    async def complete(
        self, messages: Sequence[Mapping[str, Any]], *, params: Mapping[str, Any] | None = None
    ) -> str:
        start = time.perf_counter()
        answer = ANSWER
        _backend_time.set(_backend_time.get() + time.perf_counter() - start)
        return answer

    async def stream(
        self, messages: Sequence[Mapping[str, Any]], *, params: Mapping[str, Any] | None = None
    ) -> AsyncIterator[str]:
        yield ANSWER

    async def aclose(self) -> None:
        pass


def subject_fields(i: int) -> dict[str, str]:
    return {
        "name": f"Annemarie Voorbeeld{i}",
        "email": f"annemarie.{i}@example.org",
        "phone": f"+3161{i:07d}",
        "customer_number": f"CN-{i:08d}",
        "order_number": f"ORD-{i:07d}",
        "order_status": "shipped",
    }


QUESTIONS = (
    "Also, can you tell me whether I can still change the delivery address to my office? "
    "I am at work during the day, so a neighbour would have to take it.",
    "One more thing: the invoice for {order} shows the wrong amount. Could you send a new "
    "one to {email}? I paid by card on the {n}th.",
    "If the parcel cannot arrive before Friday, may I cancel it and order again with "
    "express shipping? Please call me back on {phone} after {n} o'clock.",
    "My sister {first} Voorbeeld ordered the same shoes {n} days ago and hers arrived. Is "
    "there a problem with the warehouse in Utrecht?",
)


def conversation(i: int, turn: int = 0) -> list[dict[str, str]]:
    """Five messages, about 1 KB, with the customer's own details in them. The last
    message is new on every turn (as in a real conversation, where each turn adds one),
    so each turn runs detection on it and on the answer; the other four were seen on
    earlier turns."""
    f = subject_fields(i)
    question = QUESTIONS[turn % len(QUESTIONS)].format(
        order=f["order_number"],
        email=f["email"],
        phone=f["phone"],
        first="Marloes",
        n=turn % 28 + 1,
    )
    return [
        {"role": "system", "content": "You are the support assistant of a web shop. " * 8},
        {
            "role": "user",
            "content": f"Hello, my name is {f['name']} and I ordered a pair of walking shoes "
            f"last week (order {f['order_number']}). It has still not arrived and the tracking "
            "page shows nothing since Monday.",
        },
        {
            "role": "assistant",
            "content": "I'm sorry to hear that. Could you confirm the e-mail address and phone "
            "number on the order, so I can look it up?",
        },
        {
            "role": "user",
            "content": f"Sure, it is {f['email']} and my mobile is {f['phone']}. My customer "
            f"number is {f['customer_number']}, if that helps. I need the shoes before the "
            "weekend because we are going hiking in the Ardennes.",
        },
        {"role": "user", "content": f"{question} (turn {turn})"},
    ]


async def run_conversations(
    client: httpx.AsyncClient, key: str, conversations: Sequence[int], turns_each: int, run: str
) -> tuple[list[float], float, float]:
    """The given conversations in parallel, each doing `turns_each` turns one after
    another; returns per-turn overhead (seconds, model time subtracted), the wall time and
    the process's CPU time (all threads; robust against other load on a shared machine)."""
    latencies: list[float] = []

    async def one(c: int) -> None:
        headers = {
            "Authorization": f"Bearer {key}",
            "X-Discreet-Subject": f"CUST-{c}",
            "X-Discreet-Conversation": f"{run}-{c}",
        }
        for turn in range(turns_each):
            body = {"model": "support", "messages": conversation(c, turn)}
            token = _backend_time.set(0.0)
            start = time.perf_counter()
            response = await client.post("/v1/chat/completions", json=body, headers=headers)
            elapsed = time.perf_counter() - start
            if response.status_code != 200:  # a picklable error: workers report it back
                raise RuntimeError(f"turn failed: {response.status_code} {response.text[:300]}")
            latencies.append(elapsed - _backend_time.get())
            _backend_time.reset(token)

    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one(c) for c in conversations))
    return latencies, time.perf_counter() - start, time.process_time() - cpu


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Job:
    """One process's share of a measurement (picklable, for worker processes)."""

    settings: Settings
    master: str  # base64 master key
    key: str
    conversations: tuple[int, ...]
    turns_each: int
    threads: int
    run: str
    policy: str = POLICY
    start_at: float = 0.0  # wall-clock time to start at, so processes start together


async def session(job: Job) -> tuple[list[float], float, float]:
    policy = parse_policy(job.policy, "<bench policy>")
    gateway = build_gateway(
        policy,
        job.settings,
        master_key=MasterKey.from_base64(job.master),
        backend=InstantBackend(),
    )
    gateway.threads = job.threads
    tune_for_serving()  # as `discreet serve` does once the app is built
    transport = httpx.ASGITransport(app=create_app(gateway))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        await run_conversations(client, job.key, job.conversations[:4], 10, f"warm-{job.run}")
        await asyncio.sleep(max(0.0, job.start_at - time.time()))
        result = await run_conversations(
            client, job.key, job.conversations, job.turns_each, job.run
        )
    await gateway.aclose()
    gateway.vault.close()
    return result


def run_job(job: Job) -> tuple[list[float], float, float]:
    return asyncio.run(session(job))


def measure(
    settings: Settings, turns: int, threads: int, processes: int, policy: str
) -> dict[str, float]:
    master = MasterKey.generate()
    setup = build_gateway(
        parse_policy(policy, "<bench policy>"),
        settings,
        master_key=master,
        backend=InstantBackend(),
        migrate=True,
    )
    for i in range(32):
        setup.vault.put_subject(f"CUST-{i}", subject_fields(i), ctx=CTX)
    key, _ = setup.api_keys.create("support")
    setup.vault.close()
    results: dict[str, float] = {}
    for concurrency in (1, 32):
        workers = 1 if concurrency == 1 else processes
        jobs = [
            Job(
                settings,
                master.to_base64(),
                key,
                tuple(range(w, concurrency, workers)),
                turns // concurrency,
                threads,
                f"c{concurrency}",
                policy,
                time.time() + (20 if workers > 1 else 0),
            )
            for w in range(workers)
        ]
        if workers == 1:
            outcomes = [run_job(jobs[0])]
        else:
            with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
                outcomes = list(pool.map(run_job, jobs))
        latencies = [x for lat, _, _ in outcomes for x in lat]
        wall = max(w for _, w, _ in outcomes)
        cpu = sum(c for _, _, c in outcomes)
        results[f"p50 ms @{concurrency}"] = statistics.median(latencies) * 1000
        results[f"p99 ms @{concurrency}"] = pct(latencies, 0.99) * 1000
        results[f"turns/s @{concurrency}"] = len(latencies) / wall
        results[f"CPU ms/turn @{concurrency}"] = cpu / len(latencies) * 1000
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--turns", type=int, default=640, help="turns per concurrency level")
    parser.add_argument("--postgres", default=os.environ.get("DISCREET_TEST_POSTGRES_URL"))
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument(
        "--threads", type=int, default=TURN_THREADS, help="gateway worker threads per process"
    )
    parser.add_argument(
        "--processes", type=int, default=1, help="gateway processes for the 32-conversation level"
    )
    parser.add_argument(
        "--ner",
        choices=("builtin", "none"),
        default="builtin",
        help="NER backend: the default built-in model, or none (patterns, gazetteer and "
        "known-subject matching only: a policy option that trades recall of unannounced "
        "names and addresses for speed)",
    )
    args = parser.parse_args()
    policy = POLICY + (NER_OFF if args.ner == "none" else "")
    rows: list[tuple[str, dict[str, float]]] = []
    if not args.no_sqlite:
        with sqlite_settings() as settings:
            rows.append(
                (
                    "SQLite (WAL)",
                    measure(settings, args.turns, args.threads, args.processes, policy),
                )
            )
    if args.postgres:
        with postgres_settings(args.postgres) as settings:
            rows.append(
                ("PostgreSQL", measure(settings, args.turns, args.threads, args.processes, policy))
            )

    print(f"Machine: {machine()}; {machine_speed()}  ")
    print(f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  ")
    print(
        f"Turns per level: {args.turns}; worker threads: {args.threads}; "
        f"processes at 32: {args.processes}; NER: {args.ner}; conversation: 5 messages, "
        f"{sum(len(m['content']) for m in conversation(0))} characters; "
        "overhead = turn latency minus the model's own time\n"
    )
    columns = list(rows[0][1])
    print("| backend | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for backend, results in rows:
        print(f"| {backend} | " + " | ".join(f"{results[c]:,.1f}" for c in columns) + " |")


if __name__ == "__main__":
    main()
