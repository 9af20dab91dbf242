"""`discreet keys rotate`: the key store's resumable rotation, with its audit record.

The steps (:meth:`KeyStore.begin_rotation`, :meth:`~KeyStore.rewrap_batch`,
:meth:`~KeyStore.finish_rotation`) each commit on their own, so a rotation stopped at any
point is finished by running it again with the same new key; other processes keep
working meanwhile (see :mod:`discreet.vault.keystore`).

The audit record is the last step, and a rerun finishes it too. It lives in the data
store, the rotation in the key store, so no transaction holds both: a run that stopped
after the finish step but before the record leaves the rotation complete and unrecorded.
Every run therefore looks for the rotation's record in the audit log (rare: one
operator command per rotation) and writes it when it is missing, counting what every
run re-wrapped (:meth:`KeyStore.finished_rotation`). So each rotation has exactly one
``keys.rotate`` success record, however often it is run.
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
        Writes the rotation's ``keys.rotate`` record unless an earlier run did (its
        ``rewrapped``: every run's together); a failure record on refusal."""
        with audited(self._audit, self._tenant, ctx, Action.KEYS_ROTATE) as op:
            op.details = {"old_key_id": self._keys.master_key_id, "new_key_id": self._new.key_id}
            count = self._keys.rotate(self._new)
            finished = self._keys.finished_rotation(self._new.key_id)
            if finished is not None and not self._recorded():
                op.details["old_key_id"], op.details["rewrapped"] = finished
                self._audit.append(op.event(self._tenant, Outcome.OK))
            return count

    def _recorded(self) -> bool:
        """Whether the audit log holds this rotation's success record."""
        seq = 0
        while found := self._audit.actions_after(seq, [Action.KEYS_ROTATE]):
            for _, _, outcome, details in found:
                if outcome == Outcome.OK and details.get("new_key_id") == self._new.key_id:
                    return True
            seq = found[-1][0]
        return False
