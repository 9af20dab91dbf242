"""The vault-backed token-map store for :mod:`discreet.transform`.

Satisfies ``discreet.transform.tokens.TokenMapStore`` structurally. Maps are encrypted
under the bound subject's data key (else a key of the conversation's own), so erasing
the subject shreds its conversations' token maps too. Every load and save is audited
with the store's access context.
"""

from __future__ import annotations

from collections.abc import Mapping

from discreet.audit.context import SYSTEM_PSEUDONYMISATION, AccessContext
from discreet.vault.vault import Vault


class VaultTokenStore:
    """Token maps of one tenant's conversations, kept in the vault."""

    def __init__(
        self,
        vault: Vault,
        *,
        tenant: str | None = None,
        ctx: AccessContext = SYSTEM_PSEUDONYMISATION,
        merge: bool = False,
    ) -> None:
        self._vault = vault.for_tenant(tenant) if tenant is not None else vault
        self._ctx = ctx
        self._merge = merge
        """Saves add to the stored map (compare-and-swap, `transform.tokenmerge`) rather
        than replace it: for concurrent turns of one conversation (the gateway)."""

    @property
    def tenant(self) -> str:
        return self._vault.tenant

    def load(self, conversation_id: str) -> dict[str, str]:
        """The conversation's map (a fresh dict); empty if it has none."""
        return self._vault.load_token_map(conversation_id, ctx=self._ctx)

    def save(self, conversation_id: str, mapping: Mapping[str, str]) -> None:
        """Replace the conversation's map as a whole; with `merge`, add its tokens to the
        stored ones (`TokenMapConflict` when a concurrent turn assigned one differently)."""
        self._vault.save_token_map(conversation_id, mapping, ctx=self._ctx, merge=self._merge)

    def __repr__(self) -> str:
        return f"VaultTokenStore(tenant={self.tenant!r})"
