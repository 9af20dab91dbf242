"""Which operator each entity type gets: typed configuration with safe defaults.

The default turns every type into a reversible token (ARCHITECTURE.md: private by
default). Policies override per type, e.g. mask card numbers for agents, or use the
`training` preset (placeholders and realistic surrogates, nothing reversible) for exports.

In YAML a type maps to an operator name or to a mapping with options::

    default: token
    by_type:
      CREDIT_CARD: {operator: mask, keep: 4}
      DATE_OF_BIRTH: generalize
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from discreet.detect.entities import EntityType, parse_entity_type
from discreet.transform.tokenformat import DEFAULT_TOKEN_FORMAT, TokenFormat


def _check_template(template: str, **fields: str) -> str:
    try:
        template.format(**fields)
    except (KeyError, IndexError, ValueError) as exc:
        allowed = ", ".join("{" + f + "}" for f in fields)
        raise ValueError(f"template may only use {allowed} ({type(exc).__name__})") from None
    return template


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RedactSpec(_Spec):
    """Remove the value entirely."""

    operator: Literal["redact"] = "redact"


class PlaceholderSpec(_Spec):
    """Replace with a readable type label: ``[Customer Name]`` or ``[EMAIL_ADDRESS]``.

    `template` may use ``{label}`` (from ENTITY_INFO) and ``{type}`` (the type name).
    """

    operator: Literal["placeholder"] = "placeholder"
    template: str = "[{label}]"

    @field_validator("template")
    @classmethod
    def _fields_known(cls, value: str) -> str:
        return _check_template(value, label="Label", type="TYPE")


class MaskSpec(_Spec):
    """Replace characters by `char`, keeping the last `keep` letters/digits and separators.

    Never reveals more than half of a value's letters and digits, so a short value is
    masked almost completely.
    """

    operator: Literal["mask"] = "mask"
    keep: int = Field(default=4, ge=0, le=8)
    char: str = Field(default="*", min_length=1, max_length=1)


class TokenSpec(_Spec):
    """A reversible per-conversation token (``[PERSON_1]``), stored in the token map."""

    operator: Literal["token"] = "token"


class SurrogateSpec(_Spec):
    """A realistic fake in the text's language, consistent within a conversation."""

    operator: Literal["surrogate"] = "surrogate"


class HashSpec(_Spec):
    """HMAC-SHA256 of the normalised value under the caller's key, truncated to `length` hex
    characters. Stable across conversations (for linking records), so it needs a key."""

    operator: Literal["hash"] = "hash"
    length: int = Field(default=16, ge=8, le=64)
    template: str = "{type}_{hash}"

    @field_validator("template")
    @classmethod
    def _fields_known(cls, value: str) -> str:
        return _check_template(value, type="TYPE", hash="0f")


class GeneralizeSpec(_Spec):
    """Coarsen: date (of birth) to year, age to a band, postal code to its region.

    Types without a generalisation rule, and values the rule cannot read, fall back to a
    placeholder, never to the raw value.
    """

    operator: Literal["generalize"] = "generalize"
    age_band: int = Field(default=10, ge=2, le=50)


OperatorSpec = Annotated[
    RedactSpec | PlaceholderSpec | MaskSpec | TokenSpec | SurrogateSpec | HashSpec | GeneralizeSpec,
    Field(discriminator="operator"),
]
OPERATOR_NAMES: tuple[str, ...] = (
    "redact",
    "placeholder",
    "mask",
    "token",
    "surrogate",
    "hash",
    "generalize",
)


class OperatorConfig(BaseModel):
    """Operator per entity type, the token format and value normalisation settings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    default: OperatorSpec = Field(default_factory=TokenSpec)
    by_type: dict[EntityType, OperatorSpec] = Field(default_factory=dict)
    token_format: TokenFormat = DEFAULT_TOKEN_FORMAT
    phone_region: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{2}$",
        description="Region (ISO 3166 alpha-2) for reading national phone numbers such as "
        "'06 12345678', so they share a token with their +31 form. Keep it fixed per "
        "deployment: changing it gives already-seen numbers new tokens.",
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        # Accept a bare operator name ("mask") as shorthand for {"operator": "mask"}.
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if isinstance(data.get("default"), str):
            data["default"] = {"operator": data["default"]}
        if isinstance(data.get("by_type"), dict):
            data["by_type"] = {
                k: {"operator": v} if isinstance(v, str) else v for k, v in data["by_type"].items()
            }
        return data

    def spec_for(self, entity_type: EntityType) -> OperatorSpec:
        return self.by_type.get(entity_type, self.default)

    def uses(self, operator: str) -> bool:
        """Whether any type (or the default) is configured with `operator`."""
        return self.default.operator == operator or any(
            s.operator == operator for s in self.by_type.values()
        )

    def with_overrides(self, overrides: dict[EntityType, OperatorSpec]) -> OperatorConfig:
        return self.model_copy(update={"by_type": {**self.by_type, **overrides}})

    @classmethod
    def training(cls) -> OperatorConfig:
        """Nothing reversible: realistic surrogates where the text must read naturally,
        placeholders for identifiers and secrets, which a model must never learn."""
        surrogate = SurrogateSpec()
        by_type: dict[EntityType, OperatorSpec] = {
            t: surrogate
            for t in (
                EntityType.PERSON,
                EntityType.EMAIL_ADDRESS,
                EntityType.PHONE_NUMBER,
                EntityType.STREET_ADDRESS,
                EntityType.LOCATION,
                EntityType.POSTAL_CODE,
                EntityType.DATE,
                EntityType.IBAN,
                EntityType.CREDIT_CARD,
                EntityType.CUSTOMER_ID,
                EntityType.ORDER_ID,
                EntityType.USERNAME,
                EntityType.URL,
                EntityType.IP_ADDRESS,
                EntityType.ORGANIZATION,
            )
        }
        by_type[EntityType.DATE_OF_BIRTH] = GeneralizeSpec()
        by_type[EntityType.AGE] = GeneralizeSpec()
        return cls(default=PlaceholderSpec(), by_type=by_type)


def parse_override(text: str) -> tuple[EntityType, OperatorSpec]:
    """Parse a CLI override ``TYPE=OPERATOR`` (e.g. ``CREDIT_CARD=mask``)."""
    name, sep, operator = text.partition("=")
    if not sep or not name.strip() or not operator.strip():
        raise ValueError(f"expected TYPE=OPERATOR, got {text!r}")
    operator = operator.strip().lower()
    if operator not in OPERATOR_NAMES:
        raise ValueError(
            f"unknown operator {operator!r}; expected one of: {', '.join(OPERATOR_NAMES)}"
        )
    holder = OperatorConfig.model_validate({"default": operator})
    return parse_entity_type(name), holder.default
