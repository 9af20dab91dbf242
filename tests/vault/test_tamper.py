"""Adversarial tests: moved, flipped or swapped ciphertexts fail loudly, never as garbage."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from discreet.audit import AccessContext
from discreet.store.keystore_models import WrappedKey
from discreet.store.models import SubjectField, TokenMap, table_of
from discreet.vault import IntegrityError, Vault, VaultTokenStore

F = table_of(SubjectField)
K = table_of(WrappedKey)
M = table_of(TokenMap)


def _ciphertext(store_env, subject_id: str, field: str) -> bytes:
    with store_env.data_db().begin() as conn:
        return conn.execute(
            select(F.c.ciphertext).where(F.c.subject_id == subject_id, F.c.field == field)
        ).scalar_one()


def _set_ciphertext(store_env, subject_id: str, field: str, blob: bytes) -> None:
    with store_env.data_db().begin() as conn:
        conn.execute(
            update(F)
            .where(F.c.subject_id == subject_id, F.c.field == field)
            .values(ciphertext=blob)
        )


def _last_outcome(vault: Vault) -> str:
    return list(vault.audit_log.entries())[-1].outcome


def test_ciphertext_copied_to_another_subject_fails(
    store_env, filled_vault: Vault, ctx: AccessContext
) -> None:
    a = filled_vault.subject_id("CUST-48213", ctx=ctx)
    b = filled_vault.subject_id("CUST-77120", ctx=ctx)
    _set_ciphertext(store_env, b, "email", _ciphertext(store_env, a, "email"))
    with pytest.raises(IntegrityError) as info:
        filled_vault.get_subject("CUST-77120", ctx=ctx)
    assert "@" not in str(info.value)
    assert _last_outcome(filled_vault) == "integrity_error"


def test_ciphertext_moved_between_fields_of_one_subject_fails(
    store_env, filled_vault: Vault, ctx: AccessContext
) -> None:
    # Same data key: only the associated data (field name) tells the rows apart.
    a = filled_vault.subject_id("CUST-48213", ctx=ctx)
    _set_ciphertext(store_env, a, "phone", _ciphertext(store_env, a, "email"))
    with pytest.raises(IntegrityError):
        filled_vault.get_subject("CUST-48213", fields=["phone"], ctx=ctx)
    # The untouched field still reads.
    view = filled_vault.get_subject("CUST-48213", fields=["email"], ctx=ctx)
    assert view.fields["email"] == "marieke.oosterhout@voorbeeld.nl"


@pytest.mark.parametrize("position", [0, 5, 20, -1])
def test_flipped_byte_is_an_integrity_error(
    store_env, filled_vault: Vault, ctx: AccessContext, position: int
) -> None:
    a = filled_vault.subject_id("CUST-48213", ctx=ctx)
    blob = bytearray(_ciphertext(store_env, a, "iban"))
    blob[position] ^= 0x01
    _set_ciphertext(store_env, a, "iban", bytes(blob))
    with pytest.raises(IntegrityError):
        filled_vault.get_subject("CUST-48213", fields=["iban"], ctx=ctx)


def test_changed_category_is_detected(store_env, filled_vault: Vault, ctx: AccessContext) -> None:
    # Relabelling a health field as "contact" must not slip past category filters.
    a = filled_vault.subject_id("CUST-48213", ctx=ctx)
    with store_env.data_db().begin() as conn:
        conn.execute(
            update(F).where(F.c.subject_id == a, F.c.field == "iban").values(category="contact")
        )
    with pytest.raises(IntegrityError):
        filled_vault.get_subject("CUST-48213", categories=["contact"], ctx=ctx)


def test_wrapped_key_copied_to_another_subject_fails(
    store_env, filled_vault: Vault, ctx: AccessContext
) -> None:
    a = filled_vault.subject_id("CUST-48213", ctx=ctx)
    b = filled_vault.subject_id("CUST-77120", ctx=ctx)
    with store_env.keys_db().begin() as conn:
        wrapped_a = conn.execute(select(K.c.wrapped).where(K.c.owner_id == a)).scalar_one()
        conn.execute(update(K).where(K.c.owner_id == b).values(wrapped=wrapped_a))
    with pytest.raises(IntegrityError):
        filled_vault.get_subject("CUST-77120", ctx=ctx)


def test_tampered_token_map_is_an_integrity_error(
    store_env, vault: Vault, ctx: AccessContext
) -> None:
    tokens = VaultTokenStore(vault)
    tokens.save("conv-1", {"[PERSON_1]": "Marieke van Oosterhout"})
    with store_env.data_db().begin() as conn:
        blob = bytearray(conn.execute(select(M.c.ciphertext)).scalar_one())
        blob[-3] ^= 0x80
        conn.execute(update(M).values(ciphertext=bytes(blob)))
    with pytest.raises(IntegrityError):
        tokens.load("conv-1")


def test_token_map_moved_to_another_conversation_fails(
    store_env, vault: Vault, ctx: AccessContext
) -> None:
    tokens = VaultTokenStore(vault)
    tokens.save("conv-1", {"[PERSON_1]": "Marieke van Oosterhout"})
    tokens.save("conv-2", {"[PERSON_1]": "Someone Else"})
    with store_env.data_db().begin() as conn:
        blob = conn.execute(
            select(M.c.ciphertext).where(M.c.conversation_id == "conv-1")
        ).scalar_one()
        conn.execute(update(M).where(M.c.conversation_id == "conv-2").values(ciphertext=blob))
    with pytest.raises(IntegrityError):
        tokens.load("conv-2")
