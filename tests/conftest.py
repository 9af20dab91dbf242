"""Shared fixtures: real databases for storage, vault and audit tests.

``store_env`` is parametrised over SQLite (files in a temporary data directory) and
PostgreSQL. The PostgreSQL variant runs when DISCREET_TEST_POSTGRES_URL is set and is
skipped, with that reason shown, otherwise. Each PostgreSQL test gets two fresh schemas
(data store and key store) via ``search_path``, so tests can run in parallel
(pytest-xdist) against one server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from tests.consent.fakes import FakeClock

from discreet.audit import AccessContext, ActorKind, LegalBasis
from discreet.policy import BUILTIN_SOURCE, Policy, builtin_policy_text, parse_policy
from discreet.settings import KEYS_DB_NAME, Settings
from discreet.store import DATA, KEYS, Database, upgrade
from discreet.vault import MasterKey, Vault, open_vault

POSTGRES_ENV = "DISCREET_TEST_POSTGRES_URL"
SKIP_PG_REASON = f"PostgreSQL variant: set {POSTGRES_ENV} to run it"


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def with_search_path(url: str, schema: str) -> str:
    """`url` whose connections use `schema` (psycopg passes `options` to the server)."""
    return (
        make_url(url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )


def libpq_url(url: str) -> str:
    """A URL for pg_dump/psql (no SQLAlchemy driver suffix, no query)."""
    return make_url(url).set(drivername="postgresql", query={}).render_as_string(False)


@dataclass
class StoreEnv:
    """One test's databases, data directory and master key."""

    backend: str
    home: Path
    data_url: str
    keys_url: str
    master_key: MasterKey
    schemas: tuple[str, ...] = ()
    _opened: list[Vault] = field(default_factory=list)
    _dbs: list[Database] = field(default_factory=list)

    @property
    def is_sqlite(self) -> bool:
        return self.backend == "sqlite"

    def settings(self, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "home": self.home,
            "database_url": self.data_url,
            "keystore_url": self.keys_url,
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    def environ(self, *, with_key: bool = True) -> dict[str, str]:
        """DISCREET_* variables for running the CLI against these stores."""
        env = {
            "DISCREET_HOME": str(self.home),
            "DISCREET_DATABASE_URL": self.data_url,
            "DISCREET_KEYSTORE_URL": self.keys_url,
        }
        if with_key:
            env["DISCREET_MASTER_KEY"] = self.master_key.to_base64()
        return env

    def open_vault(self, master_key: MasterKey | None = None, **kwargs: object) -> Vault:
        vault = open_vault(self.settings(), master_key=master_key or self.master_key, **kwargs)  # type: ignore[arg-type]
        self._opened.append(vault)
        return vault

    def data_db(self) -> Database:
        db = Database(self.data_url, name="data store")
        self._dbs.append(db)
        return db

    def keys_db(self) -> Database:
        db = Database(self.keys_url, name="key store")
        self._dbs.append(db)
        return db

    def close(self) -> None:
        for vault in self._opened:
            vault.close()
        for db in self._dbs:
            db.dispose()
        self._opened.clear()
        self._dbs.clear()

    def raw_dump(self) -> bytes:
        """Everything the stores hold on disk (SQLite files + WAL) or in a pg_dump."""
        if self.is_sqlite:
            blobs = []
            for path in sorted(self.home.iterdir()):
                if path.name.endswith((".db", ".db-wal", ".db-shm")):
                    blobs.append(path.read_bytes())
            return b"\n".join(blobs)
        base = postgres_url()
        assert base is not None
        out = subprocess.run(
            ["pg_dump", "--data-only", *[f"--schema={s}" for s in self.schemas], libpq_url(base)],
            check=True,
            capture_output=True,
        )
        return out.stdout


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated SQLite stores, copied for each test (faster than migrating each time)."""
    home = tmp_path_factory.mktemp("template")
    data = Database(f"sqlite:///{home / 'discreet.db'}", name="data store")
    keys = Database(f"sqlite:///{home / KEYS_DB_NAME}", name="key store")
    upgrade(data, DATA)
    upgrade(keys, KEYS)
    data.dispose()
    keys.dispose()
    return home


@pytest.fixture(scope="session")
def postgres_template() -> tuple[str, str] | None:
    """(schema name, SQL) of migrated PostgreSQL stores, replayed for each test.

    Replaying one pg_dump script is much faster than running the migrations per test;
    the migrations themselves are tested in tests/store.
    """
    base = postgres_url()
    if base is None:
        return None
    tag = f"tmpl_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        for suffix in ("data", "keys"):
            conn.execute(text(f'CREATE SCHEMA "{tag}_{suffix}"'))
    data = Database(with_search_path(base, f"{tag}_data"), name="data store")
    keys = Database(with_search_path(base, f"{tag}_keys"), name="key store")
    upgrade(data, DATA)
    upgrade(keys, KEYS)
    data.dispose()
    keys.dispose()
    dump = subprocess.run(
        [
            "pg_dump",
            "--inserts",
            "--no-owner",
            "--no-privileges",
            f"--schema={tag}_data",
            f"--schema={tag}_keys",
            libpq_url(base),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    with admin.begin() as conn:
        for suffix in ("data", "keys"):
            conn.execute(text(f'DROP SCHEMA "{tag}_{suffix}" CASCADE'))
    admin.dispose()
    # psql meta-commands (newer pg_dump emits \restrict) are not SQL.
    sql = "\n".join(line for line in dump.splitlines() if not line.startswith("\\"))
    return tag, sql


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not postgres_url():
        pytest.skip(SKIP_PG_REASON)
    return str(request.param)


@pytest.fixture
def store_env(
    backend: str,
    tmp_path: Path,
    sqlite_template: Path,
    postgres_template: tuple[str, str] | None,
) -> Iterator[StoreEnv]:
    """Migrated data store and key store on `backend`, plus a data directory and key."""
    home = tmp_path / "home"
    home.mkdir()
    key = MasterKey.generate()
    if backend == "sqlite":
        for name in ("discreet.db", KEYS_DB_NAME):
            shutil.copy(sqlite_template / name, home / name)
        env = StoreEnv(
            backend,
            home,
            f"sqlite:///{home / 'discreet.db'}",
            f"sqlite:///{home / KEYS_DB_NAME}",
            key,
        )
        yield env
        env.close()
        return
    base = postgres_url()
    assert base is not None
    tag = uuid.uuid4().hex[:12]
    schemas = (f"t_{tag}_data", f"t_{tag}_keys")
    assert postgres_template is not None
    template, sql = postgres_template
    admin = create_engine(base)
    with admin.connect() as conn:
        conn.exec_driver_sql(sql.replace(template, f"t_{tag}"))
        conn.commit()
    env = StoreEnv(
        backend,
        home,
        with_search_path(base, schemas[0]),
        with_search_path(base, schemas[1]),
        key,
        schemas,
    )
    try:
        yield env
    finally:
        env.close()
        with admin.begin() as conn:
            for schema in schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def vault(store_env: StoreEnv) -> Vault:
    return store_env.open_vault()


@pytest.fixture
def ctx() -> AccessContext:
    return AccessContext(
        actor="agent-7",
        purpose="customer_service",
        legal_basis=LegalBasis.CONTRACT,
        actor_kind=ActorKind.USER,
    )


SAMPLE_SUBJECTS: dict[str, dict[str, str]] = {
    "CUST-48213": {
        "name": "Marieke van Oosterhout",
        "email": "marieke.oosterhout@voorbeeld.nl",
        "phone": "+31 6 48213577",
        "street_address": "Keizersgracht 4821",
        "postal_code": "1015 CX",
        "city": "Zwolle-Noordwest",
        "iban": "NL02ABNA0123456789",
        "customer_number": "CN-48213-77",
    },
    "CUST-77120": {
        "name": "Bartholomew Quenneville",
        "email": "b.quenneville@example.com",
        "phone": "+44 7700 900123",
        "street_address": "17 Wexford Lane",
        "postal_code": "SW1A 2AA",
        "city": "Little Snoring",
        "iban": "GB33BUKB20201555555555",
        "customer_number": "CN-77120-01",
    },
}


@pytest.fixture
def sample_subjects() -> dict[str, dict[str, str]]:
    """Two customers with distinctive values (so a grep for them cannot match by chance)."""
    return {ref: dict(fields) for ref, fields in SAMPLE_SUBJECTS.items()}


@pytest.fixture
def filled_vault(
    vault: Vault, ctx: AccessContext, sample_subjects: dict[str, dict[str, str]]
) -> Vault:
    for ref, fields in sample_subjects.items():
        vault.put_subject(ref, fields, ctx=ctx)
    return vault


@pytest.fixture
def clock() -> FakeClock:
    """A clock the consent, rights and deadline tests move by hand (they never sleep)."""
    return FakeClock(datetime(2027, 1, 31, 9, 30, tzinfo=UTC))


@pytest.fixture
def policy() -> Policy:
    """The built-in (strictest) policy; tests/api overrides it with its own."""
    return parse_policy(builtin_policy_text(), BUILTIN_SOURCE)


@pytest.fixture
def anyio_backend() -> str:
    """`@pytest.mark.anyio` tests run on asyncio, what discreet serves on (uvicorn). anyio
    would add a trio variant of each as soon as trio is installed, and it is, as a
    dependency of selenium (the console's browser tests), not of discreet."""
    return "asyncio"
