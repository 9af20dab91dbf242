"""Context fields enter with their declared type, never typed by detecting the bare value;
one real value is one token in a conversation, whatever its spelling."""

from __future__ import annotations

import re

from tests.api.conftest import MARIEKE, Api

from discreet.audit import AccessContext
from discreet.detect.entities import EntityType
from discreet.transform.tokenformat import DEFAULT_TOKEN_FORMAT
from discreet.transform.tokenmap import TokenSession


def _context(api: Api) -> str:
    body = api.upstream.bodies()[-1]
    return str(body["messages"][0]["content"])


def test_plain_fields_go_as_they_are_and_identifiers_by_their_type(
    api: Api, ctx: AccessContext
) -> None:
    api.vault.update_fields(
        MARIEKE,
        {
            # Values that detection on their own would misread (a status that reads like a
            # name; items; an order number in a format no recognizer knows).
            "order_status": "shipped",
            "order_number": "Rosa Maria 77",
            "delivery_date": "2027-02-03",
        },
        ctx=ctx,
    )
    assert api.chat("Where is my order?", conversation="c-typed").status_code == 200
    context = _context(api)
    assert "shipped" in context  # plain: as it is, not [PERSON_n]
    assert "Rosa Maria" not in context  # typed: replaced whole as an ORDER_ID
    assert re.search(r"\[ORDER_ID_\d+\]", context)
    api.upstream.assert_never_received("Rosa Maria 77", "marieke.oosterhout@voorbeeld.nl")


def test_the_customers_phone_in_any_form_is_the_contexts_token(api: Api) -> None:
    assert api.chat("Hi", conversation="c-phone").status_code == 200
    phone_token = re.search(r"\[PHONE_NUMBER_\d+\]", _context(api))
    assert phone_token is not None
    for spelling in ("+31 6 48213577", "06-48213577", "0648213577", "06 48 21 35 77"):
        assert api.chat(f"Bel me op {spelling}", conversation="c-phone").status_code == 200
        last = api.upstream.bodies()[-1]["messages"][-1]["content"]
        assert phone_token.group(0) in last, spelling
        assert "48213577" not in last.replace(" ", "")


def test_national_and_international_forms_of_another_number_share_a_token() -> None:
    session = TokenSession({}, DEFAULT_TOKEN_FORMAT, None)
    uk = ["07911 123456", "+44 7911 123456", "07911123456"]
    nl = ["06-12345678", "+31 6 12345678"]
    tokens = [session.token_for(EntityType.PHONE_NUMBER, v) for v in uk + nl]
    assert len(set(tokens[:3])) == 1 and len(set(tokens[3:])) == 1
    assert tokens[0] != tokens[3]
    # Reloaded from the stored map (values only), the same numbers get the same tokens.
    again = TokenSession(dict(session.mapping), DEFAULT_TOKEN_FORMAT, None)
    assert again.token_for(EntityType.PHONE_NUMBER, "+31612345678") == tokens[3]
    assert again.token_for(EntityType.PHONE_NUMBER, "07911 123 456") == tokens[0]


def test_the_subjects_own_country_reads_a_national_number_first() -> None:
    session = TokenSession({}, DEFAULT_TOKEN_FORMAT, None, phone_hints=["+44 7700 900123"])
    first = session.token_for(EntityType.PHONE_NUMBER, "07911 123456")
    assert session.token_for(EntityType.PHONE_NUMBER, "+447911123456") == first
