"""One conversation's token map while it is being extended: look up or allocate tokens."""

from __future__ import annotations

from discreet.detect.entities import EntityType
from discreet.transform.normalize import normalize_value
from discreet.transform.tokenformat import TokenFormat


class TokenSession:
    """A loaded ``token -> value`` map plus the reverse index needed to reuse tokens.

    The reverse index is keyed by (type, normalised value), so "Jan de Vries" and
    "jan  de vries" get one token. It is rebuilt from the stored map on load rather than
    stored itself, so the vault holds exactly one copy of each value.
    """

    __slots__ = ("_counters", "_format", "_index", "_phone_region", "changed", "mapping")

    def __init__(
        self, mapping: dict[str, str], token_format: TokenFormat, phone_region: str | None
    ) -> None:
        self.mapping = mapping
        self.changed = False
        self._format = token_format
        self._phone_region = phone_region
        self._index: dict[tuple[EntityType, str], str] = {}
        self._counters: dict[EntityType, int] = {}
        for token, value in mapping.items():
            parsed = token_format.parse(token)
            if parsed is None:
                continue  # written with another token format; still rehydrates nothing here
            entity_type, number = parsed
            key = (entity_type, normalize_value(entity_type, value, phone_region))
            self._index.setdefault(key, token)
            self._counters[entity_type] = max(self._counters.get(entity_type, 0), number)

    def token_for(self, entity_type: EntityType, value: str, normalized: str | None = None) -> str:
        """The conversation's token for `value`, allocating the next number if it is new."""
        if normalized is None:
            normalized = normalize_value(entity_type, value, self._phone_region)
        key = (entity_type, normalized)
        token = self._index.get(key)
        if token is None:
            number = self._counters.get(entity_type, 0) + 1
            self._counters[entity_type] = number
            token = self._format.make(entity_type, number)
            self._index[key] = token
            self.mapping[token] = value
            self.changed = True
        return token

    def __repr__(self) -> str:
        return f"TokenSession(<{len(self.mapping)} tokens>)"
