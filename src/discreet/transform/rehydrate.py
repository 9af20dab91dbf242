"""Rehydration: put a conversation's original values back in place of its tokens.

Only the tokens of *this* conversation are restored (ARCHITECTURE.md, principle 5). A
token-shaped string that is not in the conversation's map — another conversation's token,
or one the model made up — is removed rather than shown raw, and reported, so the caller
can audit it or treat it as an incident.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from discreet.transform.tokenformat import DEFAULT_TOKEN_FORMAT, TokenFormat
from discreet.transform.tokens import TokenMapStore


@dataclass(frozen=True, slots=True)
class RehydrationResult:
    """The rehydrated text and the token strings that were not in the conversation's map
    (in order of first appearance). The repr holds neither the text nor any value."""

    text: str
    unknown_tokens: tuple[str, ...]

    def __repr__(self) -> str:
        unknown = list(self.unknown_tokens)
        return f"RehydrationResult(<{len(self.text)} chars>, unknown_tokens={unknown})"


class Rehydrator:
    """Rehydrates texts against one conversation's loaded map (reuse it within a turn)."""

    __slots__ = ("_format", "_mapping", "_regex", "_unknown")

    def __init__(
        self, mapping: Mapping[str, str], token_format: TokenFormat = DEFAULT_TOKEN_FORMAT
    ) -> None:
        self._mapping = mapping
        self._format = token_format
        self._regex: re.Pattern[str] = token_format.regex
        self._unknown: dict[str, None] = {}  # ordered set

    @classmethod
    def for_conversation(
        cls,
        conversation_id: str,
        store: TokenMapStore,
        token_format: TokenFormat = DEFAULT_TOKEN_FORMAT,
    ) -> Rehydrator:
        return cls(store.load(conversation_id), token_format)

    @property
    def unknown_tokens(self) -> tuple[str, ...]:
        """Every unknown token seen so far by this rehydrator."""
        return tuple(self._unknown)

    def restore(self, text: str) -> str:
        """`text` with known tokens replaced by their values and unknown ones removed.

        One pass: restored values are never scanned again, so a value that happens to look
        like a token cannot pull in another value.
        """
        return self._substitute(text, {})

    def rehydrate(self, text: str) -> RehydrationResult:
        """Like `restore`, reporting the unknown tokens of this text."""
        unknown_here: dict[str, None] = {}
        restored = self._substitute(text, unknown_here)
        return RehydrationResult(restored, tuple(unknown_here))

    def _substitute(self, text: str, unknown_here: dict[str, None]) -> str:
        mapping = self._mapping

        def replace(match: re.Match[str]) -> str:
            token = match.group(0)
            value = mapping.get(token)
            if value is None:
                unknown_here[token] = None
                self._unknown[token] = None
                return ""
            return value

        return self._regex.sub(replace, text)

    def __repr__(self) -> str:
        return f"Rehydrator(<{len(self._mapping)} tokens>)"


def rehydrate(
    text: str,
    conversation_id: str,
    store: TokenMapStore,
    token_format: TokenFormat = DEFAULT_TOKEN_FORMAT,
) -> RehydrationResult:
    """Restore `conversation_id`'s tokens in `text`; remove and report any other token."""
    return Rehydrator.for_conversation(conversation_id, store, token_format).rehydrate(text)


class StreamingRehydrator:
    """Rehydrates a stream of chunks (e.g. an LLM's streamed answer) as it arrives.

    A token may be split across chunks ("[PERS" + "ON_1]"), so the tail of the input that
    could still become a token is held back, and nothing else: the held-back text is never
    longer than the longest possible token, and text that cannot be part of a token is
    emitted at once. The concatenated output equals `rehydrate` of the whole input.

    >>> stream = StreamingRehydrator({"[PERSON_1]": "Jan"})
    >>> stream.feed("Hello [PERS") + stream.feed("ON_1]!") + stream.flush()
    'Hello Jan!'
    """

    __slots__ = ("_buffer", "_format", "_rehydrator")

    def __init__(
        self, mapping: Mapping[str, str], token_format: TokenFormat = DEFAULT_TOKEN_FORMAT
    ) -> None:
        self._rehydrator = Rehydrator(mapping, token_format)
        self._format = token_format
        self._buffer = ""

    @classmethod
    def for_conversation(
        cls,
        conversation_id: str,
        store: TokenMapStore,
        token_format: TokenFormat = DEFAULT_TOKEN_FORMAT,
    ) -> StreamingRehydrator:
        return cls(store.load(conversation_id), token_format)

    @property
    def buffered(self) -> int:
        """How many characters are held back (at most the longest token minus one)."""
        return len(self._buffer)

    @property
    def unknown_tokens(self) -> tuple[str, ...]:
        return self._rehydrator.unknown_tokens

    def feed(self, chunk: str) -> str:
        """Take the next chunk; return the text that is now certain (possibly empty)."""
        buffer = self._buffer + chunk
        hold = self._hold_from(buffer)
        self._buffer = buffer[hold:]
        return self._rehydrator.restore(buffer[:hold]) if hold else ""

    def flush(self) -> str:
        """End of stream: whatever is held back cannot become a token any more."""
        rest, self._buffer = self._buffer, ""
        return self._rehydrator.restore(rest)

    def stream(self, chunks: Iterable[str]) -> Iterator[str]:
        """Rehydrate an iterable of chunks lazily (empty pieces are skipped), then flush."""
        for chunk in chunks:
            if out := self.feed(chunk):
                yield out
        if rest := self.flush():
            yield rest

    def _hold_from(self, buffer: str) -> int:
        """The first offset from which `buffer`'s tail could still grow into a token."""
        fmt = self._format
        first = fmt.prefix[0]
        # A partial token is shorter than a whole one, so only the last few characters count.
        i = buffer.find(first, max(0, len(buffer) - fmt.max_length + 1))
        while i != -1:
            if fmt.could_become_token(buffer[i:]):
                return i
            i = buffer.find(first, i + 1)
        return len(buffer)

    def __repr__(self) -> str:
        return f"StreamingRehydrator(<{len(self._buffer)} chars held>)"
