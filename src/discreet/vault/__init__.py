"""The encrypted vault: subjects, token maps, key hierarchy, rotation, crypto-shredding.

Start with :func:`open_vault` (from settings) or :meth:`Vault.open`; every call takes an
:class:`discreet.audit.AccessContext`. Nothing here holds plaintext at rest.
"""

from discreet.vault.blind_index import IdentifierKind
from discreet.vault.crypto import MasterKey
from discreet.vault.errors import (
    ConversationSubjectConflict,
    ImportRowError,
    IntegrityError,
    InvalidMasterKey,
    KeyStoreMismatch,
    MasterKeyMissing,
    StoreUnavailable,
    SubjectErased,
    SubjectExists,
    SubjectNotFound,
    UnknownField,
    VaultError,
    WrongMasterKey,
)
from discreet.vault.factory import open_audit_log, open_vault, upgrade_databases
from discreet.vault.fields import (
    DEFAULT_FIELD_CATEGORIES,
    FieldCatalog,
    ParsedRow,
    SubjectRecord,
    SubjectView,
)
from discreet.vault.master import ensure_demo_master_key, load_master_key
from discreet.vault.tokens import VaultTokenStore
from discreet.vault.vault import Action, ErasureReceipt, ImportReport, TurnRead, Vault

__all__ = [
    "DEFAULT_FIELD_CATEGORIES",
    "Action",
    "ConversationSubjectConflict",
    "ErasureReceipt",
    "FieldCatalog",
    "IdentifierKind",
    "ImportReport",
    "ImportRowError",
    "IntegrityError",
    "InvalidMasterKey",
    "KeyStoreMismatch",
    "MasterKey",
    "MasterKeyMissing",
    "ParsedRow",
    "StoreUnavailable",
    "SubjectErased",
    "SubjectExists",
    "SubjectNotFound",
    "SubjectRecord",
    "SubjectView",
    "TurnRead",
    "UnknownField",
    "Vault",
    "VaultError",
    "VaultTokenStore",
    "WrongMasterKey",
    "ensure_demo_master_key",
    "load_master_key",
    "open_audit_log",
    "open_vault",
    "upgrade_databases",
]
