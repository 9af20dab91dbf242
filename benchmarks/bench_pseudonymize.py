"""Latency of one chat turn's privacy work: pseudonymise a ~300-character customer message
(detection included) and rehydrate an answer that uses its tokens.

Target (the issue): p99 <= 10 ms on SQLite with the vault token store.

    .venv/bin/python benchmarks/bench_pseudonymize.py                  # memory, SQLite, PostgreSQL
    .venv/bin/python benchmarks/bench_pseudonymize.py --stores memory --ner none

Each measured turn uses a conversation that already has a token map (turns 2..n of a chat,
the common case) except every fifth, which starts a new conversation (map created and
saved). The conversation's subject is known, as in customer service.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime

from common import postgres_settings, sqlite_settings

from discreet.detect import Detector, DetectorConfig, KnownSubject, NerConfig
from discreet.transform import MemoryTokenStore, OperatorConfig, Pseudonymizer, Rehydrator
from discreet.transform.tokens import TokenMapStore

MESSAGE = (
    "Hallo, ik ben Jan de Vries en ik heb een vraag over mijn bestelling A-482913. Het "
    "bedrag is twee keer afgeschreven van NL91 ABNA 0417 1643 00. Kunt u mij terugbellen "
    "op 06-12345678 of mailen naar jan.devries@example.nl? Mijn adres is Dorpsstraat 12, "
    "1234 AB Utrecht. Alvast hartelijk bedankt voor uw hulp!"
)
SUBJECT = KnownSubject(
    name="Jan de Vries",
    email="jan.devries@example.nl",
    phone="+31612345678",
    iban="NL91ABNA0417164300",
    street_address="Dorpsstraat 12",
    postal_code="1234 AB",
    city="Utrecht",
)
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def build_detector(ner: str, model: str | None = None) -> tuple[Detector, str]:
    """The default detector; falls back to patterns-only when the NER model is missing."""
    try:
        detector = Detector(DetectorConfig(ner=NerConfig(backend=ner, model=model)))
        return detector, f"{ner} ({model})" if model else ner
    except Exception as exc:  # benchmark convenience: say what was measured instead
        print(f"note: NER backend {ner!r} unavailable ({type(exc).__name__}); using none")
        return Detector(DetectorConfig(ner=NerConfig(backend="none"))), "none"


Bind = Callable[[str], None]
"""Starts a conversation (binds it to the subject); runs outside the timed region."""


@contextmanager
def memory_store() -> Iterator[tuple[TokenMapStore, Bind]]:
    yield MemoryTokenStore(), lambda _conversation: None


@contextmanager
def vault_store(postgres_url: str | None) -> Iterator[tuple[TokenMapStore, Bind]]:
    """A VaultTokenStore on fresh SQLite files, or on fresh schemas of `postgres_url`.

    The subject is stored in the vault and each conversation bound to it, so token maps
    are encrypted under the subject's key and every load/save is audited, as in production.
    """
    from discreet.audit.context import AccessContext, ActorKind, LegalBasis
    from discreet.vault import MasterKey, VaultTokenStore, open_vault, upgrade_databases

    ctx = AccessContext("bench", "customer_service", LegalBasis.CONTRACT, ActorKind.USER)
    stores = postgres_settings(postgres_url) if postgres_url else sqlite_settings()
    with stores as settings:
        upgrade_databases(settings)
        vault = open_vault(settings, master_key=MasterKey.generate())
        try:
            vault.put_subject("BENCH-1", {"name": "Jan de Vries"}, ctx=ctx)

            def bind(conversation: str) -> None:
                vault.bind_conversation(conversation, "BENCH-1", ctx=ctx)

            yield VaultTokenStore(vault), bind
        finally:
            vault.close()


def run(
    pseudonymizer: Pseudonymizer, store: TokenMapStore, bind: Bind, iterations: int, warmup: int
) -> dict[str, list[float]]:
    """Per-turn milliseconds for the two ways to do a turn, interleaved so that both see
    the same machine noise:

    * ``turn``: `Pseudonymizer.turn` (one map load for pseudonymise and rehydrate; the
      gateway's way);
    * ``separate``: `pseudonymize` then `rehydrate` (a map load each).
    """
    samples: dict[str, list[float]] = {"turn": [], "separate": [], "pseudonymise": []}
    fmt = pseudonymizer.operators.token_format
    run_id = f"{os.getpid()}-{time.time_ns()}"
    for i in range(warmup + iterations):
        conv_turn = f"bench-{run_id}-t{i // 5}"
        conv_sep = f"bench-{run_id}-s{i // 5}"
        if i % 5 == 0:
            bind(conv_turn)
            bind(conv_sep)

        t0 = time.perf_counter()
        turn = pseudonymizer.turn(conv_turn, SUBJECT)
        out = turn.pseudonymize(MESSAGE, language="nl")
        restored = turn.rehydrate(_answer(out.text))
        t1 = time.perf_counter()
        _check(restored.unknown_tokens)

        t2 = time.perf_counter()
        out = pseudonymizer.pseudonymize(MESSAGE, conv_sep, SUBJECT, language="nl")
        t3 = time.perf_counter()
        restored = Rehydrator.for_conversation(conv_sep, store, fmt).rehydrate(_answer(out.text))
        t4 = time.perf_counter()
        _check(restored.unknown_tokens)

        if i >= warmup:
            samples["turn"].append((t1 - t0) * 1000)
            samples["separate"].append((t4 - t2) * 1000)
            samples["pseudonymise"].append((t3 - t2) * 1000)
    return samples


def _answer(pseudonymised: str) -> str:
    """What an assistant might answer: it reuses some of the message's tokens."""
    return f"Beste {pseudonymised[:120]} we hebben het bedrag teruggestort."


def _check(unknown: tuple[str, ...]) -> None:
    if unknown:
        raise SystemExit("benchmark broken: unknown tokens in rehydration")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--ner", default="builtin", choices=["builtin", "spacy", "none"])
    parser.add_argument(
        "--ner-model", default=None, help="spaCy pipeline for --ner spacy (a stand-in model)"
    )
    parser.add_argument(
        "--stores", default="memory,sqlite,postgres", help="comma-separated: memory,sqlite,postgres"
    )
    parser.add_argument(
        "--postgres-url", default=os.environ.get("DISCREET_TEST_POSTGRES_URL", DEFAULT_PG)
    )
    args = parser.parse_args(argv)

    detector, ner = build_detector(args.ner, args.ner_model)
    print(f"date: {datetime.now(UTC).isoformat(timespec='seconds')}")
    print(
        f"machine: {platform.node()} {platform.machine()} {platform.processor() or ''} "
        f"cpus={os.cpu_count()} python={platform.python_version()} {platform.system()} "
        f"load average={os.getloadavg()[0]:.2f}"
    )
    print(f"message: {len(MESSAGE)} chars, language nl, subject known; NER backend: {ner}")
    print(f"iterations: {args.iterations} (+{args.warmup} warm-up)")
    print("turn: Pseudonymizer.turn (1 map load); separate: pseudonymize + rehydrate (2 loads)")
    print("pseud.: pseudonymize alone (detection included)\n")

    factories: dict[str, Callable[[], AbstractContextManager[tuple[TokenMapStore, Bind]]]] = {
        "memory": memory_store,
        "sqlite": lambda: vault_store(None),
        "postgres": lambda: vault_store(args.postgres_url),
    }
    print(
        f"{'store':<22}{'turn p50':>10}{'turn p99':>10}{'sep. p50':>10}{'sep. p99':>10}"
        f"{'pseud. p50':>12}{'pseud. p99':>12}   (ms)"
    )
    for name in args.stores.split(","):
        name = name.strip()
        try:
            with factories[name]() as (store, bind):
                pseudonymizer = Pseudonymizer(detector, OperatorConfig(), store)
                samples = run(pseudonymizer, store, bind, args.iterations, args.warmup)
        except Exception as exc:
            print(f"{name:<22}skipped: {type(exc).__name__}: {str(exc)[:120]}")
            continue
        label = {"memory": "MemoryTokenStore", "sqlite": "vault on SQLite"}.get(
            name, "vault on PostgreSQL"
        )
        cells = "".join(
            f"{statistics.median(samples[k]):>{w}.2f}{percentile(samples[k], 99):>{w}.2f}"
            for k, w in (("turn", 10), ("separate", 10), ("pseudonymise", 12))
        )
        print(f"{label:<22}{cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
