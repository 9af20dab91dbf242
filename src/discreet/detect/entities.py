"""The entity taxonomy: canonical type names, their sensitivity and data category.

Every package speaks these names. Policies choose an operator per type, the audit log
records types (never values), and the benchmark scores per type.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class EntityType(StrEnum):
    PERSON = "PERSON"
    EMAIL_ADDRESS = "EMAIL_ADDRESS"
    PHONE_NUMBER = "PHONE_NUMBER"
    STREET_ADDRESS = "STREET_ADDRESS"
    LOCATION = "LOCATION"
    POSTAL_CODE = "POSTAL_CODE"
    DATE_OF_BIRTH = "DATE_OF_BIRTH"
    DATE = "DATE"
    AGE = "AGE"
    CREDIT_CARD = "CREDIT_CARD"
    IBAN = "IBAN"
    BANK_ACCOUNT = "BANK_ACCOUNT"
    NATIONAL_ID = "NATIONAL_ID"
    PASSPORT = "PASSPORT"
    DRIVER_LICENSE = "DRIVER_LICENSE"
    VAT_ID = "VAT_ID"
    IP_ADDRESS = "IP_ADDRESS"
    MAC_ADDRESS = "MAC_ADDRESS"
    URL = "URL"
    USERNAME = "USERNAME"
    CUSTOMER_ID = "CUSTOMER_ID"
    ORDER_ID = "ORDER_ID"
    LICENSE_PLATE = "LICENSE_PLATE"
    SECRET = "SECRET"
    ORGANIZATION = "ORGANIZATION"


class Sensitivity(IntEnum):
    """How much harm a leak does; higher is worse. Drives defaults, never weakens them."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4


class DataCategory(StrEnum):
    """The data categories a policy grants per assistant (see ARCHITECTURE.md)."""

    IDENTITY = "identity"
    CONTACT = "contact"
    LOCATION = "location"
    FINANCIAL = "financial"
    GOVERNMENT_ID = "government_id"
    ONLINE = "online"
    ORDER = "order"
    CREDENTIALS = "credentials"
    TEMPORAL = "temporal"
    ORGANIZATION = "organization"


@dataclass(frozen=True, slots=True)
class EntityInfo:
    sensitivity: Sensitivity
    category: DataCategory
    label: str
    """A readable placeholder for training data, e.g. "Customer Name"."""


ENTITY_INFO: dict[EntityType, EntityInfo] = {
    EntityType.PERSON: EntityInfo(Sensitivity.HIGH, DataCategory.IDENTITY, "Customer Name"),
    EntityType.EMAIL_ADDRESS: EntityInfo(Sensitivity.HIGH, DataCategory.CONTACT, "Email Address"),
    EntityType.PHONE_NUMBER: EntityInfo(Sensitivity.HIGH, DataCategory.CONTACT, "Phone Number"),
    EntityType.STREET_ADDRESS: EntityInfo(
        Sensitivity.HIGH, DataCategory.LOCATION, "Street Address"
    ),
    EntityType.LOCATION: EntityInfo(Sensitivity.MEDIUM, DataCategory.LOCATION, "Location"),
    EntityType.POSTAL_CODE: EntityInfo(Sensitivity.MEDIUM, DataCategory.LOCATION, "Postal Code"),
    EntityType.DATE_OF_BIRTH: EntityInfo(Sensitivity.HIGH, DataCategory.IDENTITY, "Date of Birth"),
    EntityType.DATE: EntityInfo(Sensitivity.LOW, DataCategory.TEMPORAL, "Date"),
    EntityType.AGE: EntityInfo(Sensitivity.MEDIUM, DataCategory.IDENTITY, "Age"),
    EntityType.CREDIT_CARD: EntityInfo(Sensitivity.CRITICAL, DataCategory.FINANCIAL, "Card Number"),
    EntityType.IBAN: EntityInfo(Sensitivity.HIGH, DataCategory.FINANCIAL, "IBAN"),
    EntityType.BANK_ACCOUNT: EntityInfo(Sensitivity.HIGH, DataCategory.FINANCIAL, "Bank Account"),
    EntityType.NATIONAL_ID: EntityInfo(
        Sensitivity.CRITICAL, DataCategory.GOVERNMENT_ID, "National ID"
    ),
    EntityType.PASSPORT: EntityInfo(
        Sensitivity.CRITICAL, DataCategory.GOVERNMENT_ID, "Passport Number"
    ),
    EntityType.DRIVER_LICENSE: EntityInfo(
        Sensitivity.HIGH, DataCategory.GOVERNMENT_ID, "Driver License"
    ),
    EntityType.VAT_ID: EntityInfo(Sensitivity.MEDIUM, DataCategory.FINANCIAL, "VAT Number"),
    EntityType.IP_ADDRESS: EntityInfo(Sensitivity.MEDIUM, DataCategory.ONLINE, "IP Address"),
    EntityType.MAC_ADDRESS: EntityInfo(Sensitivity.MEDIUM, DataCategory.ONLINE, "MAC Address"),
    EntityType.URL: EntityInfo(Sensitivity.LOW, DataCategory.ONLINE, "URL"),
    EntityType.USERNAME: EntityInfo(Sensitivity.MEDIUM, DataCategory.ONLINE, "Username"),
    EntityType.CUSTOMER_ID: EntityInfo(Sensitivity.MEDIUM, DataCategory.ORDER, "Customer ID"),
    EntityType.ORDER_ID: EntityInfo(Sensitivity.LOW, DataCategory.ORDER, "Order ID"),
    EntityType.LICENSE_PLATE: EntityInfo(
        Sensitivity.MEDIUM, DataCategory.IDENTITY, "License Plate"
    ),
    EntityType.SECRET: EntityInfo(Sensitivity.CRITICAL, DataCategory.CREDENTIALS, "Secret"),
    EntityType.ORGANIZATION: EntityInfo(Sensitivity.LOW, DataCategory.ORGANIZATION, "Organization"),
}

# When two findings of different types overlap with equal score, the more specific type
# wins: a validated IBAN beats a generic bank account, a street address beats a location.
TYPE_PRIORITY: dict[EntityType, int] = {
    EntityType.SECRET: 100,
    EntityType.CREDIT_CARD: 95,
    EntityType.IBAN: 94,
    EntityType.NATIONAL_ID: 92,
    EntityType.PASSPORT: 90,
    EntityType.VAT_ID: 89,
    EntityType.EMAIL_ADDRESS: 88,
    EntityType.URL: 86,
    EntityType.IP_ADDRESS: 85,
    EntityType.MAC_ADDRESS: 85,
    EntityType.DATE_OF_BIRTH: 84,
    EntityType.PHONE_NUMBER: 80,
    EntityType.CUSTOMER_ID: 78,
    EntityType.ORDER_ID: 77,
    EntityType.DRIVER_LICENSE: 76,
    EntityType.LICENSE_PLATE: 75,
    EntityType.BANK_ACCOUNT: 70,
    EntityType.STREET_ADDRESS: 65,
    EntityType.POSTAL_CODE: 60,
    EntityType.PERSON: 55,
    EntityType.USERNAME: 50,
    EntityType.DATE: 45,
    EntityType.AGE: 40,
    EntityType.LOCATION: 35,
    EntityType.ORGANIZATION: 30,
}

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "nl", "de", "fr")


def parse_entity_type(name: str) -> EntityType:
    """Parse a type name from configuration or a CLI flag; the error lists the valid ones."""
    try:
        return EntityType(name.strip().upper())
    except ValueError:
        valid = ", ".join(t.value for t in EntityType)
        raise ValueError(f"unknown entity type {name!r}; expected one of: {valid}") from None
