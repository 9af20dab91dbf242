"""The vault: encrypted subject records, conversation bindings and token maps.

The safe, hard-to-misuse layer over :mod:`discreet.vault.crypto`:

* every subject has its own data key, wrapped by the master key in the key store;
* every field is AES-256-GCM ciphertext bound to (tenant, subject, field, category);
* look-ups use blind indexes (keyed HMACs), never plaintext;
* every call takes an :class:`AccessContext` and is recorded in the audit log, in the
  same transaction as the change it describes (failures are recorded too);
* erasure destroys the subject's data key first-class (crypto-shredding) and deletes its
  rows, conversations and token maps;
* storage failures surface as :class:`StoreUnavailable`: nothing is returned unaudited.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, text, update
from sqlalchemy.exc import IntegrityError as DbIntegrityError

from discreet.audit.context import AccessContext, Outcome
from discreet.audit.log import AuditEvent, AuditLog, DetailValue
from discreet.errors import InvalidValue
from discreet.store import errors as store_errors
from discreet.store.db import Database
from discreet.store.migrate import DATA, KEYS, ensure_current
from discreet.store.models import (
    BlindIndexEntry,
    Conversation,
    Subject,
    SubjectField,
    TokenMap,
    table_of,
)
from discreet.transform.tokenmerge import TokenMapConflict, merge_maps
from discreet.vault.bindings import ConversationBindings, bound_conversations
from discreet.vault.blind_index import BlindIndexer, IdentifierKind
from discreet.vault.crypto import DataKey, MasterKey, associated_data
from discreet.vault.errors import (
    ConversationSubjectConflict,
    ImportRowError,
    IntegrityError,
    KeyStoreMismatch,
    StoreUnavailable,
    SubjectErased,
    SubjectExists,
    SubjectNotFound,
    VaultError,
    WrongMasterKey,
)
from discreet.vault.fields import (
    FieldCatalog,
    ParsedRow,
    SubjectRecord,
    SubjectView,
    check_tenant,
)
from discreet.vault.identifiers import index_forms
from discreet.vault.keystore import KeyKind, KeyStore, register_audit_chain
from discreet.vault.records import SubjectRecords, decrypt_fields, field_ad

_S = table_of(Subject)
_F = table_of(SubjectField)
_B = table_of(BlindIndexEntry)
_C = table_of(Conversation)
_M = table_of(TokenMap)
# Built once (bound values at execution): these run on every chat turn, and building a
# statement again each time (expressions, cache keys) cost about as much as running it.
_SUBJECT_BY_REF = select(_S.c.id).where(
    _S.c.tenant == bindparam("tenant"), _S.c.ref_digest == bindparam("digest")
)
_CONVERSATION_SUBJECT = select(_C.c.subject_id).where(
    _C.c.tenant == bindparam("tenant"), _C.c.id == bindparam("conversation")
)
_LOCK_CONVERSATION = _CONVERSATION_SUBJECT.with_for_update()
_FIELDS_OF = select(_F.c.field, _F.c.category, _F.c.ciphertext).where(
    _F.c.subject_id == bindparam("subject"), _F.c.field.in_(bindparam("fields", expanding=True))
)
_TOKEN_MAP_OF = select(_M.c.scope, _M.c.ciphertext).where(
    _M.c.tenant == bindparam("tenant"), _M.c.conversation_id == bindparam("conversation")
)

INDEX_KEY_OWNER = "blind-index"
MAX_REF_LEN = 200
MAX_CONVERSATION_ID_LEN = 200
DEFAULT_CHUNK = 1000
_IN_CHUNK = 500


class Action(StrEnum):
    SUBJECT_CREATE = "subject.create"
    SUBJECT_IMPORT = "subject.import"
    SUBJECT_READ = "subject.read"
    SUBJECT_UPDATE = "subject.update"
    SUBJECT_ERASE = "subject.erase"
    SUBJECT_LOOKUP = "subject.lookup"
    SUBJECT_LIST = "subject.list"
    CONVERSATION_BIND = "conversation.bind"
    CONVERSATION_READ = "conversation.read"
    TOKEN_MAP_READ = "token_map.read"
    TOKEN_MAP_WRITE = "token_map.write"
    KEYS_ROTATE = "keys.rotate"


_OUTCOMES: tuple[tuple[type[VaultError], Outcome], ...] = (
    (SubjectNotFound, Outcome.NOT_FOUND),
    (IntegrityError, Outcome.INTEGRITY_ERROR),
    (WrongMasterKey, Outcome.WRONG_KEY),
    (ConversationSubjectConflict, Outcome.CONFLICT),
    (SubjectExists, Outcome.CONFLICT),
    (ImportRowError, Outcome.REJECTED),
)


def _outcome_of(exc: VaultError) -> Outcome:
    for kind, outcome in _OUTCOMES:
        if isinstance(exc, kind):
            return outcome
    return Outcome.ERROR


@dataclass(frozen=True, slots=True)
class ImportReport:
    imported: int
    skipped: tuple[ImportRowError, ...] = ()
    batches: int = 0


@dataclass(frozen=True, slots=True)
class _MapRow:
    subject_id: str | None
    scope: str
    ciphertext: bytes


@dataclass(frozen=True, slots=True)
class TurnRead:
    """What `Vault.read_for_turn` decrypted (values: the repr shows field names only)."""

    subject_id: str
    fields: dict[str, str]
    detection_fields: dict[str, str]
    token_map: dict[str, str]

    def __repr__(self) -> str:
        return (
            f"TurnRead(subject={self.subject_id}, fields={sorted(self.fields)}, "
            f"detection_fields={sorted(self.detection_fields)}, tokens={len(self.token_map)})"
        )


@dataclass(frozen=True, slots=True)
class ErasureReceipt:
    subject_id: str
    fields: int
    conversations: int


@dataclass(slots=True)
class _Op:
    """What one vault call touched, for its audit record."""

    action: Action
    ctx: AccessContext
    subject: str | None = None
    categories: set[str] = field(default_factory=set)
    fields: set[str] = field(default_factory=set)
    details: dict[str, DetailValue] = field(default_factory=dict)

    def event(self, tenant: str, outcome: Outcome) -> AuditEvent:
        return AuditEvent(
            ctx=self.ctx,
            tenant=tenant,
            action=self.action.value,
            outcome=outcome,
            subject=self.subject,
            categories=tuple(self.categories),
            fields=tuple(self.fields),
            details=dict(self.details),
        )


@dataclass(slots=True)
class _ImportRun:
    """Progress and outcome of one `Vault.import_subjects` call."""

    op: _Op
    skip_bad: bool
    skipped: list[ImportRowError] = field(default_factory=list)
    seen: dict[bytes, int] = field(default_factory=dict)
    """Blind index of each subject_ref seen so far -> its line (duplicates in the file)."""
    created: list[str] = field(default_factory=list)
    imported: int = 0
    batches: int = 0
    processed: int = 0

    def reject(self, error: ImportRowError) -> None:
        """Skip a bad row, or abort the whole import (the default)."""
        if not self.skip_bad:
            self.op.details = {"line": error.line}
            raise error
        self.skipped.append(error)

    def chunks(
        self, rows: Iterable[ParsedRow | ImportRowError | SubjectRecord], size: int
    ) -> Iterator[list[tuple[int, SubjectRecord]]]:
        """(line, record) lists of up to `size`; unreadable rows are rejected on the way."""
        chunk: list[tuple[int, SubjectRecord]] = []
        for position, item in enumerate(rows, start=1):
            if isinstance(item, ImportRowError):
                self.reject(item)
                self.processed += 1
                continue
            chunk.append(
                (item.line, item.record) if isinstance(item, ParsedRow) else (position, item)
            )
            if len(chunk) >= size:
                self.processed += len(chunk)
                yield chunk
                chunk = []
        if chunk:
            self.processed += len(chunk)
            yield chunk


@contextmanager
def _unavailable_as_vault_error() -> Iterator[None]:
    try:
        yield
    except StoreUnavailable:
        raise
    except store_errors.StoreUnavailable as exc:
        raise StoreUnavailable(str(exc)) from exc


def _now() -> datetime:
    return datetime.now(UTC)


def _new_subject_id() -> str:
    return "sub_" + secrets.token_hex(12)


def _check_ref(ref: str) -> str:
    if not isinstance(ref, str) or not ref.strip():
        raise InvalidValue("subject_ref is empty", param="subject_ref")
    if len(ref) > MAX_REF_LEN:
        raise InvalidValue(
            f"subject_ref is longer than {MAX_REF_LEN} characters", param="subject_ref"
        )
    return ref.strip()


def _check_conversation_id(conversation_id: str) -> str:
    if (
        not conversation_id
        or len(conversation_id) > MAX_CONVERSATION_ID_LEN
        or any(ord(ch) < 32 for ch in conversation_id)
    ):
        raise InvalidValue(
            f"a conversation id is 1 to {MAX_CONVERSATION_ID_LEN} printable characters",
            param="conversation_id",
        )
    return conversation_id


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Vault:
    """Encrypted subject data of one tenant. Build it with :meth:`open` or
    :func:`discreet.vault.open_vault`; use :meth:`for_tenant` for other tenants."""

    def __init__(
        self,
        data: Database,
        keys: KeyStore,
        *,
        tenant: str = "default",
        catalog: FieldCatalog | None = None,
        phone_region: str | None = None,
        check_schema: bool = True,
    ) -> None:
        self.tenant = check_tenant(tenant)
        if data.is_sqlite and data.url == keys.db.url:
            raise KeyStoreMismatch(
                "the key store must not share the data store's SQLite file (principle 4): "
                "set DISCREET_KEYSTORE_URL to another file"
            )
        self._data = data
        self._keys = keys
        self._catalog = catalog or FieldCatalog()
        self._phone_region = phone_region
        self._audit = AuditLog(data)
        self._bindings = ConversationBindings(data, keys)
        self._records = SubjectRecords(data, keys, self._bindings)
        with _unavailable_as_vault_error():
            if check_schema:
                ensure_current(data, DATA)
                ensure_current(keys.db, KEYS)
            keys.check_master_key()  # refuse to start with a wrong key, before any write
            index_key = keys.get(tenant, KeyKind.INDEX, INDEX_KEY_OWNER)
            if index_key is None:
                self._check_no_subjects_without_keys()
                index_key = keys.get_or_create(tenant, KeyKind.INDEX, INDEX_KEY_OWNER)
            register_audit_chain(data, keys)  # the audit chain's MACs (audit/keyed.py)
        self._indexer = BlindIndexer(index_key.material, tenant, phone_region=phone_region)

    def _check_no_subjects_without_keys(self) -> None:
        """A tenant with subjects but no blind-index key means a foreign key store:
        refuse, rather than silently start a new index that finds nobody."""
        with self._data.begin() as conn:
            has_subjects = conn.execute(
                select(_S.c.id).where(_S.c.tenant == self.tenant).limit(1)
            ).first()
        if has_subjects is not None:
            raise KeyStoreMismatch(
                f"the data store has subjects of tenant {self.tenant!r} but the key store "
                "has no keys for them: is DISCREET_KEYSTORE_URL the key store that belongs "
                "to this data store?"
            )

    @classmethod
    def open(
        cls,
        data_url: str,
        keys_url: str,
        master_key: MasterKey,
        *,
        tenant: str = "default",
        catalog: FieldCatalog | None = None,
        phone_region: str | None = None,
    ) -> Vault:
        with _unavailable_as_vault_error():
            data = Database(data_url, name="data store")
            keys = Database(keys_url, name="key store")
        return cls(
            data,
            KeyStore(keys, master_key),
            tenant=tenant,
            catalog=catalog,
            phone_region=phone_region,
        )

    def for_tenant(self, tenant: str) -> Vault:
        """A vault for another tenant sharing this one's stores and master key."""
        if tenant == self.tenant:
            return self
        return Vault(
            self._data,
            self._keys,
            tenant=tenant,
            catalog=self._catalog,
            phone_region=self._phone_region,
            check_schema=False,
        )

    @property
    def audit_log(self) -> AuditLog:
        return self._audit

    @property
    def data_store(self) -> Database:
        return self._data

    @property
    def key_store(self) -> KeyStore:
        return self._keys

    @property
    def catalog(self) -> FieldCatalog:
        return self._catalog

    def check_ready(self) -> None:
        """Raise unless both stores answer and every key is wrapped by the configured master
        key (``/readyz``)."""
        with self._data.read() as conn:
            conn.execute(text("SELECT 1"))
        self._keys.check_master_key()

    @property
    def master_key_id(self) -> str:
        return self._keys.master_key_id

    def close(self) -> None:
        self._data.dispose()
        self._keys.db.dispose()

    def __repr__(self) -> str:
        return f"Vault(tenant={self.tenant!r}, master={self._keys.master_key_id})"

    # --- plumbing ---------------------------------------------------------------------

    @contextmanager
    def _operation(self, ctx: AccessContext, action: Action) -> Iterator[_Op]:
        """Run one audited call: failures on purpose get a failure record, then re-raise."""
        if not isinstance(ctx, AccessContext):
            raise TypeError("ctx must be an AccessContext")
        op = _Op(action, ctx)
        try:
            with _unavailable_as_vault_error():
                yield op
        except StoreUnavailable:
            raise
        except VaultError as exc:
            with _unavailable_as_vault_error():
                self._audit.append(op.event(self.tenant, _outcome_of(exc)))
            raise

    def _field_ad(self, subject_id: str, name: str, category: str) -> bytes:
        return field_ad(self.tenant, subject_id, name, category)

    def _decrypt_fields(self, subject_id: str, key: DataKey, rows: Iterable[Any]) -> dict[str, str]:
        """Field name -> plaintext for rows of (field, category, ciphertext)."""
        return decrypt_fields(self.tenant, subject_id, key, rows)

    def _ref_ad(self, subject_id: str) -> bytes:
        return associated_data("discreet/subject-ref/v1", self.tenant, subject_id)

    def _token_map_ad(self, conversation_id: str, scope: KeyKind, owner: str) -> bytes:
        return associated_data(
            "discreet/token-map/v1", self.tenant, conversation_id, scope.value, owner
        )

    def _find_subject_id(self, conn: Connection, ref: str) -> str | None:
        digest = self._indexer.digest(IdentifierKind.SUBJECT_REF, _check_ref(ref))
        found: str | None = conn.execute(
            _SUBJECT_BY_REF, {"tenant": self.tenant, "digest": digest}
        ).scalar_one_or_none()
        return found

    def _require_subject_id(self, conn: Connection, ref: str) -> str:
        subject_id = self._find_subject_id(conn, ref)
        if subject_id is None:
            raise SubjectNotFound(f"no subject with that reference in tenant {self.tenant!r}")
        return subject_id

    def _subject_key(self, subject_id: str) -> DataKey:
        key = self._keys.get(self.tenant, KeyKind.SUBJECT, subject_id)
        if key is None:
            raise SubjectErased(
                f"subject {subject_id}'s data key no longer exists (erased); "
                "its data cannot be read"
            )
        return key

    def _field_rows(
        self, subject_id: str, key: DataKey, fields: Mapping[str, str], now: datetime
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Encrypted field rows and blind-index rows for one subject's fields."""
        field_rows: list[dict[str, Any]] = []
        index_rows: list[dict[str, Any]] = []
        # The AD encoding is a concatenation, so the per-subject prefix is built once.
        ad_prefix = associated_data("discreet/field/v1", self.tenant, subject_id)
        for name, value in fields.items():
            category = self._catalog.category(name)
            if not isinstance(value, str) or not value:
                raise InvalidValue(f"field {name!r} must be a non-empty string", param=name)
            field_rows.append(
                {
                    "subject_id": subject_id,
                    "field": name,
                    "category": category,
                    "ciphertext": key.encrypt(
                        value.encode("utf-8"), ad_prefix + associated_data(name, category)
                    ),
                    "updated_at": now,
                }
            )
        index_rows = self._index_rows(subject_id, fields)
        return field_rows, index_rows

    def _index_rows(self, subject_id: str, fields: Mapping[str, str]) -> list[dict[str, Any]]:
        """Blind-index rows for a subject's fields: every form `vault.identifiers` derives
        (the output guard looks answers up in them)."""
        return [
            {
                "subject_id": subject_id,
                "field": label,
                "tenant": self.tenant,
                "kind": kind.value,
                "digest": self._indexer.digest(kind, value),
            }
            for label, kind, value in index_forms(
                fields, self._catalog.indexed, phone_region=self._phone_region
            )
        ]

    def _reindex_subject(self, conn: Connection, subject_id: str, key: DataKey) -> None:
        """Rebuild all of a subject's blind-index rows from all its fields (a composed
        name depends on two fields, so a change to one rebuilds them all)."""
        rows = conn.execute(
            select(_F.c.field, _F.c.category, _F.c.ciphertext).where(_F.c.subject_id == subject_id)
        ).all()
        values = self._decrypt_fields(subject_id, key, rows)
        conn.execute(delete(_B).where(_B.c.subject_id == subject_id))
        index_rows = self._index_rows(subject_id, values)
        if index_rows:
            conn.execute(_B.insert(), index_rows)

    def reindex(self, *, ctx: AccessContext, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild the blind index of every subject of this tenant (after an upgrade that
        adds identifier forms, or a policy that declares more identifier fields); returns
        the number of subjects. Subjects whose key is gone (erased) are skipped."""
        with self._operation(ctx, Action.SUBJECT_UPDATE) as op:
            with self._data.begin() as conn:
                ids = list(
                    conn.execute(select(_S.c.id).where(_S.c.tenant == self.tenant)).scalars()
                )
            done = 0
            for part in _chunks(ids, _IN_CHUNK):
                with self._data.begin() as conn:
                    for subject_id in part:
                        with suppress(SubjectErased):
                            self._reindex_subject(conn, subject_id, self._subject_key(subject_id))
                            done += 1
                if progress:
                    progress(done)
            op.details = {"reindexed": done}
            self._audit.append(op.event(self.tenant, Outcome.OK))
            return done

    # --- subjects ---------------------------------------------------------------------

    def put_subject(self, ref: str, fields: Mapping[str, str], *, ctx: AccessContext) -> str:
        """Create a subject; returns its pseudonymous id. SubjectExists if `ref` is taken."""
        with self._operation(ctx, Action.SUBJECT_CREATE) as op:
            ref = _check_ref(ref)
            op.fields = set(fields)
            op.categories = {self._catalog.category(name) for name in fields}
            exists = SubjectExists(f"a subject with that reference exists in {self.tenant!r}")
            try:
                with self._data.begin() as conn:
                    if self._find_subject_id(conn, ref) is not None:
                        raise exists
                    ids = self._insert_subjects(conn, [SubjectRecord(ref, fields)], None)
                    op.subject = ids[0]
                    self._audit.append(op.event(self.tenant, Outcome.OK), conn=conn)
            except DbIntegrityError:  # a concurrent writer created the same reference
                raise exists from None
            return ids[0]

    def _insert_subjects(
        self, conn: Connection, records: Sequence[SubjectRecord], key_conn: Connection | None
    ) -> list[str]:
        """Insert new subjects (refs already checked unique); returns their ids.

        Without `key_conn` the new data keys are committed at once; if the data
        transaction then fails they are destroyed again (best effort).
        """
        now = _now()
        ids = [_new_subject_id() for _ in records]
        keys = self._keys.create(self.tenant, KeyKind.SUBJECT, ids, conn=key_conn)
        subjects: list[dict[str, Any]] = []
        field_rows: list[dict[str, Any]] = []
        index_rows: list[dict[str, Any]] = []
        try:
            for subject_id, record in zip(ids, records, strict=True):
                key = keys[subject_id]
                subjects.append(
                    {
                        "id": subject_id,
                        "tenant": self.tenant,
                        "ref_digest": self._indexer.digest(IdentifierKind.SUBJECT_REF, record.ref),
                        "ref_ciphertext": key.encrypt(
                            record.ref.encode("utf-8"), self._ref_ad(subject_id)
                        ),
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                f_rows, i_rows = self._field_rows(subject_id, key, record.fields, now)
                field_rows += f_rows
                index_rows += i_rows
            conn.execute(_S.insert(), subjects)
            if field_rows:
                conn.execute(_F.insert(), field_rows)
            if index_rows:
                conn.execute(_B.insert(), index_rows)
        except BaseException:
            if key_conn is None:
                self._keys.destroy(self.tenant, KeyKind.SUBJECT, ids)
            raise
        return ids

    def import_subjects(
        self,
        rows: Iterable[ParsedRow | ImportRowError | SubjectRecord],
        *,
        ctx: AccessContext,
        skip_bad: bool = False,
        chunk_size: int = DEFAULT_CHUNK,
        progress: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """Create many subjects: all or nothing, unless `skip_bad` skips the bad rows.

        Rows are inserted in bulk, `chunk_size` at a time, inside one data-store
        transaction (and one key-store transaction), with one audit record per chunk
        holding counts. A bad row (empty or duplicate subject_ref, a ref that already
        exists, an unknown field) raises :class:`ImportRowError` naming its line, and
        nothing is imported. `progress` is called with the number of rows processed.
        """
        with self._operation(ctx, Action.SUBJECT_IMPORT) as op:
            run = _ImportRun(op, skip_bad)
            try:
                with self._data.begin() as conn, self._keys.db.begin() as key_conn:
                    for chunk in run.chunks(rows, chunk_size):
                        self._import_chunk(conn, key_conn, chunk, run)
                        if progress:
                            progress(run.processed)
            except BaseException:
                if run.created:  # keys may have been committed just before the data failed
                    with suppress(store_errors.StorageError):
                        self._keys.destroy(self.tenant, KeyKind.SUBJECT, run.created)
                raise
            return ImportReport(run.imported, tuple(run.skipped), run.batches)

    def _import_chunk(
        self,
        conn: Connection,
        key_conn: Connection,
        chunk: list[tuple[int, SubjectRecord]],
        run: _ImportRun,
    ) -> None:
        skipped_before = len(run.skipped)
        good: list[tuple[int, SubjectRecord, bytes]] = []
        for line, record in chunk:
            try:
                ref = _check_ref(record.ref)
                for name, value in record.fields.items():
                    self._catalog.category(name)
                    if not isinstance(value, str) or not value:
                        raise ValueError(f"field {name!r} must be a non-empty string")
            except (ValueError, VaultError) as exc:
                run.reject(ImportRowError(line, str(exc)))
                continue
            digest = self._indexer.digest(IdentifierKind.SUBJECT_REF, ref)
            if digest in run.seen:
                run.reject(
                    ImportRowError(line, f"subject_ref repeats the one on line {run.seen[digest]}")
                )
                continue
            run.seen[digest] = line
            good.append((line, SubjectRecord(ref, record.fields), digest))
        existing: set[bytes] = set()
        for part in _chunks([digest for _, _, digest in good], _IN_CHUNK):
            existing.update(
                conn.execute(
                    select(_S.c.ref_digest).where(
                        _S.c.tenant == self.tenant, _S.c.ref_digest.in_(part)
                    )
                ).scalars()
            )
        records: list[SubjectRecord] = []
        for line, record, digest in good:
            if digest in existing:
                run.reject(ImportRowError(line, "a subject with this subject_ref already exists"))
            else:
                records.append(record)
        if records:
            run.created += self._insert_subjects(conn, records, key_conn)
        touched = {name for record in records for name in record.fields}
        categories = {self._catalog.category(name) for name in touched}
        run.op.fields |= touched
        run.op.categories |= categories
        run.imported += len(records)
        run.batches += 1
        event = AuditEvent(
            ctx=run.op.ctx,
            tenant=self.tenant,
            action=Action.SUBJECT_IMPORT.value,
            outcome=Outcome.OK,
            categories=tuple(categories),
            fields=tuple(touched),
            details={
                "batch": run.batches,
                "subjects": len(records),
                "skipped": len(run.skipped) - skipped_before,
            },
        )
        self._audit.append(event, conn=conn)

    def get_subject(
        self,
        ref: str,
        *,
        ctx: AccessContext,
        fields: Iterable[str] | None = None,
        categories: Iterable[str] | None = None,
    ) -> SubjectView:
        """Decrypt a subject's fields (all, or only those named / in those categories)."""
        with self._operation(ctx, Action.SUBJECT_READ) as op:
            wanted_fields = set(fields) if fields is not None else None
            wanted_categories = set(categories) if categories is not None else None
            with self._data.begin() as conn:
                subject_id = self._require_subject_id(conn, ref)
                op.subject = subject_id
                query = select(_F.c.field, _F.c.category, _F.c.ciphertext).where(
                    _F.c.subject_id == subject_id
                )
                if wanted_fields is not None:
                    query = query.where(_F.c.field.in_(wanted_fields))
                if wanted_categories is not None:
                    query = query.where(_F.c.category.in_(wanted_categories))
                rows = conn.execute(query).all()
                op.fields = {row.field for row in rows}
                op.categories = {row.category for row in rows}
                key = self._subject_key(subject_id)
                values = self._decrypt_fields(subject_id, key, rows)
                self._audit.append(op.event(self.tenant, Outcome.OK), conn=conn)
            return SubjectView(
                subject_id=subject_id,
                fields=values,
                categories={row.field: row.category for row in rows},
            )

    def list_subjects(
        self, *, ctx: AccessContext, limit: int | None = None
    ) -> list[tuple[str, str, tuple[str, ...]]]:
        """(pseudonymous id, reference, field names) of the tenant's subjects, oldest first;
        references decrypted, field values not read. One audit record for the listing
        (``subject.list``). Erased subjects (no key) are not listed."""
        with self._operation(ctx, Action.SUBJECT_LIST) as op:
            with self._data.begin() as conn:
                query = (
                    select(_S.c.id, _S.c.ref_ciphertext)
                    .where(_S.c.tenant == self.tenant)
                    .order_by(_S.c.created_at, _S.c.id)
                )
                rows = conn.execute(query if limit is None else query.limit(limit)).all()
                names: dict[str, list[str]] = {}
                ids = [row.id for row in rows]
                if ids:
                    for subject_id, name in conn.execute(
                        select(_F.c.subject_id, _F.c.field)
                        .where(_F.c.subject_id.in_(ids))
                        .order_by(_F.c.field)
                    ):
                        names.setdefault(subject_id, []).append(name)
                listed = []
                for row in rows:
                    key = self._keys.get(self.tenant, KeyKind.SUBJECT, row.id)
                    if key is None:
                        continue
                    ref = key.decrypt(row.ref_ciphertext, self._ref_ad(row.id)).decode("utf-8")
                    listed.append((row.id, ref, tuple(names.get(row.id, ()))))
                op.fields = {IdentifierKind.SUBJECT_REF.value}
                op.details = {"subjects": len(listed)}
                self._audit.append(op.event(self.tenant, Outcome.OK), conn=conn)
            return listed

    def subject_id(self, ref: str, *, ctx: AccessContext) -> str:
        """The pseudonymous id of the subject with reference `ref`."""
        with self._operation(ctx, Action.SUBJECT_LOOKUP) as op:
            with self._data.begin() as conn:
                op.subject = self._require_subject_id(conn, ref)
                op.fields = {IdentifierKind.SUBJECT_REF.value}
                self._audit.append(op.event(self.tenant, Outcome.OK), conn=conn)
            return op.subject

    def update_fields(
        self, ref: str, changes: Mapping[str, str | None], *, ctx: AccessContext
    ) -> None:
        """Set fields (a None value deletes the field), re-encrypting only those fields."""
        with self._operation(ctx, Action.SUBJECT_UPDATE) as op:
            op.fields = set(changes)
            op.categories = {self._catalog.category(name) for name in changes}
            with self._data.begin() as conn:
                subject_id = self._require_subject_id(conn, ref)
                op.subject = subject_id
                key = self._subject_key(subject_id)
                now = _now()
                names = list(changes)
                conn.execute(delete(_F).where(_F.c.subject_id == subject_id, _F.c.field.in_(names)))
                kept = {name: value for name, value in changes.items() if value is not None}
                field_rows, _ = self._field_rows(subject_id, key, kept, now)
                if field_rows:
                    conn.execute(_F.insert(), field_rows)
                self._reindex_subject(conn, subject_id, key)
                conn.execute(update(_S).where(_S.c.id == subject_id).values(updated_at=now))
                op.details = {"set": len(kept), "deleted": len(changes) - len(kept)}
                self._audit.append(op.event(self.tenant, Outcome.OK), conn=conn)

    def erase_subject(self, ref: str, *, ctx: AccessContext) -> ErasureReceipt:
        """Crypto-shred a subject: destroy its data key, delete its rows, conversations
        and token maps. Works even if the key is already gone (e.g. a restored backup)."""
        with self._operation(ctx, Action.SUBJECT_ERASE) as op:
            with self._data.begin() as conn:
                subject_id = self._require_subject_id(conn, ref)
                op.subject = subject_id
                rows = conn.execute(
                    select(_F.c.field, _F.c.category).where(_F.c.subject_id == subject_id)
                ).all()
                op.fields = {row.field for row in rows}
                op.categories = {row.category for row in rows}
                # The audit record goes in first: the shredding destroys keys before the
                # data transaction commits (see discreet.vault.records).
                conversations = len(bound_conversations(conn, self.tenant, [subject_id]))
                op.details = {"fields": len(rows), "conversations": conversations}
                self._audit.append(op.event(self.tenant, Outcome.OK), conn=conn)
                self._records.shred(conn, self.tenant, [subject_id])
            return ErasureReceipt(subject_id, len(rows), conversations)

    # --- blind-index look-ups ---------------------------------------------------------

    def find_subjects_by_identifier(
        self, kind: IdentifierKind | str, value: str, *, ctx: AccessContext
    ) -> frozenset[str]:
        """Pseudonymous ids of this tenant's subjects with that identifier (normalised)."""
        kind = IdentifierKind(kind)
        return self.find_subjects_by_identifiers([(kind, value)], ctx=ctx)[(kind, value)]

    def find_subjects_by_identifiers(
        self, queries: Iterable[tuple[IdentifierKind | str, str]], *, ctx: AccessContext
    ) -> dict[tuple[IdentifierKind, str], frozenset[str]]:
        """Batch form, e.g. for the output guard: every identifier found in an answer →
        the subjects it belongs to (empty set if none). One audit record per call."""
        with self._operation(ctx, Action.SUBJECT_LOOKUP) as op:
            wanted: dict[tuple[IdentifierKind, bytes], list[tuple[IdentifierKind, str]]] = {}
            for raw_kind, value in queries:
                kind = IdentifierKind(raw_kind)
                wanted.setdefault((kind, self._indexer.digest(kind, value)), []).append(
                    (kind, value)
                )
            found: dict[tuple[IdentifierKind, bytes], set[str]] = {k: set() for k in wanted}
            by_kind: dict[IdentifierKind, list[bytes]] = {}
            for kind, digest in wanted:
                by_kind.setdefault(kind, []).append(digest)
            with self._data.begin() as conn:
                for kind, digests in by_kind.items():
                    for part in _chunks(digests, _IN_CHUNK):
                        if kind is IdentifierKind.SUBJECT_REF:
                            query = select(_S.c.ref_digest, _S.c.id).where(
                                _S.c.tenant == self.tenant, _S.c.ref_digest.in_(part)
                            )
                        else:
                            query = select(_B.c.digest, _B.c.subject_id).where(
                                _B.c.tenant == self.tenant,
                                _B.c.kind == kind.value,
                                _B.c.digest.in_(part),
                            )
                        for digest, subject_id in conn.execute(query).all():
                            found[(kind, digest)].add(subject_id)
                matches = {s for ids in found.values() for s in ids}
                op.fields = {kind.value for kind in by_kind}
                op.details = {"queries": len(wanted), "subjects_matched": len(matches)}
                self._audit.append(op.event(self.tenant, Outcome.OK), conn=conn)
            result: dict[tuple[IdentifierKind, str], frozenset[str]] = {}
            for key, originals in wanted.items():
                for original in originals:
                    result[original] = frozenset(found[key])
            return result

    def match_identifiers(
        self, queries: Iterable[tuple[IdentifierKind, str]]
    ) -> dict[tuple[IdentifierKind, str], frozenset[str]]:
        """The output guard's look-up (`guard.leaks`): canonical identifier forms -> the
        subjects holding them, in one indexed query per kind and chunk.

        Not audited here: it reads digests only, and the turn that asks records the
        look-up (counts, never values) in its own audit record, in one transaction with
        the turn; an audit write per answer would double the turn's writes."""
        wanted: dict[tuple[str, bytes], list[tuple[IdentifierKind, str]]] = {}
        listed = list(queries)
        for (kind, value), digest in zip(listed, self._indexer.digest_many(listed), strict=True):
            wanted.setdefault((kind.value, digest), []).append((kind, value))
        found: dict[tuple[str, bytes], set[str]] = {}
        by_kind: dict[str, list[bytes]] = {}
        for kind_value, digest in wanted:
            by_kind.setdefault(kind_value, []).append(digest)
        with _unavailable_as_vault_error(), self._data.read() as conn:
            # Plain SQL with one placeholder per digest: SQLAlchemy's expanding IN costs
            # about 30 us per bound value to render, ten times the look-up itself.
            mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            for kind_value, digests in by_kind.items():
                for part in _chunks(digests, _IN_CHUNK):
                    sql = (
                        f"SELECT digest, subject_id FROM {_B.name} WHERE tenant = {mark} "
                        f"AND kind = {mark} AND digest IN ({', '.join([mark] * len(part))})"
                    )
                    rows = conn.exec_driver_sql(sql, (self.tenant, kind_value, *part))
                    for digest, subject_id in rows:
                        found.setdefault((kind_value, bytes(digest)), set()).add(subject_id)
        result: dict[tuple[IdentifierKind, str], frozenset[str]] = {}
        for key, originals in wanted.items():
            subjects = frozenset(found.get(key, ()))
            for original in originals:
                result[original] = subjects
        return result

    # --- conversations and token maps -------------------------------------------------

    def bind_conversation(
        self, conversation_id: str, subject_ref: str, *, ctx: AccessContext
    ) -> str:
        """Bind a conversation to a subject for good; returns the subject's pseudonym.

        Binding again to the same subject is a no-op; to another raises
        ConversationSubjectConflict. A token map saved before binding moves under the
        subject's key, and the conversation's own key is destroyed.
        """
        conversation_id = _check_conversation_id(conversation_id)
        for attempt in range(2):
            try:
                return self._bind_once(conversation_id, subject_ref, ctx)
            except DbIntegrityError:  # a concurrent first bind inserted the row first
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _bind_once(self, conversation_id: str, subject_ref: str, ctx: AccessContext) -> str:
        with self._operation(ctx, Action.CONVERSATION_BIND) as op, self._data.begin() as conn:
            subject_id = self._require_subject_id(conn, subject_ref)
            op.subject = subject_id
            _, moved = self._bind_in(conn, conversation_id, subject_id)
            op.details = {"token_map_moved": moved}
            self._audit.append(op.event(self.tenant, Outcome.OK), conn=conn)
        if moved:
            with _unavailable_as_vault_error():
                self._keys.destroy(self.tenant, KeyKind.CONVERSATION, [conversation_id])
        return subject_id

    def _bind_in(
        self, conn: Connection, conversation_id: str, subject_id: str
    ) -> tuple[bool, bool]:
        """Bind inside `conn`'s transaction (no-op when bound to `subject_id` already).
        Returns (bound by this call, token map moved under the subject's key: destroy the
        conversation's own key after the commit)."""
        row = conn.execute(
            _LOCK_CONVERSATION, {"tenant": self.tenant, "conversation": conversation_id}
        ).one_or_none()
        if row is None:
            conn.execute(
                _C.insert(),
                {
                    "tenant": self.tenant,
                    "id": conversation_id,
                    "subject_id": subject_id,
                    "created_at": _now(),
                },
            )
            return True, False
        if row.subject_id == subject_id:
            return False, False
        if row.subject_id is not None:
            raise ConversationSubjectConflict(
                f"conversation {conversation_id!r} is already bound to another subject"
            )
        moved = self._move_token_map_to_subject(conn, conversation_id, subject_id)
        conn.execute(
            update(_C)
            .where(_C.c.tenant == self.tenant, _C.c.id == conversation_id)
            .values(subject_id=subject_id)
        )
        return True, moved

    def read_for_turn(
        self,
        conversation_id: str,
        subject_ref: str,
        *,
        ctx: AccessContext,
        fields: Iterable[str],
        detection_fields: Iterable[str] = (),
    ) -> TurnRead:
        """Everything a chat turn needs from the vault, with ONE audit record, committed
        before anything is returned: bind the conversation to the subject (a no-op when
        bound to it already; ConversationSubjectConflict when bound to another; the first
        turn reads, binds and audits in one writing transaction, later turns read in a
        read transaction and append the record after it), decrypt the named `fields`
        (what the assistant may see) and `detection_fields` (identifiers read only so
        detection finds them; the caller must not pass them on), and load the
        conversation's token map.

        The audit record is a ``subject.read`` under `ctx` (the assistant and purpose)
        naming every field and category decrypted; its details say which of them were
        read for detection only, whether this call bound the conversation, and how many
        tokens the map held. A turn of a conversation already bound costs one subject
        key unwrap and one audit append instead of four audited calls.
        """
        conversation_id = _check_conversation_id(conversation_id)
        granted = set(fields)
        for_detection = set(detection_fields) - granted
        for attempt in range(2):
            try:
                return self._read_for_turn_once(
                    conversation_id, subject_ref, ctx, granted, for_detection
                )
            except DbIntegrityError:  # a concurrent first bind inserted the row first
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _read_for_turn_once(
        self,
        conversation_id: str,
        subject_ref: str,
        ctx: AccessContext,
        granted: set[str],
        for_detection: set[str],
    ) -> TurnRead:
        wanted = sorted(granted | for_detection)
        with self._operation(ctx, Action.SUBJECT_READ) as op:
            # Every turn after the first finds its conversation bound: it reads without
            # the writer's lock and takes the lock only for the audit record, appended
            # before any value leaves this method (a read in the writing transaction held
            # SQLite's one writer lock through the key unwrap and every decryption).
            with self._data.read() as conn:
                subject_id = self._require_subject_id(conn, subject_ref)
                op.subject = subject_id
                bound_to = conn.execute(
                    _CONVERSATION_SUBJECT, {"tenant": self.tenant, "conversation": conversation_id}
                ).scalar_one_or_none()
                if bound_to == subject_id:
                    rows, map_row = self._turn_rows(conn, subject_id, conversation_id, wanted)
            if bound_to == subject_id:
                read = self._turn_read(op, subject_id, conversation_id, rows, map_row, granted)
                op.details["bound"] = False
                self._audit.append(op.event(self.tenant, Outcome.OK))
                return read
            # The first turn binds the conversation: reads, bind and audit in one writing
            # transaction (ConversationSubjectConflict if another subject has it).
            with self._data.begin() as conn:
                subject_id = self._require_subject_id(conn, subject_ref)
                op.subject = subject_id
                bound, moved = self._bind_in(conn, conversation_id, subject_id)
                rows, map_row = self._turn_rows(conn, subject_id, conversation_id, wanted)
                read = self._turn_read(op, subject_id, conversation_id, rows, map_row, granted)
                op.details["bound"] = bound
                self._audit.append(op.event(self.tenant, Outcome.OK), conn=conn)
        if moved:
            with _unavailable_as_vault_error():
                self._keys.destroy(self.tenant, KeyKind.CONVERSATION, [conversation_id])
        return read

    def _turn_rows(
        self, conn: Connection, subject_id: str, conversation_id: str, wanted: list[str]
    ) -> tuple[list[Any], Any]:
        """The subject's `wanted` field rows and the conversation's token map row."""
        rows = (
            list(conn.execute(_FIELDS_OF, {"subject": subject_id, "fields": wanted}).all())
            if wanted
            else []
        )
        map_row = conn.execute(
            _TOKEN_MAP_OF, {"tenant": self.tenant, "conversation": conversation_id}
        ).one_or_none()
        return rows, map_row

    def _turn_read(
        self,
        op: _Op,
        subject_id: str,
        conversation_id: str,
        rows: list[Any],
        map_row: Any,
        granted: set[str],
    ) -> TurnRead:
        """Decrypt what `_turn_rows` read and describe it in `op` for the audit record."""
        op.fields = {row.field for row in rows}
        op.categories = {row.category for row in rows}
        key = self._subject_key(subject_id)
        values = self._decrypt_fields(subject_id, key, rows)
        mapping = (
            self._decrypt_token_map(
                conversation_id,
                _MapRow(subject_id, map_row.scope, map_row.ciphertext),
                subject_key=key,  # already unwrapped for the fields
            )
            if map_row is not None
            else {}
        )
        op.details = {
            "conversation": conversation_id,
            "detection_only_fields": ",".join(sorted(op.fields - granted)),
            "tokens": len(mapping),
        }
        return TurnRead(
            subject_id=subject_id,
            fields={n: v for n, v in values.items() if n in granted},
            detection_fields={n: v for n, v in values.items() if n not in granted},
            token_map=mapping,
        )

    def _move_token_map_to_subject(
        self, conn: Connection, conversation_id: str, subject_id: str
    ) -> bool:
        row = conn.execute(
            _TOKEN_MAP_OF, {"tenant": self.tenant, "conversation": conversation_id}
        ).one_or_none()
        if row is None or row.scope != KeyKind.CONVERSATION.value:
            return False
        plaintext = self._conversation_key(conversation_id).decrypt(
            row.ciphertext,
            self._token_map_ad(conversation_id, KeyKind.CONVERSATION, conversation_id),
        )
        blob = self._subject_key(subject_id).encrypt(
            plaintext, self._token_map_ad(conversation_id, KeyKind.SUBJECT, subject_id)
        )
        conn.execute(
            update(_M)
            .where(_M.c.tenant == self.tenant, _M.c.conversation_id == conversation_id)
            .values(scope=KeyKind.SUBJECT.value, ciphertext=blob, updated_at=_now())
        )
        return True

    def _conversation_key(self, conversation_id: str) -> DataKey:
        key = self._keys.get(self.tenant, KeyKind.CONVERSATION, conversation_id)
        if key is None:
            raise IntegrityError(f"conversation {conversation_id!r} has a token map but no key")
        return key

    def conversation_subject(self, conversation_id: str, *, ctx: AccessContext) -> str | None:
        """The pseudonym of the subject the conversation is bound to, or None."""
        with self._operation(ctx, Action.CONVERSATION_READ) as op:
            with self._data.begin() as conn:
                subject_id: str | None = conn.execute(
                    select(_C.c.subject_id).where(
                        _C.c.tenant == self.tenant, _C.c.id == conversation_id
                    )
                ).scalar_one_or_none()
                op.subject = subject_id
                self._audit.append(op.event(self.tenant, Outcome.OK), conn=conn)
            return subject_id

    def load_token_map(self, conversation_id: str, *, ctx: AccessContext) -> dict[str, str]:
        """The conversation's token → original map; empty if it has none."""
        conversation_id = _check_conversation_id(conversation_id)
        with self._operation(ctx, Action.TOKEN_MAP_READ) as op:
            with self._data.begin() as conn:
                row = conn.execute(
                    select(_C.c.subject_id, _M.c.scope, _M.c.ciphertext)
                    .select_from(
                        _C.outerjoin(
                            _M, (_M.c.tenant == _C.c.tenant) & (_M.c.conversation_id == _C.c.id)
                        )
                    )
                    .where(_C.c.tenant == self.tenant, _C.c.id == conversation_id)
                ).one_or_none()
                mapping: dict[str, str] = {}
                if row is not None:
                    op.subject = row.subject_id
                if row is not None and row.ciphertext is not None:
                    mapping = self._decrypt_token_map(conversation_id, row)
                op.details = {"tokens": len(mapping)}
                self._audit.append(op.event(self.tenant, Outcome.OK), conn=conn)
            return mapping

    def load_token_maps(
        self, conversation_ids: Iterable[str], *, subject_id: str, ctx: AccessContext
    ) -> dict[str, dict[str, str]]:
        """The token maps of those of `conversation_ids` that are bound to `subject_id` and
        still have a map (closing, retention and erasure destroy them), in one
        transaction with one ``token_map.read`` audit record. Conversations of another
        subject are left out, never read (one conversation, one subject)."""
        wanted = sorted({_check_conversation_id(c) for c in conversation_ids})
        if not wanted:
            return {}
        with self._operation(ctx, Action.TOKEN_MAP_READ) as op:
            op.subject = subject_id
            maps: dict[str, dict[str, str]] = {}
            with self._data.begin() as conn:
                rows: list[Any] = []
                for part in _chunks(wanted, _IN_CHUNK):
                    rows += conn.execute(
                        select(_C.c.id, _C.c.subject_id, _M.c.scope, _M.c.ciphertext)
                        .select_from(
                            _C.join(
                                _M,
                                (_M.c.tenant == _C.c.tenant) & (_M.c.conversation_id == _C.c.id),
                            )
                        )
                        .where(
                            _C.c.tenant == self.tenant,
                            _C.c.subject_id == subject_id,
                            _C.c.id.in_(part),
                        )
                    ).all()
                for row in rows:
                    maps[row.id] = self._decrypt_token_map(row.id, row)
                op.details = {
                    "conversations": len(maps),
                    "tokens": sum(len(m) for m in maps.values()),
                }
                self._audit.append(op.event(self.tenant, Outcome.OK), conn=conn)
            return maps

    def _decrypt_token_map(
        self, conversation_id: str, row: Any, *, subject_key: DataKey | None = None
    ) -> dict[str, str]:
        """The map in `row`; `subject_key`: the subject's key, if the caller has it."""
        if row.scope == KeyKind.SUBJECT.value:
            if row.subject_id is None:
                raise IntegrityError(f"token map of {conversation_id!r} names no subject")
            key = subject_key if subject_key is not None else self._subject_key(row.subject_id)
            scope, owner = KeyKind.SUBJECT, row.subject_id
        else:
            key, scope = self._conversation_key(conversation_id), KeyKind.CONVERSATION
            owner = conversation_id
        plaintext = key.decrypt(row.ciphertext, self._token_map_ad(conversation_id, scope, owner))
        loaded = json.loads(plaintext)
        return {str(token): str(value) for token, value in loaded.items()}

    def save_token_map(
        self,
        conversation_id: str,
        mapping: Mapping[str, str],
        *,
        ctx: AccessContext,
        merge: bool = False,
    ) -> None:
        """Replace the conversation's token map (encrypted under the subject's key when
        the conversation is bound, else under a key of the conversation's own).

        `merge`: compare-and-swap for concurrent turns (`transform.tokenmerge`): the
        stored map, read under the row lock, gets `mapping`'s tokens added, and
        `TokenMapConflict` is raised when the two disagree."""
        conversation_id = _check_conversation_id(conversation_id)
        with self._operation(ctx, Action.TOKEN_MAP_WRITE) as op:
            try:
                with self._data.begin() as conn:
                    row = conn.execute(
                        select(_C.c.subject_id)
                        .where(_C.c.tenant == self.tenant, _C.c.id == conversation_id)
                        .with_for_update()
                    ).one_or_none()
                    if merge and row is not None:
                        stored = conn.execute(
                            _TOKEN_MAP_OF, {"tenant": self.tenant, "conversation": conversation_id}
                        ).one_or_none()
                        if stored is not None:
                            current = self._decrypt_token_map(
                                conversation_id,
                                _MapRow(row.subject_id, stored.scope, stored.ciphertext),
                            )
                            mapping = merge_maps(current, mapping)
                    payload = json.dumps(
                        {str(token): str(value) for token, value in mapping.items()},
                        sort_keys=True,
                        ensure_ascii=False,
                    ).encode("utf-8")
                    now = _now()
                    if row is None:
                        conn.execute(
                            _C.insert(),
                            {
                                "tenant": self.tenant,
                                "id": conversation_id,
                                "subject_id": None,
                                "created_at": now,
                            },
                        )
                    subject_id = row.subject_id if row is not None else None
                    op.subject = subject_id
                    if subject_id is not None:
                        key, scope, owner = (
                            self._subject_key(subject_id),
                            KeyKind.SUBJECT,
                            subject_id,
                        )
                    else:
                        key = self._keys.get_or_create(
                            self.tenant, KeyKind.CONVERSATION, conversation_id
                        )
                        scope, owner = KeyKind.CONVERSATION, conversation_id
                    blob = key.encrypt(payload, self._token_map_ad(conversation_id, scope, owner))
                    conn.execute(
                        delete(_M).where(
                            _M.c.tenant == self.tenant, _M.c.conversation_id == conversation_id
                        )
                    )
                    conn.execute(
                        _M.insert(),
                        {
                            "tenant": self.tenant,
                            "conversation_id": conversation_id,
                            "scope": scope.value,
                            "ciphertext": blob,
                            "updated_at": now,
                        },
                    )
                    op.details = {"tokens": len(mapping)}
                    self._audit.append(op.event(self.tenant, Outcome.OK), conn=conn)
            except DbIntegrityError:
                if not merge:
                    raise
                # A concurrent first turn created the conversation row first.
                raise TokenMapConflict("a concurrent turn saved first") from None

    # --- keys -------------------------------------------------------------------------

    def rotate_master_key(self, new_master: MasterKey, *, ctx: AccessContext) -> int:
        """Re-wrap every data key (all tenants) under `new_master`; returns the count.

        Data is not re-encrypted. Afterwards the old master key opens nothing: configure
        the new one before the next start.
        """
        with self._operation(ctx, Action.KEYS_ROTATE) as op:
            old_id = self._keys.master_key_id
            op.details = {"old_key_id": old_id, "new_key_id": new_master.key_id}
            count = self._keys.rotate(new_master)
            op.details["rewrapped"] = count
            self._audit.append(op.event(self.tenant, Outcome.OK))
            return count
