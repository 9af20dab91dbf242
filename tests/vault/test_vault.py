"""The vault's main API on real databases: store, read, update, look up, erase."""

from __future__ import annotations

import pytest

from discreet.audit import AccessContext
from discreet.vault import (
    IdentifierKind,
    SubjectExists,
    SubjectNotFound,
    UnknownField,
    Vault,
)


def test_put_and_get_roundtrip(filled_vault: Vault, ctx: AccessContext, sample_subjects) -> None:
    for ref, fields in sample_subjects.items():
        view = filled_vault.get_subject(ref, ctx=ctx)
        assert dict(view.fields) == fields
        assert view.subject_id.startswith("sub_")
        assert view.categories["email"] == "contact"
        assert view.categories["iban"] == "financial"
        assert view.by_category()["location"]["city"] == fields["city"]


def test_subject_ids_are_random_pseudonyms(filled_vault: Vault, ctx: AccessContext) -> None:
    first = filled_vault.subject_id("CUST-48213", ctx=ctx)
    second = filled_vault.subject_id("CUST-77120", ctx=ctx)
    assert first != second
    assert "48213" not in first and "77120" not in second


def test_get_selected_fields_and_categories(filled_vault: Vault, ctx: AccessContext) -> None:
    view = filled_vault.get_subject("CUST-48213", fields=["email", "city"], ctx=ctx)
    assert set(view.fields) == {"email", "city"}
    view = filled_vault.get_subject("CUST-48213", categories=["contact"], ctx=ctx)
    assert set(view.fields) == {"email", "phone"}


def test_repr_shows_no_values(filled_vault: Vault, ctx: AccessContext, sample_subjects) -> None:
    view = filled_vault.get_subject("CUST-48213", ctx=ctx)
    shown = repr(view) + repr(filled_vault)
    for value in sample_subjects["CUST-48213"].values():
        assert value not in shown
    assert "CUST-48213" not in shown


def test_duplicate_ref_is_refused(filled_vault: Vault, ctx: AccessContext) -> None:
    with pytest.raises(SubjectExists) as info:
        filled_vault.put_subject("CUST-48213", {"name": "Someone Else"}, ctx=ctx)
    assert "CUST-48213" not in str(info.value)


def test_unknown_subject(vault: Vault, ctx: AccessContext) -> None:
    with pytest.raises(SubjectNotFound) as info:
        vault.get_subject("CUST-00000", ctx=ctx)
    assert "CUST-00000" not in str(info.value)


def test_field_without_category_is_refused(vault: Vault, ctx: AccessContext) -> None:
    with pytest.raises(UnknownField, match="favourite_colour"):
        vault.put_subject("CUST-1", {"favourite_colour": "teal"}, ctx=ctx)


def test_category_override(store_env, ctx: AccessContext) -> None:
    vault = store_env.open_vault(categories={"favourite_colour": "preferences"})
    vault.put_subject("CUST-1", {"favourite_colour": "teal"}, ctx=ctx)
    view = vault.get_subject("CUST-1", ctx=ctx, categories=["preferences"])
    assert view.fields == {"favourite_colour": "teal"}


def test_update_fields_sets_and_deletes(filled_vault: Vault, ctx: AccessContext) -> None:
    filled_vault.update_fields(
        "CUST-48213", {"email": "new.address@voorbeeld.nl", "phone": None}, ctx=ctx
    )
    view = filled_vault.get_subject("CUST-48213", ctx=ctx)
    assert view.fields["email"] == "new.address@voorbeeld.nl"
    assert "phone" not in view.fields
    email = IdentifierKind.EMAIL
    assert filled_vault.find_subjects_by_identifier(email, "NEW.address@voorbeeld.nl", ctx=ctx)
    assert not filled_vault.find_subjects_by_identifier(
        email, "marieke.oosterhout@voorbeeld.nl", ctx=ctx
    )
    assert not filled_vault.find_subjects_by_identifier("phone", "+31 6 48213577", ctx=ctx)


@pytest.mark.parametrize(
    ("kind", "typed"),
    [
        ("email", "  MARIEKE.Oosterhout@Voorbeeld.NL "),
        ("phone", "+31 (0)6-4821 3577".replace("(0)", "")),
        ("phone", "0031 6 48213577"),
        ("name", "marieke VAN oosterhout"),
        ("iban", "nl02 abna 0123 4567 89"),
        ("customer_number", "cn-48213-77"),
        ("subject_ref", "CUST-48213"),
    ],
)
def test_blind_index_lookup_normalises(
    filled_vault: Vault, ctx: AccessContext, kind: str, typed: str
) -> None:
    expected = filled_vault.subject_id("CUST-48213", ctx=ctx)
    assert filled_vault.find_subjects_by_identifier(kind, typed, ctx=ctx) == {expected}


def test_national_phone_with_region(store_env, ctx: AccessContext) -> None:
    vault = store_env.open_vault()
    vault.put_subject("CUST-1", {"phone": "+31 6 48213577"}, ctx=ctx)
    regional = Vault(store_env.data_db(), vault.key_store, tenant="default", phone_region="NL")
    assert regional.find_subjects_by_identifier("phone", "06-48213577", ctx=ctx)


def test_batch_lookup_for_output_guard(filled_vault: Vault, ctx: AccessContext) -> None:
    own = filled_vault.subject_id("CUST-48213", ctx=ctx)
    other = filled_vault.subject_id("CUST-77120", ctx=ctx)
    queries = [
        (IdentifierKind.EMAIL, "b.quenneville@example.com"),
        (IdentifierKind.PHONE, "+31 6 48213577"),
        (IdentifierKind.IBAN, "NL00 UNKNOWN"),
    ]
    found = filled_vault.find_subjects_by_identifiers(queries, ctx=ctx)
    assert found[queries[0]] == {other}
    assert found[queries[1]] == {own}
    assert found[queries[2]] == frozenset()


def test_shared_identifier_lists_every_subject(vault: Vault, ctx: AccessContext) -> None:
    a = vault.put_subject("A-1", {"email": "family@example.com"}, ctx=ctx)
    b = vault.put_subject("B-2", {"email": "Family@Example.com"}, ctx=ctx)
    assert vault.find_subjects_by_identifier("email", "family@example.com", ctx=ctx) == {a, b}


def test_tenants_are_isolated(filled_vault: Vault, ctx: AccessContext) -> None:
    other = filled_vault.for_tenant("acme")
    with pytest.raises(SubjectNotFound):
        other.get_subject("CUST-48213", ctx=ctx)
    assert not other.find_subjects_by_identifier("email", "b.quenneville@example.com", ctx=ctx)
    other.put_subject("CUST-48213", {"name": "Acme's own customer"}, ctx=ctx)
    assert other.get_subject("CUST-48213", ctx=ctx).fields == {"name": "Acme's own customer"}
    assert filled_vault.get_subject("CUST-48213", ctx=ctx).fields["name"] != "Acme's own customer"


def test_erase_removes_subject_and_index(filled_vault: Vault, ctx: AccessContext) -> None:
    receipt = filled_vault.erase_subject("CUST-48213", ctx=ctx)
    assert receipt.fields == 8
    with pytest.raises(SubjectNotFound):
        filled_vault.get_subject("CUST-48213", ctx=ctx)
    assert not filled_vault.find_subjects_by_identifier(
        "email", "marieke.oosterhout@voorbeeld.nl", ctx=ctx
    )
    assert filled_vault.get_subject("CUST-77120", ctx=ctx).fields["name"]
    # The reference is free again: a new subject gets a new key and a new pseudonym.
    new_id = filled_vault.put_subject("CUST-48213", {"name": "Returning Customer"}, ctx=ctx)
    assert new_id != receipt.subject_id


def test_access_context_is_required_and_validated(vault: Vault) -> None:
    with pytest.raises(ValueError, match="legal basis"):
        AccessContext("agent", "support", "because")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="purpose"):
        AccessContext("agent", " ", "contract")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        vault.get_subject("CUST-1", ctx=None)  # type: ignore[arg-type]


def test_tenant_ids_are_slugs(vault: Vault) -> None:
    assert vault.for_tenant("acme-eu.2").tenant == "acme-eu.2"
    with pytest.raises(ValueError, match="tenant"):
        vault.for_tenant("Acme Corp")


def test_key_store_in_the_data_file_is_refused(tmp_path) -> None:
    from discreet.vault import KeyStoreMismatch, MasterKey

    url = f"sqlite:///{tmp_path / 'one.db'}"
    with pytest.raises(KeyStoreMismatch, match="principle 4"):
        Vault.open(url, url, MasterKey.generate())


def test_the_guards_lookup_matches_each_value_only_as_the_kind_asked(
    filled_vault: Vault, ctx: AccessContext, sample_subjects
) -> None:
    """One statement serves every kind (the index is digest-first, migration 0014): each
    (kind, value) asked gets the owners of that kind's form, and the same text asked as
    another kind matches nothing."""
    from discreet.vault import IdentifierKind

    marieke = filled_vault.subject_id("CUST-48213", ctx=ctx)
    bart = filled_vault.subject_id("CUST-77120", ctx=ctx)
    email = sample_subjects["CUST-48213"]["email"]
    phone = sample_subjects["CUST-77120"]["phone"]
    queries = [
        (IdentifierKind.EMAIL, email.upper()),
        (IdentifierKind.PHONE, phone),
        (IdentifierKind.PHONE, email),
        (IdentifierKind.EMAIL, "nobody@example.org"),
        (IdentifierKind.REFERENCE, "CN-77120-01"),
    ]
    found = filled_vault.match_identifiers(queries)
    assert found == {
        (IdentifierKind.EMAIL, email.upper()): {marieke},
        (IdentifierKind.PHONE, phone): {bart},
        (IdentifierKind.PHONE, email): set(),
        (IdentifierKind.EMAIL, "nobody@example.org"): set(),
        (IdentifierKind.REFERENCE, "CN-77120-01"): {bart},
    }


def test_the_guards_lookup_probes_the_digest_index(store_env) -> None:
    """SQLite plans the guard's statement (store/driver: tenant, then digests, no kinds)
    as index probes by digest, not as a scan of the tenant's rows."""
    if not store_env.is_sqlite:
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    import sqlite3

    db = sqlite3.connect(store_env.data_url.removeprefix("sqlite:///"))
    plan = db.execute(
        "EXPLAIN QUERY PLAN SELECT kind, digest, subject_id FROM blind_index "
        "WHERE tenant = ? AND digest IN (?, ?, ?)",
        ("default", b"a", b"b", b"c"),
    ).fetchall()
    db.close()
    detail = " ".join(str(row[-1]) for row in plan)
    assert "ix_blind_index_digest" in detail and "digest=?" in detail, detail
