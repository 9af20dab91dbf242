"""The adversary: a malicious OpenAI-compatible upstream, and a leak checker.

`AdversarialUpstream` is a real loopback server (`RecordingUpstream`: plain JSON and SSE
streaming, every request recorded) that answers like a model trained on production data,
a poisoned knowledge base or a tool returning the wrong record would: with OTHER
customers' values, in every spelling that defeats a naive matcher (`spellings`), with
token splices ("[PERSON_1].armstrong1@example.co.uk"), streamed in 1-3 character chunks;
or it misbehaves (oversize, drip, hang, HTTP 500). `Mode` picks the behaviour; `CYCLE`
rotates through the leaking modes request by request.

`LeakChecker` is the ground truth the tests and `benchmarks/bench_adversarial.py` count
with: which customers' identifiers a text holds, in the same folded, canonical forms the
vault indexes (`vault.identifiers`, `guard.leaks.candidates`), plus a plain substring
check of each folded value with all whitespace squeezed out (independent of the
candidate extraction, so a gap there still shows).

`tool_stuffing` builds client requests that hide a customer's raw values in every string
field of tool calls and tool results (`id`, `function.name`, `description`, unknown keys,
`tool_call_id`), for tests that assert none of it reaches the upstream.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from tests.support.upstream import RecordingUpstream, Script

from discreet.guard.leaks import candidates
from discreet.transform.fold import fold
from discreet.vault.blind_index import IdentifierKind, normalize
from discreet.vault.fields import DEFAULT_INDEXED_FIELDS
from discreet.vault.identifiers import index_forms

IDENTIFIER_FIELDS = (
    "first_name",
    "last_name",
    "name",
    "email",
    "phone",
    "customer_number",
    "order_number",
    "invoice_number",
    "iban",
    "date_of_birth",
    "postal_code",
)
"""Fields whose value, seen by another customer, is a leak."""

_FULLWIDTH = str.maketrans({str(d): chr(0xFF10 + d) for d in range(10)})
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


class Mode(StrEnum):
    BENIGN = "benign"  # a helpful answer with this conversation's tokens only
    ECHO = "echo"  # the last user message back
    FOREIGN = "foreign"  # another customer's values, spelled every way
    SPLICE = "splice"  # a token glued to the rest of another customer's e-mail
    STREAM_SPLIT = "stream_split"  # FOREIGN, streamed in 1-3 character chunks
    OVERSIZE = "oversize"  # an answer far beyond any sane size
    DRIP = "drip"  # a long answer, streamed slowly in tiny chunks
    HANG = "hang"  # never answers
    ERROR = "error"  # HTTP 500
    CYCLE = "cycle"  # FOREIGN, SPLICE, STREAM_SPLIT in turn


def _phone_digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def spellings(fields: Mapping[str, str], rng: random.Random) -> list[str]:
    """Another customer's identifiers, each in several adversarial spellings."""
    out: list[str] = []
    first, last = fields.get("first_name", ""), fields.get("last_name", "")
    if first and last:
        out += [
            f"{first} {last}".upper(),
            f"{first[0]}. {last}",
            f"{last}, {first}",
            f"{first}\u200b {last}",  # zero-width space
            f"{first.translate(str.maketrans('ae', 'ае'))} {last}",  # Cyrillic а, е
        ]
    if email := fields.get("email"):
        local, domain = email.split("@", 1)
        out += [
            f"{local} at {domain.replace('.', ' dot ')}",
            f"{local} @ {domain}",
            f"{local}\n@{domain}",
            f"{local}[at]{domain}",
            email.upper(),
        ]
    if phone := fields.get("phone"):
        digits = _phone_digits(phone)
        national = "0" + digits[2:]
        out += [
            "00" + digits,
            " ".join(national),
            national.translate(_FULLWIDTH),
            phone,
            f"+{digits[:2]} (0){digits[2:]}",
            f"{national[:2]}-{national[2:]}",
        ]
    if number := fields.get("customer_number"):
        out += [number.lower(), number.replace("-", " "), number.replace("-", "").title()]
    for name in ("order_number", "invoice_number"):
        if value := fields.get(name):
            out += [value, value.lower().replace("-", " ")]
    if iban := fields.get("iban"):
        out.append(" ".join(iban[i : i + 4] for i in range(0, len(iban), 4)))
    if dob := fields.get("date_of_birth"):
        year, month, day = (int(p) for p in dob.split("-"))
        out += [
            f"{day} {_MONTHS[month - 1]} {year}",
            f"{day:02d}/{month:02d}/{year}",
            f"{day:02d}-{month:02d}-{year}",
        ]
    if (postcode := fields.get("postal_code")) and (city := fields.get("city")):
        out.append(f"{postcode} {city}")
    rng.shuffle(out)
    return out


def splice(fields: Mapping[str, str]) -> str:
    """An answer that glues this conversation's [PERSON_1] onto the rest of another
    customer's e-mail: harmless before rehydration, a leak after it when the names agree."""
    local, domain = fields["email"].split("@", 1)
    rest = local.split(".", 1)[1] if "." in local else local
    return f"Write to [PERSON_1].{rest}@{domain} and we will sort it out."


def _chunks(text: str, rng: random.Random) -> list[str]:
    pieces: list[str] = []
    i = 0
    while i < len(text):
        size = rng.randint(1, 3)
        pieces.append(text[i : i + size])
        i += size
    return pieces


class AdversarialUpstream(RecordingUpstream):
    """A loopback upstream that knows `customers` (ref -> fields) and leaks them."""

    def __init__(
        self,
        customers: Mapping[str, Mapping[str, str]],
        mode: Mode = Mode.CYCLE,
        *,
        seed: int = 12,
        oversize_bytes: int = 4_000_000,
        drip_chunks: int = 2_000,
        drip_delay: float = 0.05,
        hang_seconds: float = 30.0,
    ) -> None:
        super().__init__()
        self.customers = {ref: dict(fields) for ref, fields in customers.items()}
        self._refs = sorted(self.customers)
        self.mode = mode
        self.seed = seed
        self.oversize_bytes = oversize_bytes
        self.drip_chunks = drip_chunks
        self.drip_delay = drip_delay
        self.hang_seconds = hang_seconds
        self._served = 0

    def _rng(self, body: bytes) -> random.Random:
        digest = hashlib.sha256(body + str(self.seed).encode()).digest()
        return random.Random(int.from_bytes(digest[:8], "big") + self._served)

    def _next_script(self, body: bytes = b"") -> Script:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            self._served += 1
            served = self._served
        rng = self._rng(body)
        mode = self.mode
        if mode is Mode.CYCLE:
            mode = (Mode.FOREIGN, Mode.SPLICE, Mode.STREAM_SPLIT)[served % 3]
        victim = self.customers[self._refs[rng.randrange(len(self._refs))]]
        return self.script(mode, victim, rng)

    def script(self, mode: Mode, victim: Mapping[str, str], rng: random.Random) -> Script:
        """The answer of `mode`, leaking `victim`'s values where it leaks anything."""
        if mode is Mode.BENIGN:
            return Script(text="Hello [PERSON_1], your order is on its way. Anything else?")
        if mode is Mode.ECHO:
            return Script(echo=True)
        if mode is Mode.ERROR:
            return Script.error(500)
        if mode is Mode.HANG:
            return Script(delay=self.hang_seconds)
        if mode is Mode.OVERSIZE:
            return Script(text="A" * self.oversize_bytes)
        if mode is Mode.DRIP:
            return Script(chunks=["ab"] * self.drip_chunks, chunk_delay=self.drip_delay)
        if mode is Mode.SPLICE:
            return Script(text=splice(victim))
        text = "Sure, here are the details: " + "; ".join(spellings(victim, rng)) + "."
        if mode is Mode.STREAM_SPLIT:
            return Script(chunks=_chunks(text, rng))
        return Script(text=text)


def tool_stuffing(fields: Mapping[str, str], question: str) -> list[dict[str, Any]]:
    """A conversation whose tool calls and tool results carry `fields`' raw values in
    every string field an OpenAI request may have, and in unknown ones."""
    email, phone = fields["email"], fields["phone"]
    name = f"{fields.get('first_name', '')} {fields.get('last_name', '')}".strip()
    call_id = f"call_{email}"
    return [
        {"role": "user", "content": question},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {
                        "name": f"lookup_{phone.replace(' ', '')}",
                        "arguments": json.dumps({"email": email}),
                        "description": f"order of {name}",
                    },
                    "x_note": f"customer {name} {phone}",
                }
            ],
            "x_extra": {"who": email},
        },
        {
            "role": "tool",
            "tool_call_id": call_id,
            "name": f"lookup for {name}",
            "content": f"Order for {name}, reachable at {phone}.",
            "x_debug": email,
        },
        {"role": "user", "content": "Thanks, anything else?"},
    ]


class LeakChecker:
    """Which customers' identifiers a text holds (ground truth for tests and benchmarks)."""

    def __init__(self, customers: Mapping[str, Mapping[str, str]]) -> None:
        self._owners: dict[tuple[IdentifierKind, str], set[str]] = {}
        self._plain: dict[str, list[tuple[str, str]]] = {}
        for ref, fields in customers.items():
            kept = {k: v for k, v in fields.items() if k in IDENTIFIER_FIELDS and v}
            for _, kind, value in index_forms(kept, DEFAULT_INDEXED_FIELDS):
                self._owners.setdefault((kind, normalize(kind, value)), set()).add(ref)
            # A first or last name alone singles nobody out; the full name does.
            plain = [
                (name, _squeeze(value))
                for name, value in kept.items()
                if name not in ("first_name", "last_name")
            ]
            if kept.get("first_name") and kept.get("last_name"):
                plain.append(("name", _squeeze(f"{kept['first_name']} {kept['last_name']}")))
            # Short values (a first name, a postcode) occur inside other words by chance.
            self._plain[ref] = [(n, v) for n, v in plain if len(v) >= 9]

    def owners(self, text: str) -> set[str]:
        """Refs of every customer with an identifier in `text`."""
        found: set[str] = set()
        for kind, value in candidates(text):
            found |= self._owners.get((kind, normalize(kind, value)), set())
        squeezed = _squeeze(text)
        for ref, values in self._plain.items():
            if any(v in squeezed for _, v in values):
                found.add(ref)
        return found

    def explain(self, text: str) -> list[str]:
        """The matching forms (for debugging a benchmark on synthetic data only)."""
        hits = [
            f"{kind.value}:{value}"
            for kind, value in candidates(text)
            if (kind, normalize(kind, value)) in self._owners
        ]
        squeezed = _squeeze(text)
        hits += [
            f"plain:{v}" for values in self._plain.values() for _, v in values if v in squeezed
        ]
        return hits

    def foreign(self, text: str, own: str | None) -> set[str]:
        """Refs of customers other than `own` whose identifiers `text` holds."""
        return self.owners(text) - {own} if own is not None else self.owners(text)

    def raw_fields(self, text: str, ref: str) -> list[str]:
        """Names of `ref`'s identifier fields whose raw value `text` holds (folded)."""
        squeezed = _squeeze(text)
        return sorted({name for name, value in self._plain[ref] if value in squeezed})


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", fold(text))


def received_texts(upstream: RecordingUpstream) -> str:
    """Every request body the upstream received, JSON-decoded (non-ASCII readable)."""
    parts: list[str] = []
    for request in upstream.requests:
        parts.append(request.text)
        with contextlib.suppress(ValueError):
            parts.append(json.dumps(request.json(), ensure_ascii=False))
    return "\n".join(parts)


__all__ = [
    "IDENTIFIER_FIELDS",
    "AdversarialUpstream",
    "LeakChecker",
    "Mode",
    "received_texts",
    "spellings",
    "splice",
    "tool_stuffing",
]
