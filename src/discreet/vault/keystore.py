"""The key store: data keys wrapped by the master key, in a database of their own.

Destroying a row here is what crypto-shredding means: the data store's ciphertexts (and
every backup of them) become unreadable. Each row records the fingerprint of the master
key that wrapped it, so a wrong master key is detected before any unwrap is attempted.

Master keys come in generations (``master_key_generations``), so that rotation is safe
while other processes run:

* exactly one generation is *current*; a rotation adds a *next* one, re-wraps the keys
  under it in batches (each its own transaction, so a crash loses nothing and a rerun
  continues), and finally, in one locked transaction, re-wraps what was wrapped
  meanwhile and makes *next* current and the old one *retired*;
* every wrap checks, in its own transaction and after its insert, that its master key is
  still current or next (one look-up of a table of a few rows): a process holding a
  retired key is refused (:class:`WrongMasterKey`), its new keys rolled back, so the
  store never holds a key the new master cannot open;
* a process that meets a key of a generation it does not hold (an unwrap) or finds its
  key retired (a wrap) re-reads its configured key once (``reload``), keeping the keys it
  already holds, and carries on with the newer generation if that gave it the key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError as DbIntegrityError

from discreet.audit.keyed import CHAIN_TENANT, register_key
from discreet.store.db import Database
from discreet.store.driver import DriverStatement
from discreet.store.keystore_models import MasterKeyGeneration, WrappedKey
from discreet.store.models import table_of
from discreet.vault.crypto import DataKey, MasterKey, associated_data
from discreet.vault.errors import (
    NoRotationUnderWay,
    RotationUnfinished,
    UnusableNewMasterKey,
    WrongMasterKey,
)

_T = table_of(WrappedKey)
_G = table_of(MasterKeyGeneration)
# Built once (bound values at execution): these run on every chat turn, and building a
# statement again each time (expressions, cache keys) cost about as much as running it.
_WRAPPED = DriverStatement(  # every chat turn unwraps a key: on the driver's cursor
    select(_T.c.master_key_id, _T.c.wrapped).where(
        _T.c.tenant == bindparam("tenant"),
        _T.c.kind == bindparam("kind"),
        _T.c.owner_id == bindparam("owner"),
    )
)
_CHUNK = 500  # bound IN (...) lists and executemany batches


class GenerationState(StrEnum):
    CURRENT = "current"
    NEXT = "next"
    RETIRED = "retired"


_LIVE = (GenerationState.CURRENT, GenerationState.NEXT)


@dataclass(frozen=True, slots=True)
class Generation:
    number: int
    master_key_id: str
    state: GenerationState
    created_at: datetime
    retired_at: datetime | None


@dataclass(frozen=True, slots=True)
class KeyStatus:
    """What `discreet keys status` shows: generations, data keys per master key."""

    generations: tuple[Generation, ...]
    data_keys: dict[str, int]

    def _in(self, state: GenerationState) -> Generation | None:
        return next((g for g in self.generations if g.state is state), None)

    @property
    def current(self) -> Generation | None:
        return self._in(GenerationState.CURRENT)

    @property
    def next(self) -> Generation | None:
        """The generation a rotation under way re-wraps to, if any."""
        return self._in(GenerationState.NEXT)

    @property
    def rotation_progress(self) -> tuple[int, int] | None:
        """(data keys wrapped by the next generation, all data keys) during a rotation."""
        pending = self.next
        if pending is None:
            return None
        return self.data_keys.get(pending.master_key_id, 0), sum(self.data_keys.values())


class _Stale(Exception):
    """Raised inside a wrap's transaction (rolling it back) when its master key is no
    longer current or next; carries what the generations say now."""

    def __init__(self, states: dict[str, GenerationState]) -> None:
        super().__init__("the wrapping master key was retired")
        self.states = states


def _generations(conn: Connection) -> list[Generation]:
    return [
        Generation(
            r.generation, r.master_key_id, GenerationState(r.state), r.created_at, r.retired_at
        )
        for r in conn.execute(select(_G).order_by(_G.c.generation)).all()
    ]


def _wrapper_ids(conn: Connection) -> list[str]:
    return list(conn.execute(select(_T.c.master_key_id).distinct()).scalars())


def key_status(db: Database) -> KeyStatus:
    """Generations and data keys per master key (no key material, no master key needed)."""
    with db.read() as conn:
        generations = tuple(_generations(conn))
        per_master = _wrapped_per_master(conn)
    return KeyStatus(generations, {key_id: n for key_id, n, _last in per_master})


class KeyKind(StrEnum):
    SUBJECT = "subject"
    CONVERSATION = "conversation"
    INDEX = "index"


def _ad(tenant: str, kind: KeyKind, owner_id: str) -> bytes:
    return associated_data("discreet/data-key/v1", tenant, kind.value, owner_id)


class KeyStore:
    """Data keys of all tenants, wrapped by the current generation's master key.

    `reload` re-reads this process's configured master key (`vault.master.
    load_master_key`); it is called when a rotation made by another process is noticed.
    """

    def __init__(
        self,
        db: Database,
        master: MasterKey,
        *,
        reload: Callable[[], MasterKey] | None = None,
    ) -> None:
        self.db = db
        self._held: dict[str, MasterKey] = {master.key_id: master}
        self._wrap_with = master
        self._reload = reload

    @property
    def master_key_id(self) -> str:
        """The master key this process wraps new data keys with."""
        return self._wrap_with.key_id

    def hold(self, master: MasterKey) -> None:
        """Also hold `master` (the rotating process holds the old and the new key)."""
        self._held.setdefault(master.key_id, master)

    # --- generations ------------------------------------------------------------------

    def _generation_states(self, conn: Connection) -> dict[str, GenerationState]:
        """Master key id -> state, recording generation 1 first if none is recorded (a
        store made before generations were): the key wrapping its rows, or, in an empty
        store, this process's key."""
        rows = conn.execute(select(_G.c.master_key_id, _G.c.state)).all()
        if rows:
            return {key_id: GenerationState(state) for key_id, state in rows}
        wrappers = _wrapper_ids(conn)
        if len(wrappers) > 1:
            raise WrongMasterKey(
                f"the key store's data keys are wrapped by {len(wrappers)} master keys and "
                "no rotation is recorded: restore the key store from a backup"
            )
        first = wrappers[0] if wrappers else self._wrap_with.key_id
        conn.execute(
            _G.insert(),
            {
                "generation": 1,
                "master_key_id": first,
                "state": GenerationState.CURRENT.value,
                "created_at": datetime.now(UTC),
                "retired_at": None,
            },
        )
        return {first: GenerationState.CURRENT}

    def _adopt(self, states: dict[str, GenerationState]) -> None:
        """Wrap with the current generation's key if this process holds it, else the next
        one's (during a rotation), re-reading the configured key first if it holds
        neither; WrongMasterKey if it still holds neither."""
        if self._choose(states) is None and self._reload is not None:
            fresh = self._reload()
            if states.get(fresh.key_id) in _LIVE:
                self.hold(fresh)
        chosen = self._choose(states)
        if chosen is None:
            raise self._not_live(states)
        self._wrap_with = chosen

    def _choose(self, states: dict[str, GenerationState]) -> MasterKey | None:
        for state in _LIVE:  # current first: a rotation's sweep then has less to do
            for key_id, found in states.items():
                if found is state and key_id in self._held:
                    return self._held[key_id]
        return None

    def _not_live(self, states: dict[str, GenerationState]) -> WrongMasterKey:
        current = next((k for k, s in states.items() if s is GenerationState.CURRENT), "?")
        mine = self._wrap_with.key_id
        if states.get(mine) is GenerationState.RETIRED:
            return WrongMasterKey(
                f"the key store was rotated to master key {current}; this process still "
                f"holds the retired key {mine}: configure the new key and restart"
            )
        return WrongMasterKey(
            f"the key store was wrapped by master key {current}, but the configured master "
            f"key is {mine}"
        )

    def check_master_key(self) -> None:
        """Raise WrongMasterKey unless this process holds the current (or, during a
        rotation, the next) master key and every stored key is wrapped by one of those."""
        with self.db.begin() as conn:
            states = self._generation_states(conn)
            wrappers = _wrapper_ids(conn)
        self._adopt(states)
        for key_id in wrappers:
            if states.get(key_id) not in _LIVE:
                raise WrongMasterKey(
                    f"data keys are wrapped by master key {key_id}, which is not the "
                    "current generation: the key store and its generations disagree"
                )

    def _master_for(self, key_id: str) -> MasterKey:
        """The held master key `key_id`, re-reading the configured key once if it is
        not held (a rotation may have installed it since this process started)."""
        held = self._held.get(key_id)
        if held is None and self._reload is not None:
            fresh = self._reload()
            if fresh.key_id == key_id:
                self.hold(fresh)
                held = fresh
        if held is None:
            with self.db.read() as conn:
                state = conn.execute(
                    select(_G.c.state).where(_G.c.master_key_id == key_id)
                ).scalar_one_or_none()
            during = " (the next generation of a rotation under way)" if state == "next" else ""
            raise WrongMasterKey(
                f"the key store was wrapped by master key {key_id}{during}, but the "
                f"configured master key is {self._wrap_with.key_id}"
            )
        return held

    # --- data keys --------------------------------------------------------------------

    def create(
        self,
        tenant: str,
        kind: KeyKind,
        owner_ids: Sequence[str],
        *,
        conn: Connection | None = None,
    ) -> dict[str, DataKey]:
        """New data keys for `owner_ids`, stored wrapped; returns them unwrapped.

        With `conn`, the rows join that (key-store) transaction; otherwise they are
        committed before this returns. A rotation that retired this process's master key
        is noticed here (module docstring): the wrap is retried once with the new key
        if re-reading the configured key gives it, else refused.
        """
        keys = {owner: DataKey.generate() for owner in owner_ids}
        if conn is not None:
            states = self._insert(conn, tenant, kind, keys)
            if states.get(self._wrap_with.key_id) not in _LIVE:
                self._adopt(states)
                raise WrongMasterKey(
                    "a master-key rotation finished during this call; nothing was kept: "
                    "run it again"
                )
            return keys
        for attempt in range(2):
            try:
                with self.db.begin() as own:
                    states = self._insert(own, tenant, kind, keys)
                    if states.get(self._wrap_with.key_id) not in _LIVE:
                        raise _Stale(states)  # rolls the insert back
                return keys
            except _Stale as stale:
                if attempt:
                    raise self._not_live(stale.states) from None
                self._adopt(stale.states)
        raise AssertionError("unreachable")

    def _insert(
        self, conn: Connection, tenant: str, kind: KeyKind, keys: dict[str, DataKey]
    ) -> dict[str, GenerationState]:
        """Insert the wrapped rows, then read the generations (after the insert: its lock
        orders this transaction with a rotation's last step, see `finish_rotation`)."""
        now = datetime.now(UTC)
        master = self._wrap_with
        rows = [
            {
                "tenant": tenant,
                "kind": kind.value,
                "owner_id": owner,
                "master_key_id": master.key_id,
                "wrapped": master.wrap(key, _ad(tenant, kind, owner)),
                "created_at": now,
                "rotated_at": None,
            }
            for owner, key in keys.items()
        ]
        for start in range(0, len(rows), _CHUNK):
            conn.execute(_T.insert(), rows[start : start + _CHUNK])
        return self._generation_states(conn)

    def get(self, tenant: str, kind: KeyKind, owner_id: str) -> DataKey | None:
        """The unwrapped key, or None if it never existed or was destroyed."""
        with self.db.read() as conn:
            row = _WRAPPED.first(conn, {"tenant": tenant, "kind": kind.value, "owner": owner_id})
        if row is None:
            return None
        master = self._master_for(row.master_key_id)
        return master.unwrap(row.wrapped, _ad(tenant, kind, owner_id))

    def get_or_create(self, tenant: str, kind: KeyKind, owner_id: str) -> DataKey:
        key = self.get(tenant, kind, owner_id)
        if key is not None:
            return key
        try:
            return self.create(tenant, kind, [owner_id])[owner_id]
        except DbIntegrityError:  # another process created it first: use theirs
            key = self.get(tenant, kind, owner_id)
            if key is None:
                raise
            return key

    def destroy(self, tenant: str, kind: KeyKind, owner_ids: Iterable[str]) -> int:
        """Delete keys (crypto-shredding); unknown owners are ignored. Returns the count."""
        owners = list(owner_ids)
        deleted = 0
        with self.db.begin() as conn:
            for start in range(0, len(owners), _CHUNK):
                result = conn.execute(
                    delete(_T).where(
                        _T.c.tenant == tenant,
                        _T.c.kind == kind.value,
                        _T.c.owner_id.in_(owners[start : start + _CHUNK]),
                    )
                )
                deleted += result.rowcount
        if deleted:
            self.db.purge_deleted()
        return deleted

    # --- rotation: begin, re-wrap in batches, finish (each step its own transaction) ---

    def rotate(self, new_master: MasterKey) -> int:
        """Re-wrap every data key under `new_master` (data is untouched); returns how many
        this call re-wrapped. Resumable: after a crash, calling it again with the same
        new key finishes the rotation (0 if it had finished). Afterwards this store wraps
        with `new_master`; the old key opens nothing and wraps nothing."""
        if new_master == self._wrap_with:
            raise UnusableNewMasterKey("the new master key is the current master key")
        if not self.begin_rotation(new_master):
            return 0
        count = 0
        while rewrapped := self.rewrap_batch(new_master):
            count += rewrapped
        return count + self.finish_rotation(new_master)

    def begin_rotation(self, new_master: MasterKey) -> bool:
        """Record `new_master` as the next generation (or find it recorded by a rotation
        that stopped); False if it is the current generation already (rotation done).

        Refuses, writing nothing, unless this process holds the current master key and
        every stored key is wrapped by the current or next one."""
        self.hold(new_master)
        with self.db.begin() as conn:
            states = self._generation_states(conn)
            current = next(k for k, s in states.items() if s is GenerationState.CURRENT)
            pending = next((k for k, s in states.items() if s is GenerationState.NEXT), None)
            if current == new_master.key_id and pending is None:
                return False
            if current not in self._held:
                raise self._not_live(states)
            for key_id in _wrapper_ids(conn):
                if states.get(key_id) not in _LIVE:
                    raise self._not_live(states)
            if pending == new_master.key_id:
                return True
            if pending is not None:
                raise RotationUnfinished(
                    f"a rotation to master key {pending} is unfinished: run `discreet keys "
                    "rotate` again with that key to finish it first"
                )
            if new_master.key_id in states:
                raise UnusableNewMasterKey(
                    f"master key {new_master.key_id} was retired by an earlier rotation: "
                    "generate a new one"
                )
            last = conn.execute(select(func.max(_G.c.generation))).scalar_one()
            conn.execute(
                _G.insert(),
                {
                    "generation": int(last) + 1,
                    "master_key_id": new_master.key_id,
                    "state": GenerationState.NEXT.value,
                    "created_at": datetime.now(UTC),
                    "retired_at": None,
                },
            )
        return True

    def rewrap_batch(self, new_master: MasterKey, size: int = _CHUNK) -> int:
        """Re-wrap up to `size` keys not yet wrapped by `new_master`, in one transaction;
        returns how many (0: none left). Keys wrapped meanwhile by other processes are
        picked up by later batches or by `finish_rotation`."""
        with self.db.begin() as conn:
            return self._rewrap(conn, new_master, limit=size)

    def finish_rotation(self, new_master: MasterKey) -> int:
        """Re-wrap what is left and make `new_master` the current generation, the old one
        retired, in one transaction; returns how many keys it re-wrapped.

        On PostgreSQL the table lock makes new wraps wait for this transaction, and this
        one wait for wraps already inserted; either way a wrap's own check, after its
        insert, sees the outcome (SQLite's one writer orders them the same way)."""
        with self.db.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"LOCK TABLE {_T.name} IN EXCLUSIVE MODE")
            states = self._generation_states(conn)
            if states.get(new_master.key_id) is GenerationState.CURRENT:
                return 0  # finished by an earlier run
            if states.get(new_master.key_id) is not GenerationState.NEXT:
                raise NoRotationUnderWay(
                    f"no rotation to master key {new_master.key_id} is under way"
                )
            count = self._rewrap(conn, new_master, limit=None)
            now = datetime.now(UTC)
            conn.execute(
                update(_G)
                .where(_G.c.state == GenerationState.CURRENT.value)
                .values(state=GenerationState.RETIRED.value, retired_at=now)
            )
            conn.execute(
                update(_G)
                .where(_G.c.master_key_id == new_master.key_id)
                .values(state=GenerationState.CURRENT.value)
            )
        self._wrap_with = new_master
        return count

    def finished_rotation(self, new_key_id: str) -> tuple[str, int] | None:
        """``(the master key it retired, data keys it re-wrapped)`` of the finished
        rotation to `new_key_id`, counted over every run that worked on it; None unless
        that key is the current generation. No key material is read."""
        with self.db.read() as conn:
            generations = _generations(conn)
            new = next((g for g in generations if g.master_key_id == new_key_id), None)
            if new is None or new.state is not GenerationState.CURRENT or new.number == 1:
                return None
            old = next(g.master_key_id for g in generations if g.number == new.number - 1)
            rewrapped = conn.execute(
                select(func.count()).where(
                    _T.c.master_key_id == new_key_id, _T.c.rotated_at.is_not(None)
                )
            ).scalar_one()
        return old, int(rewrapped)

    def _rewrap(self, conn: Connection, new_master: MasterKey, *, limit: int | None) -> int:
        query = select(
            _T.c.tenant, _T.c.kind, _T.c.owner_id, _T.c.master_key_id, _T.c.wrapped
        ).where(_T.c.master_key_id != new_master.key_id)
        if limit is not None:
            query = query.order_by(_T.c.tenant, _T.c.kind, _T.c.owner_id).limit(limit)
        rows = conn.execute(query.with_for_update()).all()
        now = datetime.now(UTC)
        updates: list[dict[str, Any]] = []
        for row in rows:
            ad = _ad(row.tenant, KeyKind(row.kind), row.owner_id)
            key = self._master_for(row.master_key_id).unwrap(row.wrapped, ad)
            updates.append(
                {
                    "b_tenant": row.tenant,
                    "b_kind": row.kind,
                    "b_owner": row.owner_id,
                    "b_master": row.master_key_id,
                    "master_key_id": new_master.key_id,
                    "wrapped": new_master.wrap(key, ad),
                    "rotated_at": now,
                }
            )
        if updates:
            for start in range(0, len(updates), _CHUNK):
                conn.execute(_REWRAP, updates[start : start + _CHUNK])
        return len(updates)

    def counts_by_master_key(self) -> dict[str, int]:
        """How many keys each master key fingerprint wraps (for `discreet keys status`)."""
        return key_status(self.db).data_keys

    def __repr__(self) -> str:
        return f"KeyStore({self.db!r}, master={self._wrap_with.key_id})"


# Matched on the old wrapper too: a key re-wrapped or destroyed since it was read is left.
_REWRAP = (
    update(_T)
    .where(
        _T.c.tenant == bindparam("b_tenant"),
        _T.c.kind == bindparam("b_kind"),
        _T.c.owner_id == bindparam("b_owner"),
        _T.c.master_key_id == bindparam("b_master"),
    )
    .values(
        master_key_id=bindparam("master_key_id"),
        wrapped=bindparam("wrapped"),
        rotated_at=bindparam("rotated_at"),
    )
)


def wrapped_per_master(db: Database) -> list[tuple[str, int, datetime | None]]:
    """``(master key fingerprint, data keys it wraps, last rotation)`` per master key: no
    key material, so reports may read it without the master key."""
    with db.read() as conn:
        return _wrapped_per_master(conn)


def _wrapped_per_master(conn: Connection) -> list[tuple[str, int, datetime | None]]:
    rows = conn.execute(
        select(_T.c.master_key_id, func.count(), func.max(_T.c.rotated_at)).group_by(
            _T.c.master_key_id
        )
    ).all()
    return [(key_id, int(n), last) for key_id, n, last in rows]


def register_audit_chain(data: Database, keys: KeyStore) -> None:
    """Let this process MAC the audit records it appends to `data` (audit/keyed.py): the
    chain key lives in the key store, wrapped by the master key like every other key. The
    vault calls this when it opens; commands that open the data store alone call it too."""
    chain_key = keys.get_or_create(CHAIN_TENANT, KeyKind.INDEX, CHAIN_TENANT)
    register_key(data, chain_key.material)
