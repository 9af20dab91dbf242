"""The gateway's batched reads: `read_for_turn` (bind, fields, token map: one
transaction, one audit record naming everything decrypted) and `load_token_maps`
(earlier conversations' maps, only the subject's own)."""

from __future__ import annotations

import pytest

from discreet.audit import AccessContext, ActorKind, LegalBasis
from discreet.vault import ConversationSubjectConflict, SubjectNotFound, Vault, VaultTokenStore

MARIEKE, BART = "CUST-48213", "CUST-77120"
ASSISTANT = AccessContext(
    "support", "customer_support", LegalBasis.CONTRACT, actor_kind=ActorKind.ASSISTANT
)


def test_one_read_binds_decrypts_and_loads_the_map_with_one_audit_record(
    filled_vault: Vault,
) -> None:
    VaultTokenStore(filled_vault).save("conv-1", {"[PERSON_1]": "Marieke van Oosterhout"})
    before = len(list(filled_vault.audit_log.entries()))

    read = filled_vault.read_for_turn(
        "conv-1",
        MARIEKE,
        ctx=ASSISTANT,
        fields={"name", "email"},
        detection_fields={"name", "iban", "passport"},
    )

    assert read.fields == {
        "name": "Marieke van Oosterhout",
        "email": "marieke.oosterhout@voorbeeld.nl",
    }
    assert read.detection_fields == {"iban": "NL02ABNA0123456789"}  # no passport on file
    assert read.token_map == {"[PERSON_1]": "Marieke van Oosterhout"}  # moved on binding
    [entry] = list(filled_vault.audit_log.entries())[before:]
    assert entry.action == "subject.read" and entry.purpose == "customer_support"
    assert entry.subject == read.subject_id
    assert set(entry.fields) == {"name", "email", "iban"}
    assert entry.details["detection_only_fields"] == "iban" and entry.details["bound"] is True
    assert "Marieke" not in repr(read) and "NL02" not in repr(read)
    assert filled_vault.conversation_subject("conv-1", ctx=ASSISTANT) == read.subject_id

    again = filled_vault.read_for_turn("conv-1", MARIEKE, ctx=ASSISTANT, fields={"name"})
    assert again.subject_id == read.subject_id
    assert list(filled_vault.audit_log.entries())[-1].details["bound"] is False


def test_another_subject_or_an_unknown_one_reads_nothing(filled_vault: Vault) -> None:
    filled_vault.read_for_turn("conv-1", MARIEKE, ctx=ASSISTANT, fields={"name"})
    with pytest.raises(ConversationSubjectConflict):
        filled_vault.read_for_turn("conv-1", BART, ctx=ASSISTANT, fields={"name"})
    entry = list(filled_vault.audit_log.entries())[-1]
    assert entry.outcome == "conflict" and entry.fields == ()
    with pytest.raises(SubjectNotFound):
        filled_vault.read_for_turn("conv-2", "CUST-nobody", ctx=ASSISTANT, fields={"name"})
    assert filled_vault.conversation_subject("conv-2", ctx=ASSISTANT) is None


def test_earlier_maps_are_read_only_for_the_subjects_own_conversations(
    filled_vault: Vault,
) -> None:
    tokens = VaultTokenStore(filled_vault)
    marieke = filled_vault.read_for_turn("conv-m", MARIEKE, ctx=ASSISTANT, fields=()).subject_id
    filled_vault.read_for_turn("conv-b", BART, ctx=ASSISTANT, fields=())
    filled_vault.read_for_turn("conv-empty", MARIEKE, ctx=ASSISTANT, fields=())
    tokens.save("conv-m", {"[PERSON_1]": "Marieke van Oosterhout"})
    tokens.save("conv-b", {"[PERSON_1]": "Bartholomew Quenneville"})

    maps = filled_vault.load_token_maps(
        ["conv-m", "conv-b", "conv-empty", "conv-unknown"], subject_id=marieke, ctx=ASSISTANT
    )

    assert maps == {"conv-m": {"[PERSON_1]": "Marieke van Oosterhout"}}
    entry = list(filled_vault.audit_log.entries())[-1]
    assert entry.action == "token_map.read" and entry.subject == marieke
    assert entry.details == {"conversations": 1, "tokens": 1}
    assert filled_vault.load_token_maps([], subject_id=marieke, ctx=ASSISTANT) == {}
