"""The vault's blind index: writing a subject's index rows and looking identifiers up.

Rows hold keyed HMACs (:class:`BlindIndexer`) of every form :mod:`vault.identifiers`
derives from a subject's identifier fields; a look-up hashes what it is given the same
way, so nothing here compares or stores plaintext.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from typing import Any

from sqlalchemy import Connection, delete, select

from discreet.audit.context import AccessContext
from discreet.store.driver import driver_rows
from discreet.store.models import BlindIndexEntry, Subject, SubjectField, table_of
from discreet.store.sql import chunks
from discreet.vault.blind_index import IdentifierKind
from discreet.vault.crypto import DataKey
from discreet.vault.errors import SubjectErased
from discreet.vault.identifiers import index_forms
from discreet.vault.records import decrypt_fields
from discreet.vault.scope import Action, VaultScope, unavailable_as_vault_error

_S = table_of(Subject)
_F = table_of(SubjectField)
_B = table_of(BlindIndexEntry)
# The guard's look-ups key ~40 queries per answer by kind: `.value` of an enum member is
# a property call, a dict look-up is not.
_KIND_VALUES = {kind: kind.value for kind in IdentifierKind}
_NO_SUBJECTS: frozenset[str] = frozenset()


class SubjectIndex:
    """Blind-index rows of one tenant's subjects, and look-ups in them."""

    def __init__(self, scope: VaultScope) -> None:
        self._scope = scope

    def rows(self, subject_id: str, fields: Mapping[str, str]) -> list[dict[str, Any]]:
        """Blind-index rows for a subject's fields: every form `vault.identifiers` derives
        (the output guard looks answers up in them)."""
        scope = self._scope
        return [
            {
                "subject_id": subject_id,
                "field": label,
                "tenant": scope.tenant,
                "kind": kind.value,
                "digest": scope.indexer.digest(kind, value),
            }
            for label, kind, value in index_forms(
                fields, scope.catalog.indexed, phone_region=scope.phone_region
            )
        ]

    def insert(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """Write rows made by :meth:`rows` (in `conn`'s transaction)."""
        if rows:
            conn.execute(_B.insert(), rows)

    def rebuild(self, conn: Connection, subject_id: str, key: DataKey) -> None:
        """Rebuild all of a subject's blind-index rows from all its fields (a composed
        name depends on two fields, so a change to one rebuilds them all)."""
        rows = conn.execute(
            select(_F.c.field, _F.c.category, _F.c.ciphertext).where(_F.c.subject_id == subject_id)
        ).all()
        values = decrypt_fields(self._scope.tenant, subject_id, key, rows)
        conn.execute(delete(_B).where(_B.c.subject_id == subject_id))
        self.insert(conn, self.rows(subject_id, values))

    def reindex(self, *, ctx: AccessContext, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild the blind index of every subject of this tenant (after an upgrade that
        adds identifier forms, or a policy that declares more identifier fields); returns
        the number of subjects. Subjects whose key is gone (erased) are skipped."""
        scope = self._scope
        with scope.operation(ctx, Action.SUBJECT_UPDATE) as op:
            with scope.data.begin() as conn:
                ids = list(
                    conn.execute(select(_S.c.id).where(_S.c.tenant == scope.tenant)).scalars()
                )
            done = 0
            for part in chunks(ids):
                with scope.data.begin() as conn:
                    for subject_id in part:
                        with suppress(SubjectErased):
                            self.rebuild(conn, subject_id, scope.subject_key(subject_id))
                            done += 1
                if progress:
                    progress(done)
            op.details = {"reindexed": done}
            scope.record(op)
            return done

    def find_subjects_by_identifiers(
        self, queries: Iterable[tuple[IdentifierKind | str, str]], *, ctx: AccessContext
    ) -> dict[tuple[IdentifierKind, str], frozenset[str]]:
        """Every identifier asked about → the subjects it belongs to (empty set if none).
        One audit record per call."""
        scope = self._scope
        with scope.operation(ctx, Action.SUBJECT_LOOKUP) as op:
            wanted: dict[tuple[IdentifierKind, bytes], list[tuple[IdentifierKind, str]]] = {}
            for raw_kind, value in queries:
                kind = IdentifierKind(raw_kind)
                wanted.setdefault((kind, scope.indexer.digest(kind, value)), []).append(
                    (kind, value)
                )
            found: dict[tuple[IdentifierKind, bytes], set[str]] = {k: set() for k in wanted}
            by_kind: dict[IdentifierKind, list[bytes]] = {}
            for kind, digest in wanted:
                by_kind.setdefault(kind, []).append(digest)
            with scope.data.begin() as conn:
                for kind, digests in by_kind.items():
                    for part in chunks(digests):
                        if kind is IdentifierKind.SUBJECT_REF:
                            query = select(_S.c.ref_digest, _S.c.id).where(
                                _S.c.tenant == scope.tenant, _S.c.ref_digest.in_(part)
                            )
                        else:
                            query = select(_B.c.digest, _B.c.subject_id).where(
                                _B.c.tenant == scope.tenant,
                                _B.c.kind == kind.value,
                                _B.c.digest.in_(part),
                            )
                        for digest, subject_id in conn.execute(query).all():
                            found[(kind, digest)].add(subject_id)
                matches = {s for ids in found.values() for s in ids}
                op.fields = {kind.value for kind in by_kind}
                op.details = {"queries": len(wanted), "subjects_matched": len(matches)}
                scope.record(op, conn)
            result: dict[tuple[IdentifierKind, str], frozenset[str]] = {}
            for key, originals in wanted.items():
                for original in originals:
                    result[original] = frozenset(found[key])
            return result

    def match_identifiers(
        self, queries: Iterable[tuple[IdentifierKind, str]]
    ) -> dict[tuple[IdentifierKind, str], frozenset[str]]:
        """The output guard's look-up (`guard.leaks`): canonical identifier forms -> the
        subjects holding them, in one indexed query per chunk.

        Not audited here: it reads digests only, and the turn that asks records the
        look-up (counts, never values) in its own audit record, in one transaction with
        the turn; an audit write per answer would double the turn's writes."""
        scope = self._scope
        wanted: dict[tuple[str, bytes], list[tuple[IdentifierKind, str]]] = {}
        listed = list(queries)
        for query, digest in zip(listed, scope.indexer.digest_many(listed), strict=True):
            wanted.setdefault((_KIND_VALUES[query[0]], digest), []).append(query)
        found: dict[tuple[str, bytes], set[str]] = {}
        digests = list({digest for _, digest in wanted})
        with unavailable_as_vault_error(), scope.data.read() as conn:
            # Plain SQL with one placeholder per digest, on the driver's cursor
            # (store/driver.py): SQLAlchemy's expanding IN costs about 30 us per bound
            # value to render, ten times the look-up itself. One statement for all
            # kinds, and no kind in it: the index is (tenant, digest, kind), so each
            # digest is one probe; a row of a kind not asked about (a digest is an HMAC
            # over the kind too, so practically never) is dropped by the `wanted` keys.
            mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            for part in chunks(digests):
                sql = (
                    f"SELECT kind, digest, subject_id FROM {_B.name} WHERE tenant = {mark} "
                    f"AND digest IN ({', '.join([mark] * len(part))})"
                )
                for kind_value, digest, subject_id in driver_rows(conn, sql, (scope.tenant, *part)):
                    found.setdefault((kind_value, bytes(digest)), set()).add(subject_id)
        result: dict[tuple[IdentifierKind, str], frozenset[str]] = {}
        for key, originals in wanted.items():
            owners = found.get(key)
            subjects = _NO_SUBJECTS if owners is None else frozenset(owners)
            for original in originals:
                result[original] = subjects
        return result
