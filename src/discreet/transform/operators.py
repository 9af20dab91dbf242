"""The operators: each turns one detected value into its replacement text.

Operators are pure functions of the spec, the finding and a per-call context; the only
state they touch is the conversation's `TokenSession` (token operator). None of them
may fail open: a value an operator cannot handle becomes a placeholder, never itself.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field

from discreet.detect.base import Finding
from discreet.detect.entities import ENTITY_INFO, EntityType
from discreet.detect.recognizers.known_subject import KnownSubjectRecognizer
from discreet.errors import InvalidInput
from discreet.transform.config import (
    GeneralizeSpec,
    HashSpec,
    MaskSpec,
    OperatorSpec,
    PlaceholderSpec,
    RedactSpec,
    SurrogateSpec,
    TokenSpec,
)
from discreet.transform.generalize import generalize
from discreet.transform.normalize import normalize_value
from discreet.transform.surrogates import SurrogateGenerator
from discreet.transform.tokenmap import TokenSession


class OperatorError(InvalidInput, ValueError):
    """An operator is misconfigured (e.g. hash without a key). Names the type, not values."""


@dataclass(slots=True)
class OperatorContext:
    """What operators need besides the value: where it is and the per-call state."""

    conversation_id: str
    language: str
    tokens: TokenSession | None
    surrogates: SurrogateGenerator
    hash_key: bytes | None
    phone_region: str | None
    subject_values: Mapping[EntityType, str] = field(default_factory=dict)
    """The conversation subject's value per type (types with exactly one value)."""

    def __repr__(self) -> str:
        return f"OperatorContext(conversation_id={self.conversation_id!r}, {self.language})"


def placeholder(entity_type: EntityType, template: str = "[{label}]") -> str:
    return template.format(label=ENTITY_INFO[entity_type].label, type=entity_type.value)


def mask(value: str, keep: int = 4, char: str = "*") -> str:
    """Mask letters and digits except the last `keep`; separators stay for readability.

    At most half of the letters and digits are ever shown, so "1234" keeps only "34".
    """
    alnum = sum(c.isalnum() for c in value)
    shown = min(keep, alnum // 2)
    out: list[str] = []
    seen = 0
    for c in value:
        if c.isalnum():
            seen += 1
            out.append(c if seen > alnum - shown else char)
        else:
            out.append(c)
    return "".join(out)


def keyed_hash(entity_type: EntityType, normalized: str, key: bytes, length: int) -> str:
    """Truncated HMAC-SHA256 of the type and normalised value (hex)."""
    message = entity_type.value.encode() + b"\x00" + normalized.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:length]


def canonical_value(finding: Finding, value: str, context: OperatorContext) -> str:
    """The subject's own value when `finding` is a variant of it, else `value`.

    "Jan", "de Vries" and "J. de Vries" found as the known subject are all one person:
    they share a token (and a surrogate), which rehydrates to the subject's full value.
    """
    if finding.recognizer == KnownSubjectRecognizer.name:
        return context.subject_values.get(finding.type, value)
    return value


def apply_operator(
    spec: OperatorSpec,
    finding: Finding,
    value: str,
    context: OperatorContext,
    canonical: str | None = None,
) -> str:
    """The replacement for `value` (the text of `finding`) under `spec`. `canonical`: the
    stored value `value` is a spelling of (a part of the subject's name, `transform.names`),
    when the caller knows it; else `canonical_value` decides."""
    entity_type = finding.type
    if canonical is None:
        canonical = canonical_value(finding, value, context)
    match spec:
        case TokenSpec():
            if context.tokens is None:  # pragma: no cover - the Pseudonymizer always sets it
                raise OperatorError(f"token operator for {entity_type.value} has no token map")
            return context.tokens.token_for(entity_type, canonical)
        case RedactSpec():
            return ""
        case PlaceholderSpec(template=template):
            return placeholder(entity_type, template)
        case MaskSpec(keep=keep, char=char):
            return mask(value, keep, char)
        case SurrogateSpec():
            # Seeded by the canonical value (one person, one fake), shaped like the surface.
            normalized = normalize_value(entity_type, canonical, context.phone_region)
            return context.surrogates.surrogate(
                entity_type,
                normalized,
                value,
                context.language,
                context.conversation_id,
                finding.subtype,
            )
        case HashSpec(length=length, template=template):
            if context.hash_key is None:
                raise OperatorError(f"hash operator for {entity_type.value} needs a hash_key")
            normalized = normalize_value(entity_type, canonical, context.phone_region)
            digest = keyed_hash(entity_type, normalized, context.hash_key, length)
            return template.format(type=entity_type.value, hash=digest)
        case GeneralizeSpec(age_band=band):
            general = generalize(entity_type, value, band)
            return general if general is not None else placeholder(entity_type)
    raise OperatorError(f"unknown operator for {entity_type.value}")  # pragma: no cover
