"""Policy as code: data categories, purposes, assistants, retention (YAML -> typed models).

The gateway loads one `Policy` at start-up (`load_policy`) and asks it, per turn, what an
assistant may see for a purpose (`Policy.access` / `allowed_fields`). This package does no
I/O beyond reading the policy file.
"""

from discreet.policy.errors import (
    PolicyDenied,
    PolicyError,
    PolicyIssue,
    UnknownAssistant,
    UnknownPurpose,
)
from discreet.policy.explain import (
    Explanation,
    HiddenField,
    explain_assistant,
    render_markup,
    summarize,
)
from discreet.policy.loader import (
    BUILTIN_SOURCE,
    builtin_policy_text,
    load_policy,
    parse_policy,
    resolve_policy_path,
)
from discreet.policy.minimize import history_cutoff, minimize_record
from discreet.policy.models import (
    AssistantSpec,
    ConversationSpec,
    DataCategorySpec,
    DisclosureSpec,
    FieldType,
    HandoffSpec,
    PurposeSpec,
    RetentionRule,
    UpstreamSpec,
)
from discreet.policy.policy import AccessGrant, HiddenReason, Policy
from discreet.policy.vocabulary import (
    DEFAULT_RETENTION_DAYS,
    LegalBasis,
    RecordKind,
    SpecialCategoryCondition,
)

__all__ = [
    "BUILTIN_SOURCE",
    "DEFAULT_RETENTION_DAYS",
    "AccessGrant",
    "AssistantSpec",
    "ConversationSpec",
    "DataCategorySpec",
    "DisclosureSpec",
    "Explanation",
    "FieldType",
    "HandoffSpec",
    "HiddenField",
    "HiddenReason",
    "LegalBasis",
    "Policy",
    "PolicyDenied",
    "PolicyError",
    "PolicyIssue",
    "PurposeSpec",
    "RecordKind",
    "RetentionRule",
    "SpecialCategoryCondition",
    "UnknownAssistant",
    "UnknownPurpose",
    "UpstreamSpec",
    "builtin_policy_text",
    "explain_assistant",
    "history_cutoff",
    "load_policy",
    "minimize_record",
    "parse_policy",
    "render_markup",
    "resolve_policy_path",
    "summarize",
]
