"""Latency of the embedded assistant (not a test; timings are not asserted anywhere).

Run: ``.venv/bin/python tests/gateway/bench_assistant.py`` from the repository root.
Answers every question in faq_questions.yaml 30 times with a full customer context and
prints the one-off start-up cost and the per-answer distribution.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date
from pathlib import Path

import yaml

from discreet.gateway.assistant import EmbeddedAssistant
from discreet.gateway.context import (
    CustomerContext,
    OrderStatus,
    OrderSummary,
    render_system_message,
)


def main(rounds: int = 30) -> None:
    context = CustomerContext(
        name="[PERSON_1]",
        email="[EMAIL_ADDRESS_1]",
        last_order=OrderSummary("[ORDER_ID_1]", OrderStatus.SHIPPED, date(2026, 11, 18)),
    )
    system = render_system_message(context)
    rows = yaml.safe_load((Path(__file__).parent / "faq_questions.yaml").read_text("utf-8"))
    turns = [[system, {"role": "user", "content": q}] for lang in rows.values() for q, _ in lang]
    assistant = EmbeddedAssistant()

    start = time.perf_counter()
    assistant.warm_up()
    assistant.answer(turns[0])
    print(
        f"start-up (knowledge bases, BM25 indexes, language model): "
        f"{(time.perf_counter() - start) * 1e3:.0f} ms"
    )

    latencies = []
    for _ in range(rounds):
        for turn in turns:
            start = time.perf_counter()
            assistant.answer(turn)
            latencies.append(time.perf_counter() - start)
    latencies.sort()
    n = len(latencies)
    print(
        f"answer(): n={n} mean {sum(latencies) / n * 1e3:.3f} ms, "
        f"p50 {latencies[n // 2] * 1e3:.3f} ms, p99 {latencies[int(n * 0.99)] * 1e3:.3f} ms"
    )

    async def stream_all() -> float:
        start = time.perf_counter()
        for turn in turns:
            async for _ in assistant.stream(turn):
                pass
        return (time.perf_counter() - start) / len(turns)

    print(f"stream(), whole answer: mean {asyncio.run(stream_all()) * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
