"""The key store: data keys wrapped by the master key, in a database of their own.

Destroying a row here is what crypto-shredding means: the data store's ciphertexts (and
every backup of them) become unreadable. Each row records the fingerprint of the master
key that wrapped it, so a wrong master key is detected before any unwrap is attempted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Connection, bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError as DbIntegrityError

from discreet.audit.keyed import CHAIN_TENANT, register_key
from discreet.store.db import Database
from discreet.store.keystore_models import WrappedKey
from discreet.store.models import table_of
from discreet.vault.crypto import DataKey, MasterKey, associated_data
from discreet.vault.errors import WrongMasterKey

_T = table_of(WrappedKey)
# Built once (bound values at execution): these run on every chat turn, and building a
# statement again each time (expressions, cache keys) cost about as much as running it.
_WRAPPED = select(_T.c.master_key_id, _T.c.wrapped).where(
    _T.c.tenant == bindparam("tenant"),
    _T.c.kind == bindparam("kind"),
    _T.c.owner_id == bindparam("owner"),
)
_CHUNK = 500  # bound IN (...) lists and executemany batches


class KeyKind(StrEnum):
    SUBJECT = "subject"
    CONVERSATION = "conversation"
    INDEX = "index"


def _ad(tenant: str, kind: KeyKind, owner_id: str) -> bytes:
    return associated_data("discreet/data-key/v1", tenant, kind.value, owner_id)


class KeyStore:
    """Data keys of all tenants, wrapped by one master key."""

    def __init__(self, db: Database, master: MasterKey) -> None:
        self.db = db
        self._master = master

    @property
    def master_key_id(self) -> str:
        return self._master.key_id

    def _check_wrapped_by_current(self, master_key_id: str) -> None:
        if master_key_id != self._master.key_id:
            raise WrongMasterKey(
                f"the key store was wrapped by master key {master_key_id}, but the "
                f"configured master key is {self._master.key_id}"
            )

    def check_master_key(self) -> None:
        """Raise WrongMasterKey unless every stored key is wrapped by the current key."""
        with self.db.begin() as conn:
            ids = conn.execute(select(_T.c.master_key_id).distinct()).scalars().all()
        for key_id in ids:
            self._check_wrapped_by_current(key_id)

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
        committed before this returns.
        """
        now = datetime.now(UTC)
        keys = {owner: DataKey.generate() for owner in owner_ids}
        rows = [
            {
                "tenant": tenant,
                "kind": kind.value,
                "owner_id": owner,
                "master_key_id": self._master.key_id,
                "wrapped": self._master.wrap(key, _ad(tenant, kind, owner)),
                "created_at": now,
                "rotated_at": None,
            }
            for owner, key in keys.items()
        ]
        if conn is not None:
            for start in range(0, len(rows), _CHUNK):
                conn.execute(_T.insert(), rows[start : start + _CHUNK])
            self._refuse_if_retired(conn, tenant, kind, owner_ids)
        else:
            with self.db.begin() as own:
                for start in range(0, len(rows), _CHUNK):
                    own.execute(_T.insert(), rows[start : start + _CHUNK])
                self._refuse_if_retired(own, tenant, kind, owner_ids)
        return keys

    def _refuse_if_retired(
        self, conn: Connection, tenant: str, kind: KeyKind, owner_ids: Sequence[str]
    ) -> None:
        """Refuse keys just wrapped with a master key that a rotation has retired.

        A server started before `discreet keys rotate` still holds the old master key; a
        key it wraps after the rotation would be one nobody can open together with the
        rest. The check runs after the insert, in its transaction: the insert's lock
        makes a concurrent rotation wait for this transaction (`rotate` locks the table),
        and a rotation that committed first shows in any other row (rotation re-wraps all
        rows at once). WrongMasterKey rolls the new keys back."""
        other = conn.execute(
            select(_T.c.master_key_id)
            .where(
                ~(
                    (_T.c.tenant == tenant)
                    & (_T.c.kind == kind.value)
                    & _T.c.owner_id.in_(list(owner_ids)[:_CHUNK])
                )
            )
            .limit(1)
        ).scalar_one_or_none()
        if other is not None and other != self._master.key_id:
            raise WrongMasterKey(
                f"the key store was rotated to master key {other}; this process still "
                f"holds the retired key {self._master.key_id}: restart it with the new key"
            )

    def get(self, tenant: str, kind: KeyKind, owner_id: str) -> DataKey | None:
        """The unwrapped key, or None if it never existed or was destroyed."""
        with self.db.read() as conn:
            row = conn.execute(
                _WRAPPED, {"tenant": tenant, "kind": kind.value, "owner": owner_id}
            ).one_or_none()
        if row is None:
            return None
        self._check_wrapped_by_current(row.master_key_id)
        return self._master.unwrap(row.wrapped, _ad(tenant, kind, owner_id))

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

    def rotate(self, new_master: MasterKey) -> int:
        """Re-wrap every data key under `new_master` in one transaction; data is untouched.

        The current master key must have wrapped every row (else WrongMasterKey, nothing
        written). Afterwards this store uses `new_master`; the old key opens nothing.
        """
        if new_master == self._master:
            raise ValueError("the new master key is the current master key")
        now = datetime.now(UTC)
        count = 0
        with self.db.begin() as conn:
            if conn.dialect.name == "postgresql":
                # New keys inserted meanwhile would miss the re-wrap: make inserts wait.
                conn.exec_driver_sql(f"LOCK TABLE {_T.name} IN EXCLUSIVE MODE")
            rows = conn.execute(
                select(
                    _T.c.tenant, _T.c.kind, _T.c.owner_id, _T.c.master_key_id, _T.c.wrapped
                ).with_for_update()
            ).all()
            for row in rows:  # check them all before writing anything
                self._check_wrapped_by_current(row.master_key_id)
            updates = []
            for row in rows:
                ad = _ad(row.tenant, KeyKind(row.kind), row.owner_id)
                key = self._master.unwrap(row.wrapped, ad)
                updates.append(
                    {
                        "b_tenant": row.tenant,
                        "b_kind": row.kind,
                        "b_owner": row.owner_id,
                        "master_key_id": new_master.key_id,
                        "wrapped": new_master.wrap(key, ad),
                        "rotated_at": now,
                    }
                )
            stmt = (
                update(_T)
                .where(
                    _T.c.tenant == bindparam("b_tenant"),
                    _T.c.kind == bindparam("b_kind"),
                    _T.c.owner_id == bindparam("b_owner"),
                )
                .values(
                    master_key_id=bindparam("master_key_id"),
                    wrapped=bindparam("wrapped"),
                    rotated_at=bindparam("rotated_at"),
                )
            )
            for start in range(0, len(updates), _CHUNK):
                conn.execute(stmt, updates[start : start + _CHUNK])
                count += len(updates[start : start + _CHUNK])
        self._master = new_master
        return count

    def counts_by_master_key(self) -> dict[str, int]:
        """How many keys each master key fingerprint wraps (for `discreet keys status`)."""
        return {key_id: n for key_id, n, _last in wrapped_per_master(self.db)}

    def __repr__(self) -> str:
        return f"KeyStore({self.db!r}, master={self._master.key_id})"


def wrapped_per_master(db: Database) -> list[tuple[str, int, datetime | None]]:
    """``(master key fingerprint, data keys it wraps, last rotation)`` per master key: no
    key material, so reports may read it without the master key."""
    with db.begin() as conn:
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
