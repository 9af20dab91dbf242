"""What every part of the vault shares: one tenant's stores, keys and audit log, and the
audited-call plumbing (:meth:`VaultScope.operation`).

The vault is split by responsibility (``subjects``, ``lookups``, ``tokenmaps``,
``turns``, ``rotation``); each part takes this scope rather than the others, so a part
never reaches through another to find a database.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Connection, bindparam, select

from discreet.audit.context import AccessContext, Outcome
from discreet.audit.log import AuditEvent, AuditLog, DetailValue
from discreet.errors import InvalidValue
from discreet.store import errors as store_errors
from discreet.store.db import Database
from discreet.store.driver import DriverStatement
from discreet.store.models import Subject, table_of
from discreet.vault.blind_index import BlindIndexer, IdentifierKind
from discreet.vault.crypto import DataKey, associated_data
from discreet.vault.errors import (
    ConversationSubjectConflict,
    ImportRowError,
    IntegrityError,
    StoreUnavailable,
    SubjectErased,
    SubjectExists,
    SubjectNotFound,
    VaultError,
    WrongMasterKey,
)
from discreet.vault.fields import FieldCatalog
from discreet.vault.keystore import KeyKind, KeyStore

_S = table_of(Subject)
# Built once (bound values at execution): it runs on every chat turn, and building a
# statement again each time (expressions, cache keys) cost about as much as running it.
_SUBJECT_BY_REF = DriverStatement(  # on the driver's cursor (store/driver.py)
    select(_S.c.id).where(
        _S.c.tenant == bindparam("tenant"), _S.c.ref_digest == bindparam("digest")
    )
)

MAX_REF_LEN = 200
MAX_CONVERSATION_ID_LEN = 200


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


@dataclass(slots=True)
class Op:
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


@contextmanager
def unavailable_as_vault_error() -> Iterator[None]:
    """The store's StoreUnavailable as the vault's (one error for callers to catch)."""
    try:
        yield
    except StoreUnavailable:
        raise
    except store_errors.StoreUnavailable as exc:
        raise StoreUnavailable(str(exc)) from exc


def now() -> datetime:
    return datetime.now(UTC)


def new_subject_id() -> str:
    return "sub_" + secrets.token_hex(12)


def check_ref(ref: str) -> str:
    if not isinstance(ref, str) or not ref.strip():
        raise InvalidValue("subject_ref is empty", param="subject_ref")
    if len(ref) > MAX_REF_LEN:
        raise InvalidValue(
            f"subject_ref is longer than {MAX_REF_LEN} characters", param="subject_ref"
        )
    return ref.strip()


def check_conversation_id(conversation_id: str) -> str:
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


@contextmanager
def audited(audit: AuditLog, tenant: str, ctx: AccessContext, action: Action) -> Iterator[Op]:
    """Run one audited call: failures on purpose get a failure record, then re-raise (the
    caller appends the success record, in its own transaction)."""
    if not isinstance(ctx, AccessContext):
        raise TypeError("ctx must be an AccessContext")
    op = Op(action, ctx)
    try:
        with unavailable_as_vault_error():
            yield op
    except StoreUnavailable:
        raise
    except VaultError as exc:
        with unavailable_as_vault_error():
            audit.append(op.event(tenant, _outcome_of(exc)))
        raise


@dataclass(slots=True)
class VaultScope:
    """One tenant's view of the stores, shared by the vault's parts."""

    tenant: str
    data: Database
    keys: KeyStore
    catalog: FieldCatalog
    indexer: BlindIndexer
    audit: AuditLog
    phone_region: str | None

    def operation(self, ctx: AccessContext, action: Action) -> AbstractContextManager[Op]:
        """Run one audited call (:func:`audited`)."""
        return audited(self.audit, self.tenant, ctx, action)

    def record(self, op: Op, conn: Connection | None = None) -> None:
        """The call's success record (in `conn`'s transaction when given)."""
        self.audit.append(op.event(self.tenant, Outcome.OK), conn=conn)

    def ref_ad(self, subject_id: str) -> bytes:
        return associated_data("discreet/subject-ref/v1", self.tenant, subject_id)

    def find_subject_id(self, conn: Connection, ref: str) -> str | None:
        digest = self.indexer.digest(IdentifierKind.SUBJECT_REF, check_ref(ref))
        found: str | None = _SUBJECT_BY_REF.scalar(conn, {"tenant": self.tenant, "digest": digest})
        return found

    def require_subject_id(self, conn: Connection, ref: str) -> str:
        subject_id = self.find_subject_id(conn, ref)
        if subject_id is None:
            raise SubjectNotFound(f"no subject with that reference in tenant {self.tenant!r}")
        return subject_id

    def subject_key(self, subject_id: str) -> DataKey:
        key = self.keys.get(self.tenant, KeyKind.SUBJECT, subject_id)
        if key is None:
            raise SubjectErased(
                f"subject {subject_id}'s data key no longer exists (erased); "
                "its data cannot be read"
            )
        return key
