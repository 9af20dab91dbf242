"""The append-only, hash-chained audit log: who touched which subject's data, why, how.

Records carry pseudonymous subject ids, field names, data categories and counts — never
values (ARCHITECTURE.md, principles 3 and 6).
"""

from discreet.audit.context import (
    SYSTEM_PSEUDONYMISATION,
    AccessContext,
    ActorKind,
    LegalBasis,
    Outcome,
)
from discreet.audit.export import ExportFormat, export_entries
from discreet.audit.log import AuditEntry, AuditEvent, AuditLog, VerifyResult

__all__ = [
    "SYSTEM_PSEUDONYMISATION",
    "AccessContext",
    "ActorKind",
    "AuditEntry",
    "AuditEvent",
    "AuditLog",
    "ExportFormat",
    "LegalBasis",
    "Outcome",
    "VerifyResult",
    "export_entries",
]
