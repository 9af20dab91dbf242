"""What a pseudonym token looks like, and how to find, parse and neutralise tokens.

The default token is ``[TYPE_N]``, e.g. ``[PERSON_1]``: readable for the model, unlikely
in ordinary text, and cheap to find. The format is configurable (prefix, separator,
suffix) but the type names and the number are fixed, so that tokens stay parseable and a
streaming rehydrator can tell after a few characters whether text could still be a token.
"""

from __future__ import annotations

import re
import string
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from discreet.detect.entities import EntityType

MAX_TOKEN_DIGITS = 9
TOKEN_PATTERN = r"\[[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_[0-9]+\]"
"""A token of the default format in text (``[PERSON_1]``, ``[NL_BSN_2]``): what stored
transcripts and the gateway's context look for."""
"""Tokens are numbered per conversation and type; a billion is more than enough."""


def _fullwidth(char: str) -> str:
    """The full-width look-alike of a printable ASCII character (U+FF01..U+FF5E)."""
    return chr(ord(char) + 0xFEE0)


class TokenFormat(BaseModel):
    """``prefix + TYPE + separator + N + suffix``, e.g. ``[PERSON_1]`` or ``<<EMAIL_ADDRESS-3>>``.

    `prefix` and `suffix` must be ASCII punctuation (so they cannot be confused with the type
    name or number), and the prefix must not occur inside a token, which keeps every token
    findable in a stream after at most `max_length` characters.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    prefix: str = Field(default="[", min_length=1, max_length=4)
    separator: str = Field(default="_", min_length=1, max_length=2)
    suffix: str = Field(default="]", min_length=1, max_length=4)

    @field_validator("prefix", "suffix", "separator")
    @classmethod
    def _punctuation(cls, value: str) -> str:
        if not all(c in string.punctuation for c in value):
            raise ValueError("must consist of ASCII punctuation characters only")
        return value

    @model_validator(mode="after")
    def _prefix_is_unambiguous(self) -> TokenFormat:
        if self.prefix[0] in self.separator + self.suffix + "_":
            raise ValueError(
                "the first prefix character must not be '_' nor occur in separator or suffix"
            )
        return self

    def make(self, entity_type: EntityType, number: int) -> str:
        """The token for the `number`-th value of `entity_type` in a conversation."""
        if not 1 <= number < 10**MAX_TOKEN_DIGITS:
            raise ValueError(f"token number out of range for {entity_type.value}")
        return f"{self.prefix}{entity_type.value}{self.separator}{number}{self.suffix}"

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """Matches a complete token; group 1 is the type name, group 2 the number."""
        types = "|".join(sorted((re.escape(t.value) for t in EntityType), key=len, reverse=True))
        return re.compile(
            f"{re.escape(self.prefix)}({types}){re.escape(self.separator)}"
            f"([1-9][0-9]{{0,{MAX_TOKEN_DIGITS - 1}}}){re.escape(self.suffix)}"
        )

    @cached_property
    def max_length(self) -> int:
        """The longest possible token; a streaming rehydrator never buffers more than this."""
        longest_type = max(len(t.value) for t in EntityType)
        return (
            len(self.prefix)
            + longest_type
            + len(self.separator)
            + MAX_TOKEN_DIGITS
            + len(self.suffix)
        )

    @cached_property
    def _type_heads(self) -> tuple[str, ...]:
        return tuple(t.value + self.separator for t in EntityType)

    def parse(self, token: str) -> tuple[EntityType, int] | None:
        """(type, number) of a complete token, or None if `token` is not one."""
        match = self.regex.fullmatch(token)
        if match is None:
            return None
        return EntityType(match.group(1)), int(match.group(2))

    def could_become_token(self, text: str) -> bool:
        """Whether `text` is a proper prefix of some token (more characters could complete it).

        Used by the streaming rehydrator to decide what it must hold back; a complete token
        returns False because nothing more is needed to decide it.
        """
        prefix = self.prefix
        if len(text) <= len(prefix):
            return prefix.startswith(text)  # the empty string too: anything may follow
        if not text.startswith(prefix):
            return False
        rest = text[len(prefix) :]
        for head in self._type_heads:
            if len(rest) <= len(head):
                if head.startswith(rest):
                    return True
                continue
            if not rest.startswith(head):
                continue
            tail = rest[len(head) :]
            digits = len(tail) - len(tail.lstrip(string.digits))
            number, after = tail[:digits], tail[digits:]
            if len(number) > MAX_TOKEN_DIGITS or number.startswith("0"):
                continue
            if not after:
                return True  # "[PERSON_" or "[PERSON_12": a number or more digits may follow
            if number and len(after) < len(self.suffix) and self.suffix.startswith(after):
                return True
        return False

    def neutralise(self, text: str) -> str:
        """Make token-look-alikes in untrusted input inert, keeping every offset unchanged.

        The first prefix character of each token-shaped string is replaced by its full-width
        look-alike (``[`` → ``［``), so a customer who types ``[PERSON_1]`` cannot make the
        assistant's echo of it rehydrate into a real value.
        """
        if self.prefix not in text:
            return text
        look_alike = _fullwidth(self.prefix[0])
        return self.regex.sub(lambda m: look_alike + m.group(0)[1:], text)


DEFAULT_TOKEN_FORMAT = TokenFormat()
