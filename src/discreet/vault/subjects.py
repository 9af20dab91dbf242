"""The vault's subject records: create, import, read, list, update and erase subjects.

Every field is AES-256-GCM ciphertext under the subject's own data key, bound to
(tenant, subject, field, category); its identifier forms go to the blind index
(:class:`SubjectIndex`); erasing crypto-shreds through :class:`SubjectRecords`, the one
holder that deletes these rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.exc import IntegrityError as DbIntegrityError

from discreet.audit.context import AccessContext, Outcome
from discreet.audit.log import AuditEvent
from discreet.errors import InvalidValue
from discreet.store import errors as store_errors
from discreet.store.models import Subject, SubjectField, table_of
from discreet.store.sql import chunks
from discreet.vault.bindings import bound_conversations
from discreet.vault.blind_index import IdentifierKind
from discreet.vault.crypto import DataKey, associated_data
from discreet.vault.errors import ImportRowError, SubjectExists, VaultError
from discreet.vault.fields import ParsedRow, SubjectRecord, SubjectView
from discreet.vault.keystore import KeyKind
from discreet.vault.lookups import SubjectIndex
from discreet.vault.records import SubjectRecords, decrypt_fields
from discreet.vault.scope import Action, Op, VaultScope, check_ref, new_subject_id, now

_S = table_of(Subject)
_F = table_of(SubjectField)
DEFAULT_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class ImportReport:
    imported: int
    skipped: tuple[ImportRowError, ...] = ()
    batches: int = 0


@dataclass(frozen=True, slots=True)
class ErasureReceipt:
    subject_id: str
    fields: int
    conversations: int


@dataclass(slots=True)
class _ImportRun:
    """Progress and outcome of one `Vault.import_subjects` call."""

    op: Op
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


class Subjects:
    """One tenant's subject records."""

    def __init__(self, scope: VaultScope, index: SubjectIndex, records: SubjectRecords) -> None:
        self._scope = scope
        self._index = index
        self._records = records

    def _field_rows(
        self, subject_id: str, key: DataKey, fields: Mapping[str, str], at: datetime
    ) -> list[dict[str, Any]]:
        """Encrypted field rows for one subject's fields."""
        rows: list[dict[str, Any]] = []
        # The AD encoding is a concatenation, so the per-subject prefix is built once.
        ad_prefix = associated_data("discreet/field/v1", self._scope.tenant, subject_id)
        for name, value in fields.items():
            category = self._scope.catalog.category(name)
            if not isinstance(value, str) or not value:
                raise InvalidValue(f"field {name!r} must be a non-empty string", param=name)
            rows.append(
                {
                    "subject_id": subject_id,
                    "field": name,
                    "category": category,
                    "ciphertext": key.encrypt(
                        value.encode("utf-8"), ad_prefix + associated_data(name, category)
                    ),
                    "updated_at": at,
                }
            )
        return rows

    def put(self, ref: str, fields: Mapping[str, str], *, ctx: AccessContext) -> str:
        """Create a subject; returns its pseudonymous id. SubjectExists if `ref` is taken."""
        scope = self._scope
        with scope.operation(ctx, Action.SUBJECT_CREATE) as op:
            ref = check_ref(ref)
            op.fields = set(fields)
            op.categories = {scope.catalog.category(name) for name in fields}
            exists = SubjectExists(f"a subject with that reference exists in {scope.tenant!r}")
            try:
                with scope.data.begin() as conn:
                    if scope.find_subject_id(conn, ref) is not None:
                        raise exists
                    ids = self._insert(conn, [SubjectRecord(ref, fields)], None)
                    op.subject = ids[0]
                    scope.record(op, conn)
            except DbIntegrityError:  # a concurrent writer created the same reference
                raise exists from None
            return ids[0]

    def _insert(
        self, conn: Connection, records: Sequence[SubjectRecord], key_conn: Connection | None
    ) -> list[str]:
        """Insert new subjects (refs already checked unique); returns their ids.

        Without `key_conn` the new data keys are committed at once; if the data
        transaction then fails they are destroyed again (best effort).
        """
        scope = self._scope
        at = now()
        ids = [new_subject_id() for _ in records]
        keys = scope.keys.create(scope.tenant, KeyKind.SUBJECT, ids, conn=key_conn)
        subjects: list[dict[str, Any]] = []
        field_rows: list[dict[str, Any]] = []
        index_rows: list[dict[str, Any]] = []
        try:
            for subject_id, record in zip(ids, records, strict=True):
                key = keys[subject_id]
                subjects.append(
                    {
                        "id": subject_id,
                        "tenant": scope.tenant,
                        "ref_digest": scope.indexer.digest(IdentifierKind.SUBJECT_REF, record.ref),
                        "ref_ciphertext": key.encrypt(
                            record.ref.encode("utf-8"), scope.ref_ad(subject_id)
                        ),
                        "created_at": at,
                        "updated_at": at,
                    }
                )
                field_rows += self._field_rows(subject_id, key, record.fields, at)
                index_rows += self._index.rows(subject_id, record.fields)
            conn.execute(_S.insert(), subjects)
            if field_rows:
                conn.execute(_F.insert(), field_rows)
            self._index.insert(conn, index_rows)
        except BaseException:
            if key_conn is None:
                scope.keys.destroy(scope.tenant, KeyKind.SUBJECT, ids)
            raise
        return ids

    def import_many(
        self,
        rows: Iterable[ParsedRow | ImportRowError | SubjectRecord],
        *,
        ctx: AccessContext,
        skip_bad: bool = False,
        chunk_size: int = DEFAULT_CHUNK,
        progress: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """Create many subjects (`Vault.import_subjects`): all or nothing, unless
        `skip_bad` skips the bad rows.

        Rows are inserted in bulk, `chunk_size` at a time, inside one data-store
        transaction (and one key-store transaction), with one audit record per chunk
        holding counts. A bad row (empty or duplicate subject_ref, a ref that already
        exists, an unknown field) raises :class:`ImportRowError` naming its line, and
        nothing is imported. `progress` is called with the number of rows processed.
        """
        scope = self._scope
        with scope.operation(ctx, Action.SUBJECT_IMPORT) as op:
            run = _ImportRun(op, skip_bad)
            try:
                with scope.data.begin() as conn, scope.keys.db.begin() as key_conn:
                    for chunk in run.chunks(rows, chunk_size):
                        self._import_chunk(conn, key_conn, chunk, run)
                        if progress:
                            progress(run.processed)
            except BaseException:
                if run.created:  # keys may have been committed just before the data failed
                    with suppress(store_errors.StorageError):
                        scope.keys.destroy(scope.tenant, KeyKind.SUBJECT, run.created)
                raise
            return ImportReport(run.imported, tuple(run.skipped), run.batches)

    def _import_chunk(
        self,
        conn: Connection,
        key_conn: Connection,
        chunk: list[tuple[int, SubjectRecord]],
        run: _ImportRun,
    ) -> None:
        scope = self._scope
        skipped_before = len(run.skipped)
        good: list[tuple[int, SubjectRecord, bytes]] = []
        for line, record in chunk:
            try:
                ref = check_ref(record.ref)
                for name, value in record.fields.items():
                    scope.catalog.category(name)
                    if not isinstance(value, str) or not value:
                        raise InvalidValue(f"field {name!r} must be a non-empty string", param=name)
            except (ValueError, VaultError) as exc:
                run.reject(ImportRowError(line, str(exc)))
                continue
            digest = scope.indexer.digest(IdentifierKind.SUBJECT_REF, ref)
            if digest in run.seen:
                run.reject(
                    ImportRowError(line, f"subject_ref repeats the one on line {run.seen[digest]}")
                )
                continue
            run.seen[digest] = line
            good.append((line, SubjectRecord(ref, record.fields), digest))
        existing: set[bytes] = set()
        for part in chunks([digest for _, _, digest in good]):
            existing.update(
                conn.execute(
                    select(_S.c.ref_digest).where(
                        _S.c.tenant == scope.tenant, _S.c.ref_digest.in_(part)
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
            run.created += self._insert(conn, records, key_conn)
        touched = {name for record in records for name in record.fields}
        categories = {scope.catalog.category(name) for name in touched}
        run.op.fields |= touched
        run.op.categories |= categories
        run.imported += len(records)
        run.batches += 1
        event = AuditEvent(
            ctx=run.op.ctx,
            tenant=scope.tenant,
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
        scope.audit.append(event, conn=conn)

    def get(
        self,
        ref: str,
        *,
        ctx: AccessContext,
        fields: Iterable[str] | None = None,
        categories: Iterable[str] | None = None,
    ) -> SubjectView:
        """Decrypt a subject's fields (all, or only those named / in those categories)."""
        scope = self._scope
        with scope.operation(ctx, Action.SUBJECT_READ) as op:
            wanted_fields = set(fields) if fields is not None else None
            wanted_categories = set(categories) if categories is not None else None
            with scope.data.begin() as conn:
                subject_id = scope.require_subject_id(conn, ref)
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
                key = scope.subject_key(subject_id)
                values = decrypt_fields(scope.tenant, subject_id, key, rows)
                scope.record(op, conn)
            return SubjectView(
                subject_id=subject_id,
                fields=values,
                categories={row.field: row.category for row in rows},
            )

    def list(
        self, *, ctx: AccessContext, limit: int | None = None
    ) -> list[tuple[str, str, tuple[str, ...]]]:
        """See :meth:`discreet.vault.Vault.list_subjects`."""
        scope = self._scope
        with scope.operation(ctx, Action.SUBJECT_LIST) as op:
            with scope.data.begin() as conn:
                query = (
                    select(_S.c.id, _S.c.ref_ciphertext)
                    .where(_S.c.tenant == scope.tenant)
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
                    key = scope.keys.get(scope.tenant, KeyKind.SUBJECT, row.id)
                    if key is None:
                        continue
                    ref = key.decrypt(row.ref_ciphertext, scope.ref_ad(row.id)).decode("utf-8")
                    listed.append((row.id, ref, tuple(names.get(row.id, ()))))
                op.fields = {IdentifierKind.SUBJECT_REF.value}
                op.details = {"subjects": len(listed)}
                scope.record(op, conn)
            return listed

    def id_of(self, ref: str, *, ctx: AccessContext) -> str:
        """The pseudonymous id of the subject with reference `ref`."""
        scope = self._scope
        with scope.operation(ctx, Action.SUBJECT_LOOKUP) as op:
            with scope.data.begin() as conn:
                op.subject = scope.require_subject_id(conn, ref)
                op.fields = {IdentifierKind.SUBJECT_REF.value}
                scope.record(op, conn)
            return op.subject

    def update(self, ref: str, changes: Mapping[str, str | None], *, ctx: AccessContext) -> None:
        """Set fields (a None value deletes the field), re-encrypting only those fields."""
        scope = self._scope
        with scope.operation(ctx, Action.SUBJECT_UPDATE) as op:
            op.fields = set(changes)
            op.categories = {scope.catalog.category(name) for name in changes}
            with scope.data.begin() as conn:
                subject_id = scope.require_subject_id(conn, ref)
                op.subject = subject_id
                key = scope.subject_key(subject_id)
                at = now()
                names = list(changes)
                conn.execute(delete(_F).where(_F.c.subject_id == subject_id, _F.c.field.in_(names)))
                kept = {name: value for name, value in changes.items() if value is not None}
                field_rows = self._field_rows(subject_id, key, kept, at)
                if field_rows:
                    conn.execute(_F.insert(), field_rows)
                self._index.rebuild(conn, subject_id, key)
                conn.execute(update(_S).where(_S.c.id == subject_id).values(updated_at=at))
                op.details = {"set": len(kept), "deleted": len(changes) - len(kept)}
                scope.record(op, conn)

    def erase(self, ref: str, *, ctx: AccessContext) -> ErasureReceipt:
        """Crypto-shred a subject: destroy its data key, delete its rows, conversations
        and token maps. Works even if the key is already gone (e.g. a restored backup)."""
        scope = self._scope
        with scope.operation(ctx, Action.SUBJECT_ERASE) as op:
            with scope.data.begin() as conn:
                subject_id = scope.require_subject_id(conn, ref)
                op.subject = subject_id
                rows = conn.execute(
                    select(_F.c.field, _F.c.category).where(_F.c.subject_id == subject_id)
                ).all()
                op.fields = {row.field for row in rows}
                op.categories = {row.category for row in rows}
                # The audit record goes in first: the shredding destroys keys before the
                # data transaction commits (see discreet.vault.records).
                conversations = len(bound_conversations(conn, scope.tenant, [subject_id]))
                op.details = {"fields": len(rows), "conversations": conversations}
                scope.record(op, conn)
                self._records.shred(conn, scope.tenant, [subject_id])
            return ErasureReceipt(subject_id, len(rows), conversations)
