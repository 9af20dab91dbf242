"""The primitives: AES-GCM with associated data, key wrapping, master-key parsing."""

from __future__ import annotations

import base64

import pytest

from discreet.vault.crypto import DataKey, MasterKey, associated_data
from discreet.vault.errors import IntegrityError, InvalidMasterKey


def test_encrypt_uses_fresh_nonces_and_roundtrips() -> None:
    key = DataKey.generate()
    ad = associated_data("t", "s", "f")
    one, two = key.encrypt(b"secret value", ad), key.encrypt(b"secret value", ad)
    assert one != two
    assert b"secret value" not in one
    assert key.decrypt(one, ad) == b"secret value"


def test_associated_data_is_unambiguous() -> None:
    assert associated_data("ab", "c") != associated_data("a", "bc")
    key = DataKey.generate()
    blob = key.encrypt(b"x", associated_data("ab", "c"))
    with pytest.raises(IntegrityError):
        key.decrypt(blob, associated_data("a", "bc"))


def test_wrong_key_and_malformed_blobs() -> None:
    ad = associated_data("x")
    blob = DataKey.generate().encrypt(b"x", ad)
    with pytest.raises(IntegrityError):
        DataKey.generate().decrypt(blob, ad)
    with pytest.raises(IntegrityError):
        DataKey.generate().decrypt(b"\x01short", ad)
    with pytest.raises(IntegrityError):
        DataKey.generate().decrypt(b"\x02" + blob[1:], ad)


def test_wrap_binds_owner() -> None:
    master = MasterKey.generate()
    key = DataKey.generate()
    wrapped = master.wrap(key, associated_data("owner-a"))
    assert master.unwrap(wrapped, associated_data("owner-a")).material == key.material
    with pytest.raises(IntegrityError):
        master.unwrap(wrapped, associated_data("owner-b"))
    with pytest.raises(IntegrityError):
        MasterKey.generate().unwrap(wrapped, associated_data("owner-a"))


def test_master_key_parsing_and_secrecy() -> None:
    master = MasterKey.generate()
    text = master.to_base64()
    assert MasterKey.from_base64(f"  {text}\n") == master
    assert MasterKey.from_base64(text).key_id == master.key_id
    urlsafe = base64.urlsafe_b64encode(base64.b64decode(text)).decode()
    assert MasterKey.from_base64(urlsafe) == master
    assert text not in repr(master) and master.key_id in repr(master)
    assert repr(DataKey.generate()) == "DataKey(<secret>)"
    with pytest.raises(InvalidMasterKey, match="32 bytes") as info:
        MasterKey.from_base64(base64.b64encode(b"short").decode())
    assert "c2hvcnQ" not in str(info.value)
    with pytest.raises(InvalidMasterKey, match="base64"):
        MasterKey.from_base64("not base64 at all!")
