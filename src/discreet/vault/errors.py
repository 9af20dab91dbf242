"""Typed vault errors. Messages say what failed and where, never a stored value."""

from __future__ import annotations

from discreet.errors import (
    Conflict,
    DiscreetError,
    InvalidInput,
    InvalidValue,
    NotFound,
    Unavailable,
)
from discreet.store import errors as store_errors


class VaultError(DiscreetError):
    """Base class of everything the vault raises on purpose."""


class MasterKeyMissing(VaultError, Unavailable):
    """No master key is configured; commands refuse to start."""


class InvalidMasterKey(VaultError, Unavailable):
    """The configured master key is not base64 of exactly 32 bytes."""


class WrongMasterKey(VaultError, Unavailable):
    """The configured master key is not the one the key store was wrapped with."""


class RotationUnfinished(VaultError, Conflict):
    """A rotation to another master key is under way: finish that one first."""

    code = "rotation_unfinished"


class UnusableNewMasterKey(VaultError, InvalidValue):
    """The key given to rotate to cannot be the next one: it is the current master key,
    or an earlier rotation retired it."""

    code = "unusable_new_master_key"


class NoRotationUnderWay(VaultError, Conflict):
    """Finishing a rotation to a key that no rotation is under way to."""

    code = "no_rotation_under_way"


class KeyStoreMismatch(VaultError, Unavailable):
    """The key store does not belong to the data store (e.g. the wrong URL or file)."""


class IntegrityError(VaultError, Unavailable):
    """A ciphertext or wrapped key failed authentication: tampered, moved or corrupt."""


class SubjectNotFound(VaultError, NotFound):
    """No subject with that reference in this tenant."""

    code = "subject_not_found"


class SubjectErased(SubjectNotFound):
    """The subject's data key is gone (crypto-shredded); its data can never be read."""


class SubjectExists(VaultError, Conflict):
    """A subject with that reference already exists in this tenant."""


class ConversationSubjectConflict(VaultError, Conflict):
    """The conversation is already bound to another subject (principle 5)."""


class UnknownField(VaultError, InvalidInput):
    """A field name has no data category (add one to the field→category table)."""


class ImportRowError(VaultError, InvalidInput):
    """One row of an import file is unusable; `line` is its 1-based line number."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


class StoreUnavailable(VaultError, store_errors.StoreUnavailable):
    """The data store or key store cannot be used; the operation failed closed."""
