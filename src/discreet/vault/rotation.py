"""`discreet keys rotate`: the key store's resumable rotation, with its audit record.

The steps (:meth:`KeyStore.begin_rotation`, :meth:`~KeyStore.rewrap_batch`,
:meth:`~KeyStore.finish_rotation`) each commit on their own, so a rotation stopped at any
point is finished by running it again with the same new key; other processes keep
working meanwhile (see :mod:`discreet.vault.keystore`).
"""

from __future__ import annotations

from discreet.audit.context import AccessContext, Outcome
from discreet.audit.log import AuditLog
from discreet.vault.crypto import MasterKey
from discreet.vault.keystore import KeyStore
from discreet.vault.scope import Action, audited


class KeyRotation:
    """Re-wrap every data key (all tenants) under `new_master`; the old key then opens
    nothing and wraps nothing."""

    def __init__(
        self, keys: KeyStore, new_master: MasterKey, audit: AuditLog, *, tenant: str
    ) -> None:
        self._keys = keys
        self._new = new_master
        self._audit = audit
        self._tenant = tenant
        keys.hold(new_master)  # a stopped rotation left keys under both

    def run(self, ctx: AccessContext) -> int:
        """Run (or finish) the rotation; returns how many keys this run re-wrapped.
        One ``keys.rotate`` audit record (a failure record on refusal)."""
        with audited(self._audit, self._tenant, ctx, Action.KEYS_ROTATE) as op:
            op.details = {"old_key_id": self._keys.master_key_id, "new_key_id": self._new.key_id}
            count = self._keys.rotate(self._new)
            op.details["rewrapped"] = count
            self._audit.append(op.event(self._tenant, Outcome.OK))
            return count
