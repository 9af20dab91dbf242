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

:class:`Vault` is a facade over parts that each own one responsibility and share one
:class:`~discreet.vault.scope.VaultScope`: :mod:`~discreet.vault.subjects` (records),
:mod:`~discreet.vault.lookups` (blind index), :mod:`~discreet.vault.tokenmaps`,
:mod:`~discreet.vault.turns` (bindings and the turn's read) and
:mod:`~discreet.vault.rotation` (master-key rotation over :mod:`~discreet.vault.keystore`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from sqlalchemy import select, text

from discreet.audit.context import AccessContext
from discreet.audit.log import AuditLog
from discreet.store.db import Database
from discreet.store.migrate import DATA, KEYS, ensure_current
from discreet.store.models import Subject, table_of
from discreet.vault.bindings import ConversationBindings
from discreet.vault.blind_index import BlindIndexer, IdentifierKind
from discreet.vault.crypto import MasterKey
from discreet.vault.errors import KeyStoreMismatch
from discreet.vault.fields import FieldCatalog, check_tenant
from discreet.vault.keystore import KeyKind, KeyStore, register_audit_chain
from discreet.vault.lookups import SubjectIndex
from discreet.vault.records import SubjectRecords
from discreet.vault.rotation import KeyRotation
from discreet.vault.scope import Action, VaultScope, unavailable_as_vault_error
from discreet.vault.subjects import ErasureReceipt, ImportReport, Subjects
from discreet.vault.tokenmaps import TokenMaps
from discreet.vault.turns import ConversationAccess, TurnRead

__all__ = ["Action", "ErasureReceipt", "ImportReport", "TurnRead", "Vault"]

_S = table_of(Subject)
INDEX_KEY_OWNER = "blind-index"


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
        tenant = check_tenant(tenant)
        if data.is_sqlite and data.url == keys.db.url:
            raise KeyStoreMismatch(
                "the key store must not share the data store's SQLite file (principle 4): "
                "set DISCREET_KEYSTORE_URL to another file"
            )
        with unavailable_as_vault_error():
            if check_schema:
                ensure_current(data, DATA)
                ensure_current(keys.db, KEYS)
            keys.check_master_key()  # refuse to start with a wrong key, before any write
            index_key = keys.get(tenant, KeyKind.INDEX, INDEX_KEY_OWNER)
            if index_key is None:
                _check_no_subjects_without_keys(data, tenant)
                index_key = keys.get_or_create(tenant, KeyKind.INDEX, INDEX_KEY_OWNER)
            register_audit_chain(data, keys)  # the audit chain's MACs (audit/keyed.py)
        self._scope = VaultScope(
            tenant=tenant,
            data=data,
            keys=keys,
            catalog=catalog or FieldCatalog(),
            indexer=BlindIndexer(index_key.material, tenant, phone_region=phone_region),
            audit=AuditLog(data),
            phone_region=phone_region,
        )
        self._index = SubjectIndex(self._scope)
        records = SubjectRecords(data, keys, ConversationBindings(data, keys))
        self._subjects = Subjects(self._scope, self._index, records)
        self._maps = TokenMaps(self._scope)
        self._conversations = ConversationAccess(self._scope, self._maps)
        # These calls are their part's methods as they are (signature and documentation
        # live there once), so the facade does not restate them.
        self.import_subjects = self._subjects.import_many
        self.get_subject = self._subjects.get
        self.read_for_turn = self._conversations.read_for_turn
        self.save_token_map = self._maps.save

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
        with unavailable_as_vault_error():
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
            self._scope.data,
            self._scope.keys,
            tenant=tenant,
            catalog=self._scope.catalog,
            phone_region=self._scope.phone_region,
            check_schema=False,
        )

    @property
    def tenant(self) -> str:
        return self._scope.tenant

    @property
    def audit_log(self) -> AuditLog:
        return self._scope.audit

    @property
    def data_store(self) -> Database:
        return self._scope.data

    @property
    def key_store(self) -> KeyStore:
        return self._scope.keys

    @property
    def catalog(self) -> FieldCatalog:
        return self._scope.catalog

    @property
    def master_key_id(self) -> str:
        return self._scope.keys.master_key_id

    def check_ready(self) -> None:
        """Raise unless both stores answer and every key is wrapped by the configured master
        key (``/readyz``)."""
        with self._scope.data.read() as conn:
            conn.execute(text("SELECT 1"))
        self._scope.keys.check_master_key()

    def close(self) -> None:
        self._scope.data.dispose()
        self._scope.keys.db.dispose()

    def __repr__(self) -> str:
        return f"Vault(tenant={self.tenant!r}, master={self.master_key_id})"

    # --- subjects (vault.subjects) ----------------------------------------------------

    def put_subject(self, ref: str, fields: Mapping[str, str], *, ctx: AccessContext) -> str:
        """Create a subject; returns its pseudonymous id. SubjectExists if `ref` is taken."""
        return self._subjects.put(ref, fields, ctx=ctx)

    def list_subjects(
        self, *, ctx: AccessContext, limit: int | None = None
    ) -> list[tuple[str, str, tuple[str, ...]]]:
        """(pseudonymous id, reference, field names) of the tenant's subjects, oldest first;
        references decrypted, field values not read. One audit record for the listing
        (``subject.list``). Erased subjects (no key) are not listed."""
        return self._subjects.list(ctx=ctx, limit=limit)

    def subject_id(self, ref: str, *, ctx: AccessContext) -> str:
        """The pseudonymous id of the subject with reference `ref`."""
        return self._subjects.id_of(ref, ctx=ctx)

    def update_fields(
        self, ref: str, changes: Mapping[str, str | None], *, ctx: AccessContext
    ) -> None:
        """Set fields (a None value deletes the field), re-encrypting only those fields."""
        self._subjects.update(ref, changes, ctx=ctx)

    def erase_subject(self, ref: str, *, ctx: AccessContext) -> ErasureReceipt:
        """Crypto-shred a subject: destroy its data key, delete its rows, conversations
        and token maps. Works even if the key is already gone (e.g. a restored backup)."""
        return self._subjects.erase(ref, ctx=ctx)

    # --- blind index (vault.lookups) --------------------------------------------------

    def reindex(self, *, ctx: AccessContext, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild the blind index of every subject of this tenant (after an upgrade that
        adds identifier forms, or a policy that declares more identifier fields); returns
        the number of subjects. Subjects whose key is gone (erased) are skipped."""
        return self._index.reindex(ctx=ctx, progress=progress)

    def find_subjects_by_identifier(
        self, kind: IdentifierKind | str, value: str, *, ctx: AccessContext
    ) -> frozenset[str]:
        """Pseudonymous ids of this tenant's subjects with that identifier (normalised)."""
        kind = IdentifierKind(kind)
        return self._index.find_subjects_by_identifiers([(kind, value)], ctx=ctx)[(kind, value)]

    def find_subjects_by_identifiers(
        self, queries: Iterable[tuple[IdentifierKind | str, str]], *, ctx: AccessContext
    ) -> dict[tuple[IdentifierKind, str], frozenset[str]]:
        """Batch form, e.g. for the output guard: every identifier found in an answer →
        the subjects it belongs to (empty set if none). One audit record per call."""
        return self._index.find_subjects_by_identifiers(queries, ctx=ctx)

    def match_identifiers(
        self, queries: Iterable[tuple[IdentifierKind, str]]
    ) -> dict[tuple[IdentifierKind, str], frozenset[str]]:
        """The output guard's look-up (`guard.leaks`), not audited here: see
        :meth:`SubjectIndex.match_identifiers`."""
        return self._index.match_identifiers(queries)

    # --- conversations and token maps (vault.turns, vault.tokenmaps) ------------------

    def bind_conversation(
        self, conversation_id: str, subject_ref: str, *, ctx: AccessContext
    ) -> str:
        """Bind a conversation to a subject for good; returns the subject's pseudonym.

        Binding again to the same subject is a no-op; to another raises
        ConversationSubjectConflict. A token map saved before binding moves under the
        subject's key, and the conversation's own key is destroyed.
        """
        return self._conversations.bind(conversation_id, subject_ref, ctx=ctx)

    def conversation_subject(self, conversation_id: str, *, ctx: AccessContext) -> str | None:
        """The pseudonym of the subject the conversation is bound to, or None."""
        return self._conversations.subject_of(conversation_id, ctx=ctx)

    def load_token_map(self, conversation_id: str, *, ctx: AccessContext) -> dict[str, str]:
        """The conversation's token → original map; empty if it has none."""
        return self._maps.load(conversation_id, ctx=ctx)

    def load_token_maps(
        self, conversation_ids: Iterable[str], *, subject_id: str, ctx: AccessContext
    ) -> dict[str, dict[str, str]]:
        """The token maps of those of `conversation_ids` that are bound to `subject_id` and
        still have a map, in one transaction with one ``token_map.read`` audit record.
        Conversations of another subject are left out, never read."""
        return self._maps.load_many(conversation_ids, subject_id=subject_id, ctx=ctx)

    # --- keys (vault.rotation) --------------------------------------------------------

    def rotate_master_key(self, new_master: MasterKey, *, ctx: AccessContext) -> int:
        """Re-wrap every data key (all tenants) under `new_master`; returns the count.

        Data is not re-encrypted. Afterwards the old master key opens nothing: configure
        the new one before the next start. Resumable: see :class:`KeyRotation`.
        """
        rotation = KeyRotation(
            self._scope.keys, new_master, self._scope.audit, tenant=self._scope.tenant
        )
        return rotation.run(ctx)


def _check_no_subjects_without_keys(data: Database, tenant: str) -> None:
    """A tenant with subjects but no blind-index key means a foreign key store: refuse,
    rather than silently start a new index that finds nobody."""
    with data.begin() as conn:
        has_subjects = conn.execute(select(_S.c.id).where(_S.c.tenant == tenant).limit(1)).first()
    if has_subjects is not None:
        raise KeyStoreMismatch(
            f"the data store has subjects of tenant {tenant!r} but the key store has no keys "
            "for them: is DISCREET_KEYSTORE_URL the key store that belongs to this data store?"
        )
