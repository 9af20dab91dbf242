"""Consent records (GDPR art. 7) and the processing limits the gateway must respect.

* `records`  -- `ConsentRegistry`: append-only grants/withdrawals per subject and purpose;
  `subjects_with_grant` / `filter_for_export` for exports under consent-based purposes.
* `limits`   -- `ProcessingLimits`: restrictions (art. 18) and objections (art. 21).
* `checker`  -- `ConsentGate`, the gateway's `ConsentChecker`, and the export filter
  (`filter_for_export`: a current grant and no restriction or objection).
* `service`  -- `ConsentService`: the same by customer reference, for the API and CLI.
"""

from discreet.consent.checker import (
    CONSENT_REQUIRED,
    NO_AI_CONSENT,
    OBJECTED,
    OBJECTED_AI,
    REASON_TEXT,
    RESTRICTED,
    ConsentGate,
    is_refusal,
)
from discreet.consent.limits import LimitKind, ProcessingLimit, ProcessingLimits
from discreet.consent.records import (
    AI_PROCESSING,
    ConsentRecord,
    ConsentRegistry,
    ConsentState,
    subjects_with_grant,
)
from discreet.consent.service import ConsentOverview, ConsentService

__all__ = [
    "AI_PROCESSING",
    "CONSENT_REQUIRED",
    "NO_AI_CONSENT",
    "OBJECTED",
    "OBJECTED_AI",
    "REASON_TEXT",
    "RESTRICTED",
    "ConsentGate",
    "ConsentOverview",
    "ConsentRecord",
    "ConsentRegistry",
    "ConsentService",
    "ConsentState",
    "LimitKind",
    "ProcessingLimit",
    "ProcessingLimits",
    "is_refusal",
    "subjects_with_grant",
]
