"""`keys rotate` while a server runs: a server still holding the retired master key
cannot wrap new keys with it (vault/keystore.py), so the store stays openable by the new
key alone."""

from __future__ import annotations

import pytest

from discreet.audit import AccessContext
from discreet.vault import MasterKey, WrongMasterKey
from discreet.vault.keystore import KeyKind, KeyStore


def test_a_server_with_the_retired_master_cannot_wrap_after_a_rotation(
    store_env, ctx: AccessContext, sample_subjects
) -> None:
    running = store_env.open_vault()  # the server, started with the old key
    for ref, fields in sample_subjects.items():
        running.put_subject(ref, fields, ctx=ctx)
    new = MasterKey.generate()
    operator = KeyStore(store_env.keys_db(), store_env.master_key)
    assert operator.rotate(new) > 0

    with pytest.raises(WrongMasterKey):
        running.put_subject("CUST-NEW-1", {"email": "new.customer@example.org"}, ctx=ctx)
    with pytest.raises(WrongMasterKey):
        KeyStore(store_env.keys_db(), store_env.master_key).create(
            "default", KeyKind.SUBJECT, ["s1"]
        )

    rotated = KeyStore(store_env.keys_db(), new)
    rotated.check_master_key()  # every key still opens with the new master alone
    assert set(rotated.counts_by_master_key()) == {new.key_id}
    reopened = store_env.open_vault(master_key=new)
    assert reopened.get_subject(next(iter(sample_subjects)), ctx=ctx).fields
