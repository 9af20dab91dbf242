"""Every TokenMapStore keeps the same contract: the in-memory one and the vault's
(on SQLite, and on PostgreSQL when DISCREET_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

from discreet.detect import Detector
from discreet.transform import MemoryTokenStore, OperatorConfig, Pseudonymizer, rehydrate
from discreet.transform.tokens import TokenMapStore
from discreet.vault import Vault, VaultTokenStore


def check_contract(store: TokenMapStore) -> None:
    assert isinstance(store, TokenMapStore)
    assert store.load("c-new") == {}
    store.save("c1", {"[PERSON_1]": "Jan de Vries", "[EMAIL_ADDRESS_1]": "jan@example.nl"})
    loaded = store.load("c1")
    assert loaded == {"[PERSON_1]": "Jan de Vries", "[EMAIL_ADDRESS_1]": "jan@example.nl"}
    loaded["[PERSON_2]"] = "Piet"  # the caller's copy
    assert "[PERSON_2]" not in store.load("c1")
    store.save("c1", {"[PERSON_1]": "Jan de Vries"})  # full replace
    assert store.load("c1") == {"[PERSON_1]": "Jan de Vries"}
    assert store.load("c2") == {}
    assert "Vries" not in repr(store)


def check_round_trip(store: TokenMapStore, detector: Detector) -> None:
    pseudo = Pseudonymizer(detector, OperatorConfig(), store)
    first = pseudo.pseudonymize_messages(["Jan de Vries", "jan@example.nl"], "conv-x")
    later = pseudo.pseudonymize("JAN DE VRIES en Piet Bakker", "conv-x")
    assert [o.text for o in first] == ["[PERSON_1]", "[EMAIL_ADDRESS_1]"]
    assert later.text == "[PERSON_1] en [PERSON_2]"
    assert rehydrate(later.text, "conv-x", store).text == "Jan de Vries en Piet Bakker"
    other = rehydrate(later.text, "conv-y", store)
    assert other.unknown_tokens == ("[PERSON_1]", "[PERSON_2]")


def test_memory_store_contract(detector: Detector) -> None:
    check_contract(MemoryTokenStore())
    check_round_trip(MemoryTokenStore(), detector)


def test_vault_store_contract(vault: Vault, detector: Detector) -> None:
    check_contract(VaultTokenStore(vault))
    check_round_trip(VaultTokenStore(vault), detector)
