"""The token-map store contract and the token format."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from discreet.detect import EntityType
from discreet.transform import DEFAULT_TOKEN_FORMAT, MemoryTokenStore, TokenFormat, TokenMapStore


def test_memory_store_implements_the_protocol() -> None:
    assert isinstance(MemoryTokenStore(), TokenMapStore)


def test_unknown_conversation_loads_empty(store: MemoryTokenStore) -> None:
    assert store.load("never-seen") == {}


def test_save_replaces_the_whole_map(store: MemoryTokenStore) -> None:
    store.save("c1", {"[PERSON_1]": "Jan", "[PERSON_2]": "Piet"})
    store.save("c1", {"[PERSON_1]": "Jan"})
    assert store.load("c1") == {"[PERSON_1]": "Jan"}


def test_loaded_map_is_a_copy(store: MemoryTokenStore) -> None:
    store.save("c1", {"[PERSON_1]": "Jan"})
    loaded = store.load("c1")
    loaded["[PERSON_2]"] = "Piet"
    assert store.load("c1") == {"[PERSON_1]": "Jan"}


def test_maps_are_per_conversation(store: MemoryTokenStore) -> None:
    store.save("a", {"[PERSON_1]": "Jan"})
    store.save("b", {"[PERSON_1]": "Piet"})
    assert store.load("a") == {"[PERSON_1]": "Jan"}
    store.delete("a")
    assert store.load("a") == {}
    assert store.conversations() == ["b"]


def test_store_repr_shows_no_values(store: MemoryTokenStore) -> None:
    store.save("a", {"[PERSON_1]": "Jan de Vries"})
    assert "Vries" not in repr(store)


def test_default_format_makes_and_parses_tokens() -> None:
    fmt = DEFAULT_TOKEN_FORMAT
    assert fmt.make(EntityType.PERSON, 1) == "[PERSON_1]"
    assert fmt.parse("[DATE_OF_BIRTH_12]") == (EntityType.DATE_OF_BIRTH, 12)
    assert fmt.parse("[PERSON_0]") is None  # numbering starts at 1
    assert fmt.parse("[NOT_A_TYPE_1]") is None
    assert fmt.parse("[person_1]") is None


def test_custom_format_round_trips() -> None:
    fmt = TokenFormat(prefix="<<", separator="-", suffix=">>")
    token = fmt.make(EntityType.EMAIL_ADDRESS, 3)
    assert token == "<<EMAIL_ADDRESS-3>>"
    assert fmt.parse(token) == (EntityType.EMAIL_ADDRESS, 3)


@pytest.mark.parametrize(
    "fields",
    [{"prefix": "P"}, {"suffix": "1"}, {"prefix": "_"}, {"prefix": "]", "suffix": "]"}],
)
def test_ambiguous_formats_are_rejected(fields: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        TokenFormat.model_validate(fields)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[", True),
        ("[PER", True),
        ("[PERSON", True),
        ("[PERSON_", True),
        ("[PERSON_1", True),
        ("[PERSON_12", True),
        ("[PERSON_1]", False),  # complete: nothing more needed
        ("[PERSON_0", False),
        ("[PERSONA", False),
        ("[DATE_", True),  # DATE_1 and DATE_OF_BIRTH_1 both still possible
        ("[DATE_OF", True),
        ("[x", False),
        ("[PERSON_1234567890", False),  # longer than any token number
        ("hello", False),
    ],
)
def test_could_become_token(text: str, expected: bool) -> None:
    assert DEFAULT_TOKEN_FORMAT.could_become_token(text) is expected


def test_neutralise_keeps_offsets_and_breaks_tokens() -> None:
    text = "I am [PERSON_1], see [EMAIL_ADDRESS_2] and [sic] [FOO_1]"
    safe = DEFAULT_TOKEN_FORMAT.neutralise(text)
    assert len(safe) == len(text)
    assert DEFAULT_TOKEN_FORMAT.regex.search(safe) is None
    assert "[sic]" in safe
    assert "[FOO_1]" in safe  # not a token shape, left alone


def test_max_length_covers_the_longest_token() -> None:
    fmt = DEFAULT_TOKEN_FORMAT
    longest = max(len(fmt.make(t, 10**9 - 1)) for t in EntityType)
    assert fmt.max_length == longest
    assert fmt.max_length <= 40
