"""Subject fields: names, their data categories, which ones are blind-indexed, and the
value objects the vault accepts and returns (whose reprs never show values).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from discreet.detect.entities import DataCategory
from discreet.vault.blind_index import IdentifierKind
from discreet.vault.errors import UnknownField

HEALTH = "health"
"""Special-category data (GDPR art. 9); not a detection category, so not in DataCategory."""

DEFAULT_FIELD_CATEGORIES: Mapping[str, str] = MappingProxyType(
    {
        "name": DataCategory.IDENTITY,
        "first_name": DataCategory.IDENTITY,
        "last_name": DataCategory.IDENTITY,
        "date_of_birth": DataCategory.IDENTITY,
        "gender": DataCategory.IDENTITY,
        "email": DataCategory.CONTACT,
        "phone": DataCategory.CONTACT,
        "mobile": DataCategory.CONTACT,
        "street_address": DataCategory.LOCATION,
        "postal_code": DataCategory.LOCATION,
        "city": DataCategory.LOCATION,
        "region": DataCategory.LOCATION,
        "country": DataCategory.LOCATION,
        "iban": DataCategory.FINANCIAL,
        "bank_account": DataCategory.FINANCIAL,
        "credit_card": DataCategory.FINANCIAL,
        "vat_id": DataCategory.FINANCIAL,
        "customer_number": DataCategory.ORDER,
        "order_number": DataCategory.ORDER,
        "national_id": DataCategory.GOVERNMENT_ID,
        "passport": DataCategory.GOVERNMENT_ID,
        "health_notes": HEALTH,
        "diagnosis": HEALTH,
        "allergies": HEALTH,
    }
)

DEFAULT_INDEXED_FIELDS: Mapping[str, IdentifierKind] = MappingProxyType(
    {
        "name": IdentifierKind.NAME,
        "email": IdentifierKind.EMAIL,
        "phone": IdentifierKind.PHONE,
        "mobile": IdentifierKind.PHONE,
        "iban": IdentifierKind.IBAN,
        "customer_number": IdentifierKind.CUSTOMER_NUMBER,
        # Forms the output guard looks up in answers (see `vault.identifiers`).
        "first_name": IdentifierKind.NAME,
        "last_name": IdentifierKind.NAME,
        "date_of_birth": IdentifierKind.DATE,
        "postal_code": IdentifierKind.REFERENCE,
        "order_number": IdentifierKind.REFERENCE,
        "invoice_number": IdentifierKind.REFERENCE,
        "bank_account": IdentifierKind.REFERENCE,
        "credit_card": IdentifierKind.REFERENCE,
        "vat_id": IdentifierKind.REFERENCE,
        "national_id": IdentifierKind.REFERENCE,
        "passport": IdentifierKind.REFERENCE,
    }
)

SUBJECT_REF = "subject_ref"
"""The column/key naming the operator's own reference for a subject in import files."""

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def check_name(kind: str, name: str) -> str:
    """Field, category and tenant names are short identifiers (they appear in audit logs)."""
    if not _NAME.match(name):
        raise ValueError(f"{kind} name must match [a-z][a-z0-9_]{{0,63}}, got {name!r}")
    return name


_TENANT = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def check_tenant(tenant: str) -> str:
    """Tenant ids are short lower-case slugs (``acme``, ``acme-eu``, ``shop_2``)."""
    if not _TENANT.match(tenant):
        raise ValueError(f"tenant must match [a-z0-9][a-z0-9_.-]{{0,63}}, got {tenant!r}")
    return tenant


class FieldCatalog:
    """The field → category table (defaults plus overrides) and the indexed fields."""

    def __init__(
        self,
        overrides: Mapping[str, str] | None = None,
        *,
        indexed: Mapping[str, IdentifierKind] | None = None,
    ) -> None:
        table = {**DEFAULT_FIELD_CATEGORIES, **(overrides or {})}
        self._categories = {
            check_name("field", f): check_name("category", str(c)) for f, c in table.items()
        }
        self._indexed = dict(DEFAULT_INDEXED_FIELDS if indexed is None else indexed)

    def category(self, field_name: str) -> str:
        try:
            return self._categories[field_name]
        except KeyError:
            raise UnknownField(
                f"field {field_name!r} has no data category; map it, e.g. "
                f"--category {field_name}=identity"
            ) from None

    def index_kind(self, field_name: str) -> IdentifierKind | None:
        return self._indexed.get(field_name)

    @property
    def indexed(self) -> Mapping[str, IdentifierKind]:
        """Identifier field -> the kind it is blind-indexed as."""
        return MappingProxyType(self._indexed)

    def fields_in(self, categories: set[str]) -> set[str]:
        return {f for f, c in self._categories.items() if c in categories}


@dataclass(frozen=True, slots=True)
class SubjectRecord:
    """A subject to store: the operator's reference and field values (plaintext)."""

    ref: str
    fields: Mapping[str, str]

    def __repr__(self) -> str:
        return f"SubjectRecord(fields={sorted(self.fields)})"


@dataclass(frozen=True, slots=True)
class SubjectView:
    """Decrypted fields of one subject, as returned by `Vault.get_subject`."""

    subject_id: str
    """The subject's pseudonymous id (safe to log)."""
    fields: Mapping[str, str]
    categories: Mapping[str, str] = field(default_factory=dict)
    """field name -> data category."""

    def by_category(self) -> dict[str, dict[str, str]]:
        grouped: dict[str, dict[str, str]] = {}
        for name, value in self.fields.items():
            grouped.setdefault(self.categories.get(name, "unknown"), {})[name] = value
        return grouped

    def __repr__(self) -> str:
        return f"SubjectView(subject_id={self.subject_id!r}, fields={sorted(self.fields)})"


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """A subject read from line `line` of an import file."""

    line: int
    record: SubjectRecord
