"""A customer writing their own name, however they write it, reaches the model with the
tokens the context gives the record's name fields: one person, not two (issue 13)."""

from __future__ import annotations

import re

import pytest
from tests.api.conftest import Api

from discreet.audit import AccessContext

PERSON = re.compile(r"\[PERSON_\d+\]")


def _put(api: Api, ctx: AccessContext, ref: str, first: str, last: str, phone: str) -> None:
    api.vault.put_subject(
        ref,
        {"first_name": first, "last_name": last, "email": f"{ref.lower()}@voorbeeld.nl",
         "phone": phone},
        ctx=ctx,
    )  # fmt: skip


def _sent(api: Api) -> tuple[str, str]:
    """(the context system message, the last user message) the upstream received."""
    messages = api.upstream.bodies()[-1]["messages"]
    return str(messages[0]["content"]), str(messages[-1]["content"])


def _name_tokens(context: str) -> tuple[str, str]:
    """The context's tokens for first and last name."""
    first = re.search(r"Customer:.*?\bname (\[PERSON_\d+\])", context)
    last = re.search(r"last name (\[PERSON_\d+\])", context)
    assert first and last, "the context carries both name fields as tokens"
    return first.group(1), last.group(1)


CASES = [
    # (first, last, phone, [(message, parts expected: "first", "last" in order)])
    (
        "Elaine",
        "Pritchard",
        "+44 7911 123456",
        [
            ("This is Elaine Pritchard speaking", ["first", "last"]),
            ("this is elaine pritchard speaking", ["first", "last"]),
            ("Order for Mrs. E. Pritchard please", ["first", "last"]),
            ("Name: Pritchard, Elaine", ["last", "first"]),
            ("Signed E. Pritchard", ["first", "last"]),
        ],
    ),
    (
        "Jan",
        "de Vries",
        "+31 6 12345678",
        [
            ("Met Jan de Vries", ["first", "last"]),
            ("Meneer De Vries hier", ["last"]),
            ("Groet, J. de Vries", ["first", "last"]),
        ],
    ),
    (
        "Anna",
        "van der Berg",
        "+31 6 23456789",
        [
            ("Ik ben Anna van der Berg", ["first", "last"]),
            ("Mevrouw Van der Berg belt", ["last"]),
        ],
    ),
    (
        "Jürgen",
        "Müller",
        "+49 151 23456789",
        [
            ("Hier ist Jürgen Müller", ["first", "last"]),
            ("Hier ist Juergen Mueller", ["first", "last"]),
            ("Herr Mueller fragt nach", ["last"]),
        ],
    ),
    (
        "Hélène",
        "Lefèvre",
        "+33 6 12 34 56 78",
        [
            ("Bonjour, c'est Hélène Lefèvre", ["first", "last"]),
            ("Bonjour, c'est Helene Lefevre", ["first", "last"]),
            ("Cordialement, Mme H. Lefèvre", ["first", "last"]),
        ],
    ),
]


@pytest.mark.parametrize(
    ("first", "last", "phone", "messages"), CASES, ids=["en", "nl", "nl-particles", "de", "fr"]
)
def test_the_customers_own_name_takes_the_context_name_tokens(
    api: Api,
    ctx: AccessContext,
    first: str,
    last: str,
    phone: str,
    messages: list[tuple[str, list[str]]],
) -> None:
    ref = f"CUST-LINK-{len(last)}{len(first)}"
    _put(api, ctx, ref, first, last, phone)
    conversation = f"c-link-{ref.lower()}"
    for text, parts in messages:
        assert api.chat(text, subject=ref, conversation=conversation).status_code == 200
        context, sent = _sent(api)
        tokens = dict(zip(("first", "last"), _name_tokens(context), strict=True))
        assert PERSON.findall(sent) == [tokens[p] for p in parts], text
        api.upstream.assert_never_received(first, last.split()[-1])


def test_the_customers_phone_in_every_form_takes_the_context_token(
    api: Api, ctx: AccessContext
) -> None:
    _put(api, ctx, "CUST-LINK-UK", "Elaine", "Pritchard", "+44 7911 123456")
    _put(api, ctx, "CUST-LINK-NL", "Jan", "de Vries", "+31 6 12345678")
    spellings = {
        "CUST-LINK-UK": ["+44 7911 123456", "07911 123456", "07911123456", "0044 7911 123456"],
        "CUST-LINK-NL": ["+31 6 12345678", "06-12345678", "0031 6 12345678", "0612345678"],
    }
    for ref, forms in spellings.items():
        for form in forms:
            response = api.chat(f"Call me on {form}", subject=ref, conversation=f"c-{ref}")
            assert response.status_code == 200
            context, sent = _sent(api)
            phone = re.search(r"phone (\[PHONE_NUMBER_\d+\])", context)
            assert phone is not None
            assert re.findall(r"\[PHONE_NUMBER_\d+\]", sent) == [phone.group(1)], form
