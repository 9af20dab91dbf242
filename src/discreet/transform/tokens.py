"""Where per-conversation token maps live: the storage protocol and an in-memory store.

A token map belongs to exactly one conversation (ARCHITECTURE.md, principle 5) and maps
each token string (e.g. ``[PERSON_1]``) to the original value it stands for. The
`Pseudonymizer` loads the map once per call (or per `ConversationTurn`), adds tokens, and
saves the whole map back; `rehydrate` only ever loads. The vault implements this protocol
(``discreet.vault.tokens.VaultTokenStore``) and keeps maps encrypted under the
subject's key, so erasing the subject shreds its token maps too.

Contract for implementations:

* ``load`` of a conversation that has no map returns an empty dict (not an error).
* ``load`` returns a fresh dict the caller may mutate without affecting the store.
* ``save`` replaces the conversation's map as a whole. The pseudonymiser only ever adds
  entries, so a saved map is always a superset of the one it loaded; concurrent writers
  of one conversation must be serialised by the caller or the store (a conversation is
  served by one turn at a time).
* Neither method may put values in exceptions, logs or reprs.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Protocol, runtime_checkable


@runtime_checkable
class TokenMapStore(Protocol):
    """Per-conversation storage of ``token -> original value`` maps."""

    def load(self, conversation_id: str) -> dict[str, str]:
        """Return the conversation's map (token -> original value); empty if none."""
        ...

    def save(self, conversation_id: str, mapping: Mapping[str, str]) -> None:
        """Replace the conversation's map with `mapping`."""
        ...


class MemoryTokenStore:
    """An in-process `TokenMapStore` for tests, benchmarks and one-off training exports.

    Nothing is persisted or encrypted, so it must not hold production token maps beyond
    the life of the process. Thread-safe: maps are copied in and out under a lock.
    """

    def __init__(self) -> None:
        self._maps: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    def load(self, conversation_id: str) -> dict[str, str]:
        with self._lock:
            return dict(self._maps.get(conversation_id, {}))

    def save(self, conversation_id: str, mapping: Mapping[str, str]) -> None:
        with self._lock:
            self._maps[conversation_id] = dict(mapping)

    def delete(self, conversation_id: str) -> None:
        """Forget a conversation's map (erasure in tests); unknown ids are ignored."""
        with self._lock:
            self._maps.pop(conversation_id, None)

    def conversations(self) -> list[str]:
        """The conversation ids that have a map (ids are pseudonymous; safe to show)."""
        with self._lock:
            return sorted(self._maps)

    def __repr__(self) -> str:  # counts only: the maps hold PII values
        with self._lock:
            return f"MemoryTokenStore(<{len(self._maps)} conversations>)"
