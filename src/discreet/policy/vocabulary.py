"""The fixed words of a policy: legal bases, art. 9 conditions, record kinds.

Kept apart from the models so the explanation, the loader and the models share one
spelling and one plain-language gloss for each.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from discreet.legal import LegalBasis as LegalBasis  # re-exported: the policy vocabulary

LEGAL_BASIS_TEXT: dict[LegalBasis, str] = {
    LegalBasis.CONSENT: "the customer's consent (GDPR art. 6(1)(a))",
    LegalBasis.CONTRACT: "performing a contract with the customer (art. 6(1)(b))",
    LegalBasis.LEGAL_OBLIGATION: "a legal obligation (art. 6(1)(c))",
    LegalBasis.VITAL_INTERESTS: "protecting someone's vital interests (art. 6(1)(d))",
    LegalBasis.PUBLIC_TASK: "a task in the public interest (art. 6(1)(e))",
    LegalBasis.LEGITIMATE_INTERESTS: "legitimate interests (art. 6(1)(f))",
}


class SpecialCategoryCondition(StrEnum):
    """GDPR art. 9(2) conditions that lift the ban on processing special-category data
    (health, religion, biometrics, ...). A purpose needs one of these before any assistant
    may see a special category's fields for it."""

    EXPLICIT_CONSENT = "explicit_consent"  # 9(2)(a); requires legal_basis: consent
    EMPLOYMENT_SOCIAL_SECURITY = "employment_social_security"  # 9(2)(b)
    VITAL_INTERESTS = "vital_interests"  # 9(2)(c)
    NOT_FOR_PROFIT_BODY = "not_for_profit_body"  # 9(2)(d)
    MADE_PUBLIC_BY_SUBJECT = "made_public_by_subject"  # 9(2)(e)
    LEGAL_CLAIMS = "legal_claims"  # 9(2)(f)
    SUBSTANTIAL_PUBLIC_INTEREST = "substantial_public_interest"  # 9(2)(g)
    HEALTH_OR_SOCIAL_CARE = "health_or_social_care"  # 9(2)(h)
    PUBLIC_HEALTH = "public_health"  # 9(2)(i)
    ARCHIVING_RESEARCH_STATISTICS = "archiving_research_statistics"  # 9(2)(j)


class RecordKind(StrEnum):
    """The kinds of stored records a retention rule can govern."""

    CONVERSATION_MESSAGES = "conversation_messages"
    TOKEN_MAPS = "token_maps"
    SUBJECT_FIELDS = "subject_fields"
    AUDIT_RECORDS = "audit_records"


# Shortest sensible defaults (ARCHITECTURE principle 2), used where no rule applies.
# Messages and token maps live as long as the default history window (90 days), so an
# assistant's history is never longer than what is kept, and a kept message's tokens can
# still be rehydrated. Subject fields and audit records are kept a year: long enough to
# answer a data-subject request or a regulator about last year's processing.
DEFAULT_RETENTION_DAYS: dict[RecordKind, int] = {
    RecordKind.CONVERSATION_MESSAGES: 90,
    RecordKind.TOKEN_MAPS: 90,
    RecordKind.SUBJECT_FIELDS: 365,
    RecordKind.AUDIT_RECORDS: 365,
}

SensitivityName = Literal["low", "medium", "high", "critical"]
