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
    ) -> None:
        self._vault = vault.for_tenant(tenant) if tenant is not None else vault
        self._ctx = ctx

    @property
    def tenant(self) -> str:
        return self._vault.tenant

    def load(self, conversation_id: str) -> dict[str, str]:
        """The conversation's map (a fresh dict); empty if it has none."""
        return self._vault.load_token_map(conversation_id, ctx=self._ctx)

    def save(self, conversation_id: str, mapping: Mapping[str, str]) -> None:
        """Save the conversation's map: its tokens are added to the stored ones, and a
        concurrent turn's disagreeing token raises `TokenMapConflict` (the caller retries)."""
        self._vault.save_token_map(conversation_id, mapping, ctx=self._ctx, merge=True)

    def __repr__(self) -> str:
        return f"VaultTokenStore(tenant={self.tenant!r})"
