"""The policy root model and the questions the gateway asks it.

`Policy.access(assistant, purpose)` is the single place that decides which customer-record
fields an assistant may see for a purpose. The rules, in order (the first that applies
hides the field):

1. not granted: the field is in none of the assistant's `categories` or `fields`;
2. denied: the field is in the assistant's `deny_fields` (deny always wins);
3. special category (GDPR art. 9) and the purpose has no `special_category_condition`;
4. outside the purpose: the purpose limits itself to `categories` and the field's category
   is not among them.

Nothing in a request (prompt, headers, tool call) is an input to this decision, so no
prompt can widen it. The decision is precomputed when the policy is validated; a `Policy`
is immutable (build a new one with `load_policy`/`parse_policy`, never `model_copy`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from discreet.detect.config import DetectorConfig
from discreet.detect.entities import EntityType
from discreet.policy.errors import PolicyDenied, PolicyError, UnknownAssistant, UnknownPurpose
from discreet.policy.models import (
    AlertsSpec,
    AssistantSpec,
    ConsoleSpec,
    ConversationSpec,
    DataCategorySpec,
    DisclosureSpec,
    FieldType,
    HandoffSpec,
    Name,
    PurposeSpec,
    RetentionRule,
    UpstreamSpec,
    _Strict,
    resolve_retention,
)
from discreet.policy.references import (
    check_field_types,
    check_references,
    field_categories,
    unknown_name,
)
from discreet.policy.vocabulary import DEFAULT_RETENTION_DAYS, LegalBasis, RecordKind
from discreet.transform.config import OperatorConfig, OperatorSpec, RedactSpec

# Secrets (passwords, API keys) are removed outright unless a policy says otherwise for
# SECRET explicitly: nobody should get one back, not even rehydrated.
_POLICY_OPERATOR_DEFAULTS: dict[EntityType, OperatorSpec] = {EntityType.SECRET: RedactSpec()}


class HiddenReason(StrEnum):
    """Why a field is withheld from an assistant for a purpose (first match wins)."""

    NOT_GRANTED = "not granted to this assistant"
    DENIED = "explicitly denied (deny_fields)"
    SPECIAL_CATEGORY = "special category (GDPR art. 9) without an art. 9 condition"
    OUTSIDE_PURPOSE = "outside the data categories of the purpose"


@dataclass(frozen=True, slots=True)
class AccessGrant:
    """What one assistant may see when serving one purpose: the gateway's minimal context
    and the facts its audit record needs (categories, purpose, legal basis)."""

    assistant: str
    purpose: str
    legal_basis: LegalBasis
    requires_consent: bool
    fields: frozenset[str]
    categories: frozenset[str]
    """The categories of `fields` (only those with at least one visible field)."""
    history_window_days: int
    max_context_messages: int


class Policy(_Strict):
    """A tenant's whole privacy policy, validated and cross-checked."""

    version: Literal[1]
    tenant: str = Field(min_length=1, max_length=200)
    data_categories: dict[Name, DataCategorySpec] = Field(default_factory=dict)
    purposes: dict[Name, PurposeSpec] = Field(default_factory=dict)
    assistants: dict[Name, AssistantSpec] = Field(default_factory=dict)
    upstream: UpstreamSpec | None = None
    retention: tuple[RetentionRule, ...] = ()
    jurisdictions: tuple[Literal["gdpr", "ccpa"], ...] = Field(default=("gdpr",), min_length=1)
    """Whose deadlines and request kinds apply to data-subject requests (see
    `discreet.rights.jurisdictions`): GDPR, CCPA/CPRA, or both."""
    disclosure: DisclosureSpec = Field(default_factory=DisclosureSpec)
    handoff: HandoffSpec = Field(default_factory=HandoffSpec)
    conversation: ConversationSpec = Field(default_factory=ConversationSpec)
    console: ConsoleSpec = Field(default_factory=ConsoleSpec)
    alerts: AlertsSpec = Field(default_factory=AlertsSpec)
    """Delivery of anomaly alerts (``discreet alerts check``)."""
    detection: DetectorConfig = Field(default_factory=DetectorConfig)
    pseudonymisation: OperatorConfig = Field(
        default_factory=lambda: OperatorConfig(by_type=_POLICY_OPERATOR_DEFAULTS)
    )
    """Policy-wide operators (default: a conversation token for every type, SECRET
    redacted); each assistant's `operators` override per type."""

    _field_category: dict[str, str] = PrivateAttr(default_factory=dict)
    _field_types: dict[str, FieldType] = PrivateAttr(default_factory=dict)
    _entity_fields: dict[str, EntityType] = PrivateAttr(default_factory=dict)
    _grants: dict[tuple[str, str], AccessGrant] = PrivateAttr(default_factory=dict)
    _operator_configs: dict[str, OperatorConfig] = PrivateAttr(default_factory=dict)
    _source: str = PrivateAttr(default="<code>")

    @field_validator("pseudonymisation", mode="after")
    @classmethod
    def _strict_operator_defaults(cls, value: OperatorConfig) -> OperatorConfig:
        missing = {t: s for t, s in _POLICY_OPERATOR_DEFAULTS.items() if t not in value.by_type}
        return value.with_overrides(missing) if missing else value

    @model_validator(mode="after")
    def _cross_check(self) -> Policy:
        issues = check_references(self)
        if issues:
            # Not a ValueError on purpose: Pydantic would fold it into one error at the top
            # level and lose each issue's key path (and so its line number).
            raise PolicyError(issues)
        self._field_category = field_categories(self)
        self._grants = {
            (assistant, purpose): self._compute_grant(assistant, purpose)
            for assistant, spec in self.assistants.items()
            for purpose in spec.purposes
        }
        self._operator_configs = {
            name: self.pseudonymisation.with_overrides(spec.operators)
            for name, spec in self.assistants.items()
        }
        self._field_types = {
            field: kind
            for spec in self.data_categories.values()
            for field, kind in spec.types.items()
        }
        self._entity_fields = {
            f: t for f, t in self._field_types.items() if isinstance(t, EntityType)
        }
        issues = check_field_types(self, self._grants.values())
        if issues:
            raise PolicyError(issues)
        return self

    # -- what the gateway asks -------------------------------------------------------------

    @property
    def source(self) -> str:
        """Where this policy came from (a path, ``<built-in example>``, ``<code>``)."""
        return self._source

    @property
    def all_fields(self) -> frozenset[str]:
        return frozenset(self._field_category)

    @property
    def identifier_fields(self) -> dict[str, str]:
        """Field -> identifier kind, as the data categories declare them."""
        found: dict[str, str] = {}
        for spec in self.data_categories.values():
            found.update(spec.identifiers)
        return found

    @property
    def field_types(self) -> Mapping[str, FieldType]:
        """Field -> how it enters a context (an entity type, ``plain`` or ``text``), as the
        data categories declare them (`DataCategorySpec.types`)."""
        return self._field_types

    @property
    def entity_fields(self) -> Mapping[str, EntityType]:
        """The fields declared with an entity type: the customer's identifiers, replaced
        whole in a context and looked for in messages (the known subject)."""
        return self._entity_fields

    def category_of(self, field: str) -> str:
        """The data category a field belongs to; KeyError for unknown fields."""
        try:
            return self._field_category[field]
        except KeyError:
            raise KeyError(unknown_name("field", field, self._field_category)) from None

    def assistant(self, name: str) -> AssistantSpec:
        try:
            return self.assistants[name]
        except KeyError:
            raise UnknownAssistant(unknown_name("assistant", name, self.assistants)) from None

    def model_names(self, assistant: str) -> tuple[str, ...]:
        """The model names an assistant's API key may request: its own name first, then
        the policy's ``models`` for it (none for an assistant the policy lacks)."""
        spec = self.assistants.get(assistant)
        return (assistant, *(spec.models if spec is not None else ()))

    def purpose(self, name: str) -> PurposeSpec:
        try:
            return self.purposes[name]
        except KeyError:
            raise UnknownPurpose(unknown_name("purpose", name, self.purposes)) from None

    def assert_may_serve(self, assistant: str, purpose: str) -> None:
        """Raise `PolicyDenied` unless `assistant` exists and serves `purpose`.

        Consent is not checked here (it is per customer); see `requires_consent`.
        """
        spec = self.assistant(assistant)
        self.purpose(purpose)
        if purpose not in spec.purposes:
            raise PolicyDenied(
                f"assistant '{assistant}' does not serve purpose '{purpose}' "
                f"(it serves: {', '.join(spec.purposes)})"
            )

    def access(self, assistant: str, purpose: str) -> AccessGrant:
        """Everything `assistant` may see for `purpose`; `PolicyDenied` if it may not serve it."""
        self.assert_may_serve(assistant, purpose)
        return self._grants[(assistant, purpose)]

    def allowed_fields(self, assistant: str, purpose: str) -> frozenset[str]:
        """The exact fields `assistant` may see for `purpose` (deny wins over grants)."""
        return self.access(assistant, purpose).fields

    def hidden_reason(self, assistant: str, purpose: str, field: str) -> HiddenReason | None:
        """Why `field` is withheld from `assistant` for `purpose`; None if it is visible."""
        self.assert_may_serve(assistant, purpose)
        self.category_of(field)
        return self._decide(self.assistants[assistant], self.purposes[purpose], field)

    def requires_consent(self, purpose: str) -> bool:
        """Whether processing for `purpose` needs the customer's consent grant first."""
        return self.purpose(purpose).requires_consent

    def operator_config(self, assistant: str) -> OperatorConfig:
        """The operator settings to pseudonymise `assistant`'s traffic with (for
        `discreet.transform.Pseudonymizer`): the policy-wide settings plus its overrides."""
        self.assistant(assistant)  # UnknownAssistant for a name not in the policy
        return self._operator_configs[assistant]

    def operator_for(self, assistant: str, entity_type: EntityType) -> OperatorSpec:
        """The pseudonymisation operator `assistant` gets for `entity_type`."""
        return self.operator_config(assistant).spec_for(entity_type)

    def retention_days(self, record: RecordKind, category: str | None = None) -> int:
        """How many days `record` (of data `category`) is kept."""
        rule = resolve_retention(self.retention, record, category)
        return rule.days if rule else DEFAULT_RETENTION_DAYS[record]

    # -- internals ----------------------------------------------------------------------------

    def _decide(self, spec: AssistantSpec, purpose: PurposeSpec, field: str) -> HiddenReason | None:
        category = self._field_category[field]
        granted = category in spec.categories or field in spec.fields
        if not granted:
            return HiddenReason.NOT_GRANTED
        if field in spec.deny_fields:
            return HiddenReason.DENIED
        if self.data_categories[category].special and purpose.special_category_condition is None:
            return HiddenReason.SPECIAL_CATEGORY
        if purpose.categories is not None and category not in purpose.categories:
            return HiddenReason.OUTSIDE_PURPOSE
        return None

    def _compute_grant(self, assistant: str, purpose: str) -> AccessGrant:
        spec = self.assistants[assistant]
        purpose_spec = self.purposes[purpose]
        fields = frozenset(
            f for f in self._field_category if self._decide(spec, purpose_spec, f) is None
        )
        return AccessGrant(
            assistant=assistant,
            purpose=purpose,
            legal_basis=purpose_spec.legal_basis,
            requires_consent=purpose_spec.requires_consent,
            fields=fields,
            categories=frozenset(self._field_category[f] for f in fields),
            history_window_days=spec.history_window_days,
            max_context_messages=spec.max_context_messages,
        )

    def _with_source(self, source: str) -> Policy:
        self._source = source
        return self
