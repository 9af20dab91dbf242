"""GDPR art. 6(1)'s lawful bases: one spelling for the policy file, the audit log and the API.

A leaf module on purpose: the audit log (and so the vault and every command) needs the enum,
and importing it must not load the policy package with its models and detection settings.
"""

from __future__ import annotations

from enum import StrEnum


class LegalBasis(StrEnum):
    """GDPR art. 6(1) lawful bases for processing."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTERESTS = "legitimate_interests"
