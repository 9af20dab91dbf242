"""The parts of a policy file as typed, immutable models (the root is `policy.Policy`).

Every model forbids unknown keys, so a typo (``histroy_window_days``) is an error rather
than a silently ignored setting that leaves the default in force. Names that other keys
refer to (categories, fields, purposes, assistants) are restricted to lower-case
identifiers so references are unambiguous and safe to print.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from discreet.detect.entities import SUPPORTED_LANGUAGES, EntityType
from discreet.policy.vocabulary import (
    LegalBasis,
    RecordKind,
    SensitivityName,
    SpecialCategoryCondition,
)
from discreet.transform.config import OperatorSpec

_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_ENV_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _check_name(value: str) -> str:
    if not _NAME.fullmatch(value):
        raise ValueError(
            "names use lower-case letters, digits and underscores, start with a letter "
            "and have at most 64 characters"
        )
    return value


Name = Annotated[str, AfterValidator(_check_name)]
"""A category, field, purpose or assistant name."""

Names = tuple[Name, ...]
ModelName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$")]
"""A model name as OpenAI clients send it (``gpt-4o-mini``, ``org/model:tag``)."""


def check_http_url(value: str, instead: str) -> str:
    """An http(s) URL with a host and no credentials in it (`instead` says where they go:
    the policy file is versioned and shared)."""
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise ValueError(f"must not contain credentials; use {instead}")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Customer-facing texts in the four languages discreet detects; see `_Localised`.
DEFAULT_DISCLOSURE: dict[str, str] = {
    "en": "You are chatting with an AI assistant. Your personal details are protected, "
    "and you can ask for a human colleague at any time.",
    "nl": "Je chat met een AI-assistent. Je persoonsgegevens zijn beschermd en je kunt op "
    "elk moment vragen om een medewerker.",
    "de": "Sie chatten mit einem KI-Assistenten. Ihre persönlichen Daten sind geschützt, "
    "und Sie können jederzeit nach einem Mitarbeiter oder einer Mitarbeiterin fragen.",
    "fr": "Vous discutez avec un assistant IA. Vos données personnelles sont protégées et "
    "vous pouvez demander à parler à un conseiller à tout moment.",
}
DEFAULT_HANDOFF: dict[str, str] = {
    "en": "I'm passing you to a human colleague, who will continue from here.",
    "nl": "Ik geef je door aan een medewerker, die het gesprek overneemt.",
    "de": "Ich leite Sie an einen Mitarbeiter oder eine Mitarbeiterin weiter, der oder die "
    "das Gespräch übernimmt.",
    "fr": "Je vous transfère à un conseiller, qui prendra la suite.",
}
# Words that ask for a person, in the four languages; not "personne" (also "nobody").
DEFAULT_HANDOFF_TRIGGERS: tuple[str, ...] = (
    "human",
    "agent",
    "person",
    "employee",
    "medewerker",
    "mens",
    "persoon",
    "mitarbeiter",
    "mitarbeiterin",
    "mensch",
    "menschen",
    "humain",
    "conseiller",
    "conseillère",
)


IdentifierName = Literal["name", "email", "phone", "iban", "customer_number", "reference", "date"]
"""How an identifier field is blind-indexed for the output guard (`vault.identifiers`):
``reference`` for any reference number (order, invoice, contract, postcode), ``date`` for
dates of birth; ``name`` fields named first/last name are combined into the full name."""


FieldType = EntityType | Literal["plain", "text"]
"""How a field enters an assistant's context (`DataCategorySpec.types`)."""


class DataCategorySpec(_Strict):
    """A group of customer-record fields that is granted or withheld as a whole."""

    fields: Annotated[Names, Field(min_length=1)]
    description: str = ""
    sensitivity: SensitivityName = "high"
    special: bool = False
    """A special category of personal data (GDPR art. 9: health, religion, biometrics, ...).
    Its fields reach an assistant only for purposes with a `special_category_condition`."""
    identifiers: dict[Name, IdentifierName] = Field(default_factory=dict)
    """Fields of this category that identify a customer, and their kind: the output guard
    blocks an answer holding another customer's value of any of them, however spelt.
    Added to the built-in identifier fields (name, email, phone, iban, customer, order
    and invoice numbers, date of birth, postal code, ...)."""

    types: dict[Name, FieldType] = Field(default_factory=dict)
    """How each field enters an assistant's context, declared here and nowhere else (a
    value is never typed by running detection on it alone): an entity type (``PERSON``,
    ``PHONE_NUMBER``, ``ORDER_ID``, ...; replaced whole by that type's operator), ``plain``
    (a closed vocabulary such as an order status: sent as it is) or ``text`` (free text:
    detection runs on it, as on a message). Every field an assistant may see needs one."""

    @model_validator(mode="after")
    def _identifiers_are_fields(self) -> DataCategorySpec:
        for key, names in (("identifiers", self.identifiers), ("types", self.types)):
            unknown = sorted(set(names) - set(self.fields))
            if unknown:
                raise ValueError(
                    f"{key} name fields not in this category's fields: {', '.join(unknown)}"
                )
        return self


class PurposeSpec(_Strict):
    """Why data is processed, and on which legal basis."""

    legal_basis: LegalBasis
    description: str = ""
    special_category_condition: SpecialCategoryCondition | None = None
    """The art. 9(2) condition that allows special-category fields for this purpose."""
    categories: Names | None = None
    """Purpose limitation: when set, only these categories are ever used for this purpose,
    whatever an assistant is granted. None: the assistant's grant alone decides."""

    @property
    def requires_consent(self) -> bool:
        """Processing for this purpose needs the customer's recorded consent first."""
        return self.legal_basis is LegalBasis.CONSENT


class AssistantSpec(_Strict):
    """An AI assistant identity: what it is for and what it may see."""

    description: str = ""
    purposes: Annotated[Names, Field(min_length=1)]
    categories: Names = ()
    fields: Names = ()
    """Extra single fields granted on top of whole categories."""
    deny_fields: Names = ()
    """Fields never shown to this assistant; wins over every grant."""
    history_window_days: int = Field(default=90, ge=0, le=3650)
    """How far back earlier conversations of the same customer may be used as context."""
    max_context_messages: int = Field(default=20, ge=1, le=1000)
    models: tuple[ModelName, ...] = ()
    """Model names a client may request for this assistant besides the assistant's own
    name (e.g. the default of an OpenAI client it cannot configure). Any other name gets
    404 ``model_not_found``. The names map to this assistant and so to the upstream model
    the gateway is configured with: the client never picks where customer data goes."""
    operators: dict[EntityType, OperatorSpec] = Field(default_factory=dict)
    """Pseudonymisation operator per detected entity type, over the policy-wide
    `pseudonymisation` settings: a name (``mask``) or a mapping with options
    (``{operator: mask, keep: 4}``)."""

    @field_validator("operators", mode="before")
    @classmethod
    def _operator_shorthand(cls, value: Any) -> Any:
        # The same shorthand `OperatorConfig.by_type` accepts: a bare operator name.
        if isinstance(value, dict):
            return {k: {"operator": v} if isinstance(v, str) else v for k, v in value.items()}
        return value


class UpstreamSpec(_Strict):
    """An OpenAI-compatible upstream LLM. Absent: the embedded assistant answers."""

    base_url: str
    model: str = Field(min_length=1)
    api_key_env: str | None = None
    """Name of the environment variable holding the API key; the key itself never goes in
    the policy file (which is versioned and shared)."""
    timeout_s: float = Field(default=30.0, gt=0, le=600)
    max_retries: int = Field(default=2, ge=0, le=10)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return check_http_url(value, "api_key_env")

    @field_validator("api_key_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_VAR.fullmatch(value):
            # Most likely a pasted key; say so without echoing it.
            raise ValueError("must be the name of an environment variable, not the key itself")
        return value


class RetentionRule(_Strict):
    """How long one kind of record is kept, optionally for one data category only."""

    record: RecordKind
    days: int = Field(ge=0, le=36500)
    """0: not kept beyond the conversation turn."""
    category: Name | None = None
    """Only records of this data category; the most specific matching rule wins."""
    reason: str = ""
    """Why this long (e.g. a statutory bookkeeping period); shown in explanations."""


def _check_translations(value: dict[str, str]) -> dict[str, str]:
    unknown = sorted(set(value) - set(SUPPORTED_LANGUAGES))
    if unknown:
        raise ValueError(
            f"no such language {unknown[0]!r}: translations are keyed by "
            f"{', '.join(SUPPORTED_LANGUAGES)}"
        )
    empty = sorted(lang for lang, text in value.items() if not text.strip())
    if empty:
        raise ValueError(f"the {empty[0]!r} translation is empty")
    return value


Translations = Annotated[dict[str, str], AfterValidator(_check_translations)]


class _Localised(_Strict):
    """A customer-facing text in the language of the customer's messages.

    `translations` holds it in other languages (keyed nl, de, fr, en); a language without one
    gets the main text (the field `main_field`). Left at discreet's default text, the default
    comes with discreet's own translations (`default_texts`); a policy that writes its own
    text and no translations shows that text in every language (a translation of discreet's
    default would say something else).
    """

    main_field: ClassVar[str]
    default_texts: ClassVar[dict[str, str]]

    translations: Translations = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _default_translations(cls, data: Any) -> Any:
        if data is None:
            data = {}
        if isinstance(data, dict) and cls.main_field not in data and "translations" not in data:
            translated = {k: v for k, v in cls.default_texts.items() if k != "en"}
            return {**data, "translations": translated}
        return data

    def in_language(self, language: str | None) -> str:
        main: str = getattr(self, self.main_field)
        return self.translations.get(language or "", main)


class DisclosureSpec(_Localised):
    """First-turn notice that the customer is talking to an AI (EU AI Act art. 50)."""

    main_field = "text"
    default_texts = DEFAULT_DISCLOSURE

    text: str = Field(default=DEFAULT_DISCLOSURE["en"], min_length=1)


class HandoffSpec(_Localised):
    """Passing a conversation to a human, on request or when discreet refuses a turn."""

    main_field = "message"
    default_texts = DEFAULT_HANDOFF

    message: str = Field(default=DEFAULT_HANDOFF["en"], min_length=1)
    triggers: tuple[str, ...] = DEFAULT_HANDOFF_TRIGGERS
    """Words for a person. A message asks for one when it says so ("can I speak to a
    person", "ik wil een medewerker spreken"), not merely by containing the word: see
    `discreet.gateway.handoff`."""
    release_after_minutes: int | None = Field(default=None, ge=1, le=10080)
    """A handed-over conversation goes back to the assistant after this long without a
    message; none (the default): only an operator releases it."""


class ConversationSpec(_Strict):
    """Conversation lifetime settings."""

    idle_timeout_minutes: int = Field(default=30, ge=1, le=1440)
    """A conversation idle this long is closed; a new one starts with a new disclosure."""
    keep_token_maps_after_close_days: int = Field(default=0, ge=0, le=3650)
    """Days a closed conversation's token map (the values behind its ``[PERSON_1]``
    tokens) is kept. 0, the default: destroyed when the conversation closes, so its
    transcript identifies nobody from then on. It cannot exceed the ``token_maps``
    retention, which destroys any map unused that long (closed or not)."""


class ConsoleSpec(_Strict):
    """The privacy office console's session and reveal settings (``discreet.console``)."""

    idle_timeout_minutes: int = Field(default=15, ge=1, le=480)
    """A console session unused this long is signed out."""
    absolute_timeout_hours: int = Field(default=8, ge=1, le=24)
    """A console session ends this long after sign-in, however active."""
    reveal_minutes: int = Field(default=10, ge=1, le=240)
    """How long a value revealed with a reason stays visible to the one who revealed it."""


def _env_name_only(value: str | None) -> str | None:
    if value is not None and not _ENV_VAR.fullmatch(value):
        # Most likely a pasted secret; say so without echoing it.
        raise ValueError("must be the name of an environment variable, not the secret itself")
    return value


SecretEnv = Annotated[str | None, AfterValidator(_env_name_only)]
"""The name of an environment variable holding a secret (the secret never goes in the
policy file, which is versioned and shared)."""


class AlertWebhookSpec(_Strict):
    """One webhook new anomaly alerts are POSTed to (``discreet.ops.alerts``)."""

    url: str | None = None
    url_env: SecretEnv = None
    """Instead of ``url``: the variable holding it (Slack and Teams webhook URLs carry
    their secret in the path)."""
    shape: Literal["json", "slack", "teams"] = "json"
    """``json``: ``{"source": "discreet", "alert": {...}}``; ``slack``: ``{"text",
    "blocks"}`` (also Mattermost); ``teams``: an Office 365 connector ``MessageCard``."""
    token_env: SecretEnv = None
    """A variable whose value is sent as ``Authorization: Bearer ...``."""

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return None if value is None else check_http_url(value, "token_env or url_env")

    @model_validator(mode="after")
    def _one_url(self) -> AlertWebhookSpec:
        if (self.url is None) == (self.url_env is None):
            raise ValueError("give exactly one of url and url_env")
        return self


class AlertEmailSpec(_Strict):
    """Alerts by mail through an SMTP relay."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    smtp_host: str = Field(min_length=1, max_length=255)
    smtp_port: int = Field(default=25, ge=1, le=65535)
    """465 means TLS from the start."""
    starttls: bool = False
    user: str | None = None
    password_env: SecretEnv = None
    """The variable holding the relay password (with ``user``)."""
    sender: str = Field(default="discreet@localhost", alias="from", min_length=3)
    to: Annotated[tuple[str, ...], Field(min_length=1)]

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for address in value:
            if address.count("@") != 1 or any(c.isspace() for c in address):
                raise ValueError("each recipient must be one e-mail address")
        return value

    @model_validator(mode="after")
    def _login(self) -> AlertEmailSpec:
        if (self.user is None) != (self.password_env is None):
            raise ValueError("give user and password_env together (or neither)")
        return self


class AlertsSpec(_Strict):
    """Where new anomaly alerts are delivered; nothing configured: stored and listed only."""

    webhooks: tuple[AlertWebhookSpec, ...] = ()
    email: AlertEmailSpec | None = None
    timeout_s: float = Field(default=10.0, gt=0, le=120)


def resolve_retention(
    rules: tuple[RetentionRule, ...], record: RecordKind, category: str | None = None
) -> RetentionRule | None:
    """The rule that governs `record` (of `category`): a category-specific rule beats a
    general one; None when no rule applies and the built-in default holds."""
    general: RetentionRule | None = None
    for rule in rules:
        if rule.record is not record:
            continue
        if category is not None and rule.category == category:
            return rule
        if rule.category is None:
            general = rule
    return general
