"""Master-key rotation over the key store, with its audit record."""

from __future__ import annotations

from dataclasses import dataclass

from discreet.audit.context import AccessContext, Outcome
from discreet.audit.log import AuditEvent, AuditLog
from discreet.vault.crypto import MasterKey
from discreet.vault.keystore import KeyStore
from discreet.vault.scope import Action


@dataclass(frozen=True, slots=True)
class RotationResult:
    rewrapped: int


class KeyRotation:
    """Re-wrap every data key under a new master key."""

    def __init__(
        self, keys: KeyStore, new_master: MasterKey, audit: AuditLog, ctx: AccessContext
    ) -> None:
        self._keys = keys
        self._new = new_master
        self._audit = audit
        self._ctx = ctx

    def run(self) -> RotationResult:
        old_id = self._keys.master_key_id
        details: dict[str, str | int] = {"old_key_id": old_id, "new_key_id": self._new.key_id}
        count = self._keys.rotate(self._new)
        details["rewrapped"] = count
        self._audit.append(
            AuditEvent(
                ctx=self._ctx,
                tenant="default",
                action=Action.KEYS_ROTATE.value,
                outcome=Outcome.OK,
                details=dict(details),
            )
        )
        return RotationResult(count)
