"""Synthetic customers for the demo tenant: Dutch and British, with their latest order.

Everything is made up with Faker, seeded per customer, so customer *i* is the same on every
machine and every run (the demo can be re-run, grown from 30 to 300 customers, and tests
can know a customer's name without reading the vault). Field names are the example
policy's (``discreet.example.yaml``) and the ones the gateway's customer context reads
(`discreet.gateway.customer`): ``first_name`` greets the customer, ``order_number``,
``order_status`` (an `OrderStatus` value) and ``delivery_date`` (ISO) describe the last
order. E-mail addresses use reserved example domains, so no message could reach anyone.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from faker import Faker

from discreet.gateway.context import OrderStatus

Locale = Literal["nl", "en"]
DEFAULT_SEED = 20261122
REF_PREFIX = "CUST-"
FIRST_NUMBER = 10001
# Faker locale, e-mail domain and phone prefix per demo locale.
_FAKER_LOCALES: dict[Locale, str] = {"nl": "nl_NL", "en": "en_GB"}
_EMAIL_DOMAINS: dict[Locale, str] = {"nl": "example.nl", "en": "example.co.uk"}
_STATUSES = (
    OrderStatus.PROCESSING,
    OrderStatus.SHIPPED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.DELIVERED,
    OrderStatus.PAID,
    OrderStatus.RETURNED,
    OrderStatus.REFUNDED,
)
_ON_ITS_WAY = frozenset({OrderStatus.PAID, OrderStatus.PROCESSING, OrderStatus.SHIPPED})
_ITEMS = (
    "espresso machine",
    "running shoes",
    "wireless headphones",
    "winter coat",
    "coffee beans (1 kg)",
    "desk lamp",
    "yoga mat",
    "kitchen knife set",
)
_OLDEST, _YOUNGEST = date(1940, 1, 1), date(2006, 12, 31)  # fixed: same data every day
# Per locale, as customers there pay (iDEAL is Dutch); equally long, so that the same seed
# draws the same customers in either locale.
_PAYMENT_METHODS: dict[Locale, tuple[str, ...]] = {
    "nl": ("iDEAL", "credit card", "PayPal", "bank transfer", "Klarna"),
    "en": ("debit card", "credit card", "PayPal", "bank transfer", "Klarna"),
}


@dataclass(frozen=True, slots=True)
class SyntheticCustomer:
    """One made-up customer: the vault reference, locale and field values."""

    ref: str
    locale: Locale
    fields: dict[str, str]

    @property
    def first_name(self) -> str:
        return self.fields["first_name"]

    def __repr__(self) -> str:  # synthetic, but keep the habit: no values in reprs
        return f"SyntheticCustomer(ref={self.ref!r}, locale={self.locale!r})"


def customer_ref(index: int) -> str:
    """The vault reference (``subject_ref``) of customer `index` (0-based)."""
    return f"{REF_PREFIX}{FIRST_NUMBER + index}"


def locale_of(index: int) -> Locale:
    """Customers alternate: even indexes are Dutch, odd ones British."""
    return "nl" if index % 2 == 0 else "en"


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _phone(fake: Faker, locale: Locale) -> str:
    if locale == "nl":
        return f"+31 6 {fake.numerify('########')}"
    return f"+44 7{fake.random_int(400, 999)} {fake.numerify('######')}"


def _street(fake: Faker, locale: Locale) -> str:
    """A British address puts the number first ("704 Ward Locks"), a Dutch one after. Drawn
    in the same order in both, so that a seed keeps giving the same customers."""
    street, number = fake.street_name(), fake.building_number()
    return f"{street} {number}" if locale == "nl" else f"{number} {street}"


def make_customer(
    index: int, *, seed: int = DEFAULT_SEED, today: date | None = None
) -> SyntheticCustomer:
    """Customer `index`, the same for the same (`index`, `seed`); order dates near `today`."""
    locale = locale_of(index)
    fake = Faker(_FAKER_LOCALES[locale])
    fake.seed_instance(seed * 1_000_003 + index)
    today = today or date.today()
    first, last = fake.first_name(), fake.last_name()
    status = _STATUSES[fake.random_int(0, len(_STATUSES) - 1)]
    on_its_way = status in _ON_ITS_WAY
    placed = today - timedelta(days=fake.random_int(1, 3 if on_its_way else 40))
    # The gateway reads `delivery_date` as the *expected* delivery: only open orders have one.
    delivery = today + timedelta(days=fake.random_int(1, 4)) if on_its_way else None
    postcode = fake.postcode()
    if locale == "nl" and len(postcode) == 6:
        postcode = f"{postcode[:4]} {postcode[4:]}"
    fields = {
        "first_name": first,
        "last_name": last,
        "date_of_birth": fake.date_between_dates(_OLDEST, _YOUNGEST).isoformat(),
        "email": f"{_ascii(first)}.{_ascii(last)}{index}@{_EMAIL_DOMAINS[locale]}",
        "phone": _phone(fake, locale),
        "street_address": _street(fake, locale),
        "postal_code": postcode,
        "city": fake.city(),
        "country": "Netherlands" if locale == "nl" else "United Kingdom",
        "customer_number": f"CN-{700000 + index}",
        "order_number": f"ORD-{fake.numerify('#######')}",
        "order_status": status.value,
        "order_items": _ITEMS[fake.random_int(0, len(_ITEMS) - 1)],
        "iban": fake.iban(),
        "payment_method": _PAYMENT_METHODS[locale][
            fake.random_int(0, len(_PAYMENT_METHODS[locale]) - 1)
        ],
        "invoice_number": f"INV-{placed.year}-{fake.numerify('#####')}",
        "outstanding_balance": (
            f"{fake.random_int(0, 250)}.{fake.numerify('##')} {'EUR' if locale == 'nl' else 'GBP'}"
        ),
    }
    if delivery is not None:
        fields["delivery_date"] = delivery.isoformat()
    return SyntheticCustomer(customer_ref(index), locale, fields)


def make_customers(
    count: int, *, start: int = 0, seed: int = DEFAULT_SEED, today: date | None = None
) -> Iterator[SyntheticCustomer]:
    """Customers `start` .. `count - 1`, in order."""
    today = today or date.today()
    for index in range(start, count):
        yield make_customer(index, seed=seed, today=today)


def first_of(
    locale: Locale, *, seed: int = DEFAULT_SEED, today: date | None = None, limit: int = 300
) -> SyntheticCustomer:
    """The first customer of `locale` whose order is on its way (for the copy-paste
    examples: "where is my order?" has the most to say), among the first `limit`."""
    first = None
    for index in range(0 if locale == "nl" else 1, limit, 2):
        customer = make_customer(index, seed=seed, today=today)
        first = first or customer
        if customer.fields["order_status"] == OrderStatus.SHIPPED:
            return customer
    assert first is not None, "limit must be at least 2"
    return first
