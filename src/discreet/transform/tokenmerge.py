"""Concurrent turns of one conversation, each adding tokens to its map.

Two turns that load the same map and both add tokens must not lose each other's: the
one saving last would otherwise replace the map as a whole, and a later turn could map
two different names to one token. Saves are therefore compare-and-swap on content: under
the conversation's row lock the store merges the map being saved into the stored one
(`merge_maps`). Tokens both maps hold must agree, and no value may end up under two
tokens; otherwise `TokenMapConflict` is raised and the turn reloads the map and
pseudonymises again (`ConversationTurn.pseudonymize_messages` retries).
"""

from __future__ import annotations

from collections.abc import Mapping

from discreet.errors import Conflict

MAX_ATTEMPTS = 5


class TokenMapConflict(Conflict, code="token_map_conflict"):
    """Another turn of the conversation saved a token this one assigned differently."""


def merge_maps(stored: Mapping[str, str], saving: Mapping[str, str]) -> dict[str, str]:
    """`stored` plus the tokens `saving` adds; `TokenMapConflict` if they disagree."""
    merged = dict(stored)
    owner = {value: token for token, value in stored.items()}
    for token, value in saving.items():
        known = merged.get(token)
        if known is not None and known != value:
            raise TokenMapConflict("a concurrent turn assigned this token to another value")
        other = owner.get(value)
        if other is not None and other != token:
            raise TokenMapConflict("a concurrent turn assigned this value another token")
        merged[token] = value
        owner[value] = token
    return merged


__all__ = ["MAX_ATTEMPTS", "TokenMapConflict", "merge_maps"]
