"""Template rendering with exact span bookkeeping.

A template is plain text with slots:

* ``{key}`` — a value from :data:`SLOTS`; labelled when the slot has an entity type.
* ``{g:male text|female text}`` — chosen by the customer's gender ("Dear Mr.|Mrs.");
  ``{og:...|...}`` the same for the third person (``{other}``: "my father|mother").
* ``{#family}`` — renders nothing; records that the sentence carries a hard negative of
  that family (e.g. capitalised words at a sentence start, which need no value).

Rendering produces *segments* (text plus optional type) rather than a string, so noise
(lowercasing, typos) is applied per segment and offsets are computed only once, when the
segments are joined. That is what makes every span exact by construction.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from discreet.detect.entities import EntityType
from discreet.evaluation.values import Person, ValueSource

_SLOT_RE = re.compile(r"\{(#?[a-z_0-9]+|o?g:[^|}]*\|[^}]*)\}")


@dataclass(slots=True)
class Segment:
    text: str
    type: EntityType | None = None


@dataclass(slots=True)
class TextContext:
    """Everything one text's slots draw from; values are memoised per slot key."""

    values: ValueSource
    language: str
    customer: Person
    agent: Person
    other: Person
    colleague: Person
    shop: str
    lookalikes: tuple[str, ...]
    memo: dict[str, str] = field(default_factory=dict)
    families: set[str] = field(default_factory=set)


SlotFn = Callable[[TextContext], str]


@dataclass(frozen=True, slots=True)
class Slot:
    type: EntityType | None
    draw: SlotFn
    family: str | None = None
    """Hard-negative family this slot contributes to (unlabelled slots, and DATE)."""
    memoise: bool = True


def _title_surname(ctx: TextContext) -> str:
    """The surname as written after a title: Dutch capitalises a leading tussenvoegsel
    when no first name precedes it ("Geachte mevrouw De Vries", but "Anna de Vries")."""
    last = ctx.customer.last
    return last[:1].upper() + last[1:] if ctx.language == "nl" else last


_SHOP_MAILBOXES: dict[str, tuple[str, ...]] = {
    "en": ("support", "service", "help", "info"),
    "nl": ("klantenservice", "service", "info"),
    "de": ("kundenservice", "service", "info"),
    "fr": ("service.client", "contact", "sav"),
}


def _shop_domain(ctx: TextContext) -> str:
    return ctx.values.shop_domain(ctx.shop)


SLOTS: dict[str, Slot] = {
    # people
    "name": Slot(EntityType.PERSON, lambda c: c.customer.full),
    "first": Slot(EntityType.PERSON, lambda c: c.customer.first),
    "last": Slot(EntityType.PERSON, lambda c: _title_surname(c)),
    "agent": Slot(EntityType.PERSON, lambda c: c.agent.first),
    "agent_full": Slot(EntityType.PERSON, lambda c: c.agent.full),
    "other": Slot(EntityType.PERSON, lambda c: c.other.full),
    "other_first": Slot(EntityType.PERSON, lambda c: c.other.first),
    "other_last": Slot(EntityType.PERSON, lambda c: c.other.last),
    "colleague": Slot(EntityType.PERSON, lambda c: c.colleague.full),
    # contact and location
    "email": Slot(EntityType.EMAIL_ADDRESS, lambda c: c.values.email(c.customer)),
    "shop_email": Slot(
        EntityType.EMAIL_ADDRESS,
        lambda c: f"{c.values.rng.choice(_SHOP_MAILBOXES[c.language])}@{_shop_domain(c)}",
    ),
    "phone": Slot(EntityType.PHONE_NUMBER, lambda c: c.values.phone()),
    "shop_phone": Slot(EntityType.PHONE_NUMBER, lambda c: c.values.phone()),
    "street": Slot(EntityType.STREET_ADDRESS, lambda c: c.values.street()),
    "postcode": Slot(EntityType.POSTAL_CODE, lambda c: c.values.postcode()),
    "city": Slot(EntityType.LOCATION, lambda c: c.values.city()),
    "city2": Slot(EntityType.LOCATION, lambda c: c.values.city()),
    "country": Slot(EntityType.LOCATION, lambda c: c.values.country()),
    "ip": Slot(EntityType.IP_ADDRESS, lambda c: c.values.ip()),
    "url": Slot(EntityType.URL, lambda c: c.values.url(_shop_domain(c))),
    # identity
    "dob": Slot(EntityType.DATE_OF_BIRTH, lambda c: c.values.dob()),
    "date": Slot(EntityType.DATE, lambda c: c.values.date(), family="non_birth_date"),
    "date2": Slot(EntityType.DATE, lambda c: c.values.date(), family="non_birth_date"),
    "age": Slot(EntityType.AGE, lambda c: c.values.age()),
    "natid": Slot(EntityType.NATIONAL_ID, lambda c: c.values.national_id()),
    "plate": Slot(EntityType.LICENSE_PLATE, lambda c: c.values.license_plate()),
    # financial
    "iban": Slot(EntityType.IBAN, lambda c: c.values.iban()),
    "card": Slot(EntityType.CREDIT_CARD, lambda c: c.values.credit_card()),
    "vat": Slot(EntityType.VAT_ID, lambda c: c.values.vat_id()),
    # account, orders
    "cust_id": Slot(EntityType.CUSTOMER_ID, lambda c: c.values.customer_id()),
    "order_id": Slot(EntityType.ORDER_ID, lambda c: c.values.order_id()),
    "order_id2": Slot(EntityType.ORDER_ID, lambda c: c.values.order_id()),
    "password": Slot(EntityType.SECRET, lambda c: c.values.password()),
    "apikey": Slot(EntityType.SECRET, lambda c: c.values.api_key()),
    "org": Slot(EntityType.ORGANIZATION, lambda c: c.values.organization()),
    # unlabelled context and hard negatives
    "natid_name": Slot(None, lambda c: c.values.national_id_name()),
    "shop": Slot(None, lambda c: c.shop, family="brand"),
    "carrier": Slot(None, lambda c: c.values.carrier()),
    "product": Slot(None, lambda c: c.values.product(), family="product"),
    "product2": Slot(None, lambda c: c.values.product(), family="product"),
    "lookalike": Slot(None, lambda c: c.values.rng.choice(c.lookalikes), family="street_lookalike"),
    "price": Slot(None, lambda c: c.values.price(), family="price"),
    "price2": Slot(None, lambda c: c.values.price(), family="price"),
    "time": Slot(None, lambda c: c.values.time(), family="time"),
    "time2": Slot(None, lambda c: c.values.time(later=True), family="time"),
    "qty": Slot(None, lambda c: c.values.quantity(), family="quantity"),
    "sku": Slot(None, lambda c: c.values.product_code(), family="product_code"),
    "version": Slot(None, lambda c: c.values.version(), family="version"),
    "bad_bsn": Slot(None, lambda c: c.values.bad_bsn(), family="bad_bsn"),
    "bad_card": Slot(None, lambda c: c.values.bad_card(), family="bad_luhn"),
    "bad_iban": Slot(None, lambda c: c.values.bad_iban(), family="bad_iban"),
}

HARD_NEGATIVE_FAMILIES: frozenset[str] = frozenset(
    {s.family for s in SLOTS.values() if s.family is not None} | {"caps_start"}
)


def template_keys(template: str) -> list[str]:
    """The slot keys a template uses (for validating template packs in tests)."""
    return [m for m in _SLOT_RE.findall(template) if not m.startswith(("g:", "og:", "#"))]


def render(template: str, ctx: TextContext) -> list[Segment]:
    """Render one template into segments; unknown slot keys raise ``KeyError``."""
    segments: list[Segment] = []
    pos = 0
    for match in _SLOT_RE.finditer(template):
        if match.start() > pos:
            segments.append(Segment(template[pos : match.start()]))
        pos = match.end()
        key = match.group(1)
        if key.startswith("#"):
            ctx.families.add(key[1:])
            continue
        if key.startswith(("g:", "og:")):
            person = ctx.customer if key.startswith("g:") else ctx.other
            male, female = key.split(":", 1)[1].split("|", 1)
            segments.append(Segment(female if person.female else male))
            continue
        slot = SLOTS[key]
        if slot.memoise and key in ctx.memo:
            value = ctx.memo[key]
        else:
            value = slot.draw(ctx).strip()
            ctx.memo[key] = value
        if slot.family is not None:
            ctx.families.add(slot.family)
        segments.append(Segment(value, slot.type))
    if pos < len(template):
        segments.append(Segment(template[pos:]))
    return segments


# Entity types whose values a customer typing in lowercase would also lowercase.
_LOWERCASE_TYPES = frozenset(
    {EntityType.PERSON, EntityType.LOCATION, EntityType.STREET_ADDRESS, EntityType.EMAIL_ADDRESS}
)


def lowercase(segments: list[Segment], include_values: bool) -> list[Segment]:
    """Lowercase literal text (and names/places when ``include_values``), as in quick chats."""
    out: list[Segment] = []
    for seg in segments:
        if seg.type is None or (include_values and seg.type in _LOWERCASE_TYPES):
            out.append(Segment(seg.text.lower(), seg.type))
        else:
            out.append(seg)
    return out


def add_typo(segments: list[Segment], rng_choice: Callable[[int], int]) -> list[Segment]:
    """Swap, drop or double one letter in one literal word; values are never touched."""
    candidates = [
        (i, m.start(), m.end())
        for i, seg in enumerate(segments)
        if seg.type is None
        for m in re.finditer(r"[^\W\d_]{5,}", seg.text)
    ]
    if not candidates:
        return segments
    i, start, end = candidates[rng_choice(len(candidates))]
    word = segments[i].text[start:end]
    k = 1 + rng_choice(len(word) - 2)
    op = rng_choice(3)
    if op == 0:
        new = word[:k] + word[k + 1] + word[k] + word[k + 2 :]
    elif op == 1:
        new = word[:k] + word[k + 1 :]
    else:
        new = word[:k] + word[k] + word[k:]
    text = segments[i].text
    out = list(segments)
    out[i] = Segment(text[:start] + new + text[end:], None)
    return out


def join(segments: list[Segment]) -> tuple[str, list[tuple[int, int, EntityType]]]:
    """Concatenate segments; spans are the offsets of the typed, non-empty segments."""
    parts: list[str] = []
    spans: list[tuple[int, int, EntityType]] = []
    offset = 0
    for seg in segments:
        if seg.type is not None and seg.text:
            spans.append((offset, offset + len(seg.text), seg.type))
        parts.append(seg.text)
        offset += len(seg.text)
    return "".join(parts), spans
