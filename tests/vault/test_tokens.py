"""VaultTokenStore: the transform package's token-map store, backed by the vault."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from discreet.audit import AccessContext
from discreet.store.keystore_models import WrappedKey
from discreet.store.models import TokenMap, table_of
from discreet.transform.tokens import TokenMapStore
from discreet.vault import ConversationSubjectConflict, SubjectNotFound, Vault, VaultTokenStore

M = table_of(TokenMap)
K = table_of(WrappedKey)


def test_satisfies_the_transform_protocol(vault: Vault) -> None:
    store: TokenMapStore = VaultTokenStore(vault)
    assert isinstance(store, TokenMapStore)


def test_load_save_replace(vault: Vault) -> None:
    tokens = VaultTokenStore(vault)
    assert tokens.load("conv-1") == {}
    tokens.save("conv-1", {"[PERSON_1]": "Marieke van Oosterhout"})
    loaded = tokens.load("conv-1")
    loaded["[PERSON_2]"] = "mutating the copy"
    assert tokens.load("conv-1") == {"[PERSON_1]": "Marieke van Oosterhout"}
    tokens.save("conv-1", {"[EMAIL_1]": "b.quenneville@example.com"})
    assert tokens.load("conv-1") == {"[EMAIL_1]": "b.quenneville@example.com"}
    assert tokens.load("conv-2") == {}
    assert "Marieke" not in repr(tokens)


def test_unbound_map_moves_under_subject_key_on_bind(
    store_env, filled_vault: Vault, ctx: AccessContext
) -> None:
    tokens = VaultTokenStore(filled_vault)
    tokens.save("conv-1", {"[PERSON_1]": "Marieke van Oosterhout"})
    with store_env.data_db().begin() as conn:
        assert conn.execute(select(M.c.scope)).scalar_one() == "conversation"
    subject_id = filled_vault.bind_conversation("conv-1", "CUST-48213", ctx=ctx)
    assert filled_vault.conversation_subject("conv-1", ctx=ctx) == subject_id
    with store_env.data_db().begin() as conn:
        assert conn.execute(select(M.c.scope)).scalar_one() == "subject"
    with store_env.keys_db().begin() as conn:
        kinds = set(conn.execute(select(K.c.kind)).scalars())
    assert "conversation" not in kinds  # the conversation's own key is destroyed
    assert tokens.load("conv-1") == {"[PERSON_1]": "Marieke van Oosterhout"}
    tokens.save("conv-1", {"[PERSON_1]": "Marieke van Oosterhout", "[CITY_1]": "Zwolle"})
    assert len(tokens.load("conv-1")) == 2


def test_one_conversation_one_subject(filled_vault: Vault, ctx: AccessContext) -> None:
    first = filled_vault.bind_conversation("conv-1", "CUST-48213", ctx=ctx)
    assert filled_vault.bind_conversation("conv-1", "CUST-48213", ctx=ctx) == first
    with pytest.raises(ConversationSubjectConflict) as info:
        filled_vault.bind_conversation("conv-1", "CUST-77120", ctx=ctx)
    assert "CUST-77120" not in str(info.value)
    assert filled_vault.conversation_subject("conv-1", ctx=ctx) == first
    outcomes = [
        e.outcome for e in filled_vault.audit_log.entries() if e.action == "conversation.bind"
    ]
    assert outcomes == ["ok", "ok", "conflict"]
    with pytest.raises(SubjectNotFound):
        filled_vault.bind_conversation("conv-2", "CUST-00000", ctx=ctx)


def test_tenant_scoping(filled_vault: Vault) -> None:
    default = VaultTokenStore(filled_vault)
    acme = VaultTokenStore(filled_vault, tenant="acme")
    assert acme.tenant == "acme"
    default.save("conv-1", {"[PERSON_1]": "Default Tenant Person"})
    assert acme.load("conv-1") == {}
    acme.save("conv-1", {"[PERSON_1]": "Acme Person"})
    assert default.load("conv-1") == {"[PERSON_1]": "Default Tenant Person"}


def test_token_map_access_is_audited(vault: Vault) -> None:
    tokens = VaultTokenStore(vault)
    tokens.save("conv-1", {"[PERSON_1]": "Marieke van Oosterhout"})
    tokens.load("conv-1")
    records = [e for e in vault.audit_log.entries() if e.action.startswith("token_map.")]
    assert [r.action for r in records] == ["token_map.write", "token_map.read"]
    assert records[0].purpose == "pseudonymisation" and records[0].actor_kind == "system"
    assert records[1].details == {"tokens": 1}
