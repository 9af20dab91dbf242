"""The leak check's readings of a text (guard/leaks.py) and the vault's index forms
(vault/identifiers.py) meet: every adversarial spelling of an identifier yields a
candidate the vault indexed for it, and ordinary prose yields none of them."""

from __future__ import annotations

import random

import pytest
from tests.support.adversary import LeakChecker, spellings

from discreet.demo.synthetic import make_customers
from discreet.guard.leaks import candidates, check
from discreet.transform.fold import fold
from discreet.vault.blind_index import BlindIndexer, IdentifierKind, normalize
from discreet.vault.fields import DEFAULT_INDEXED_FIELDS
from discreet.vault.identifiers import dates_in, index_forms

CUSTOMERS = {c.ref: dict(c.fields) for c in make_customers(40)}


def indexed(fields: dict[str, str]) -> set[tuple[IdentifierKind, str]]:
    return {(k, normalize(k, v)) for _, k, v in index_forms(fields, DEFAULT_INDEXED_FIELDS)}


@pytest.mark.parametrize("ref", sorted(CUSTOMERS)[:12])
def test_every_adversarial_spelling_meets_an_index_entry(ref: str) -> None:
    fields = CUSTOMERS[ref]
    forms = indexed(fields)
    for spelling in spellings(fields, random.Random(ref)):
        if (
            spelling.count(",") == 1
            and "@" not in spelling
            and not any(c.isdigit() for c in spelling)
        ):
            # "Surname, First": the comma-separated reversed name
            pass
        assert candidates(f"Sure: {spelling}. Bye") & forms, f"missed: {spelling!r}"


def test_fold_removes_invisible_characters_homoglyphs_and_width() -> None:
    assert fold("Ｊａｎ\u200b Jа\u00adnsen") == "jan jansen"  # fullwidth, ZWSP, Cyrillic а, SHY
    assert fold("Ünal") == "unal"


def test_dates_in_every_format_are_read_as_iso() -> None:
    for text in (
        "14 March 1980",
        "14-03-1980",
        "14/03/1980",
        "1980-03-14",
        "March 14th, 1980",
        "14 maart 1980",
        "14. März 1980",
        "14 mars 1980",
    ):
        assert "1980-03-14" in dates_in(fold(text)), text


def test_ordinary_prose_matches_no_customer() -> None:
    checker = LeakChecker(CUSTOMERS)
    prose = (
        "Thanks for your message. Your parcel left our warehouse in Utrecht on Monday and "
        "should arrive within 2 to 3 working days. You can return items within 30 days; "
        "call 020 123 4567 between 9:00 and 17:00 or write to support@example-shop.nl."
    )
    assert checker.owners(prose) == set()


def test_batched_digests_equal_single_ones() -> None:
    indexer = BlindIndexer(b"k" * 32, "tenant")
    text = " ".join(spellings(CUSTOMERS["CUST-10001"], random.Random(1)))
    queries = sorted(candidates(text))
    assert indexer.digest_many(queries) == [indexer.digest(k, v) for k, v in queries]


def test_a_splice_is_a_leak_only_after_rehydration() -> None:
    victim = CUSTOMERS["CUST-10002"]
    local, domain = victim["email"].split("@")
    first, rest = local.split(".", 1)
    owners = {(IdentifierKind.EMAIL, victim["email"]): frozenset({"victim"})}

    def lookup(queries):  # the vault's answer for the victim's address only
        return {q: owners.get(q, frozenset()) for q in queries}

    before = check(f"Write to [PERSON_1].{rest}@{domain}", subject="me", allowed=[], lookup=lookup)
    after = check(f"Write to {first}.{rest}@{domain}", subject="me", allowed=[], lookup=lookup)
    typed = check(
        f"Write to {first}.{rest}@{domain}",
        subject="me",
        allowed=[f"is {victim['email']} right?"],
        lookup=lookup,
    )
    assert not before.leaked and after.leaked and not typed.leaked
    assert after.kinds == {IdentifierKind.EMAIL} and "@" not in repr(after)


def test_another_customers_address_inside_a_longer_one_is_a_leak() -> None:
    # A splice whose token rehydrates to a longer first name ("Sanne" where the model
    # hoped for "Anne") still shows the victim's whole address, one letter in.
    victim = CUSTOMERS["CUST-10002"]
    owners = {(IdentifierKind.EMAIL, victim["email"]): frozenset({"victim"})}

    def lookup(queries):
        return {q: owners.get(q, frozenset()) for q in queries}

    inside = check(f"Write to S{victim['email']} today", subject="me", allowed=[], lookup=lookup)
    own = check(f"Write to S{victim['email']}", subject="victim", allowed=[], lookup=lookup)
    assert inside.leaked and inside.kinds == {IdentifierKind.EMAIL}
    assert not own.leaked  # the victim's own longer address mentions nobody else
    # A plain address of nobody's stays quiet however many tails it has.
    assert not check(
        "Write to support@example-shop.nl", subject="me", allowed=[], lookup=lookup
    ).leaked
