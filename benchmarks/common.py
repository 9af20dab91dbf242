"""What the benchmark scripts share: throw-away SQLite and PostgreSQL stores, the machine."""

from __future__ import annotations

import hashlib
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from discreet.evaluation.bench import machine_info
from discreet.settings import Settings


@contextmanager
def sqlite_settings() -> Iterator[Settings]:
    with tempfile.TemporaryDirectory(prefix="discreet-bench-") as home:
        yield Settings(home=Path(home))


@contextmanager
def postgres_settings(url: str) -> Iterator[Settings]:
    tag = f"bench_{uuid.uuid4().hex[:10]}"
    schemas = (f"{tag}_data", f"{tag}_keys")
    admin = create_engine(url)
    with admin.begin() as conn:
        for schema in schemas:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def scoped(schema: str) -> str:
        parsed = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        return parsed.render_as_string(hide_password=False)

    try:
        yield Settings(database_url=scoped(schemas[0]), keystore_url=scoped(schemas[1]))
    finally:
        with admin.begin() as conn:
            for schema in schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def machine() -> str:
    info = machine_info()
    return f"{info['cpu']}, {info['cores']} cores, Python {info['python']}"


def machine_speed() -> str:
    """A fixed pure-Python workload's time, best of three (lower is faster). The shared
    machine's speed drifts by 2x over a day; this line lets runs on different days be
    compared (same code, same machine kind)."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i & 7
        hashlib.sha256(str(total).encode() * 200_000).hexdigest()
        best = min(best, time.perf_counter() - start)
    return f"reference workload {best * 1000:.0f} ms (benchmarks/common.py machine_speed)"
