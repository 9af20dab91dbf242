"""Rehydration, whole and streamed: same output, bounded buffer, foreign tokens removed."""

from __future__ import annotations

import itertools
import random

import pytest

from discreet.transform import (
    DEFAULT_TOKEN_FORMAT,
    MemoryTokenStore,
    Rehydrator,
    StreamingRehydrator,
    TokenFormat,
    rehydrate,
)

MAPPING = {
    "[PERSON_1]": "Jan de Vries",
    "[PERSON_12]": "Piet Bakker",
    "[EMAIL_ADDRESS_1]": "jan@example.nl",
    "[DATE_OF_BIRTH_1]": "12-03-1985",
    "[DATE_1]": "1 mei",
}
# Tokens back to back, at the edges, next to brackets, prefixes of other tokens, a foreign
# token ([IBAN_1]), a near-token ([PERSON_]) and a look-alike typed by a user.
SAMPLES = [
    "[PERSON_1]",
    "Hallo [PERSON_1], je mail [EMAIL_ADDRESS_1] klopt.",
    "[PERSON_1][PERSON_12][DATE_1][DATE_OF_BIRTH_1]",
    "[[PERSON_1]] [PERSON_ [PERSON_1 [PERSON_12] [DATE_OF [IBAN_1] end[",
    "array[0] and [x] and [PERSON_2] and ［PERSON_1] and [DATE_OF_BIRTH_1]",
    "no tokens at all, just [brackets] and text",
]


def stream_in_pieces(text: str, cuts: list[int]) -> tuple[str, StreamingRehydrator, int]:
    stream = StreamingRehydrator(MAPPING)
    out = []
    most = 0
    bounds = [0, *cuts, len(text)]
    for a, b in itertools.pairwise(bounds):
        out.append(stream.feed(text[a:b]))
        most = max(most, stream.buffered)
    out.append(stream.flush())
    return "".join(out), stream, most


def test_rehydrate_restores_known_tokens(store: MemoryTokenStore) -> None:
    store.save("c1", MAPPING)
    result = rehydrate("Dag [PERSON_1], geboren [DATE_OF_BIRTH_1].", "c1", store)
    assert result.text == "Dag Jan de Vries, geboren 12-03-1985."
    assert result.unknown_tokens == ()


def test_unknown_tokens_are_removed_and_reported_once(store: MemoryTokenStore) -> None:
    store.save("c1", MAPPING)
    result = rehydrate("Dag [PERSON_1] en [PERSON_2] en [IBAN_1] en [PERSON_2].", "c1", store)
    assert result.text == "Dag Jan de Vries en  en  en ."
    assert result.unknown_tokens == ("[PERSON_2]", "[IBAN_1]")
    assert "Jan" not in repr(result)


def test_restored_values_are_not_scanned_again() -> None:
    rehydrator = Rehydrator({"[PERSON_1]": "[PERSON_2]", "[PERSON_2]": "secret"})
    assert rehydrator.restore("[PERSON_1]") == "[PERSON_2]"


@pytest.mark.parametrize("text", SAMPLES)
def test_streaming_matches_whole_text_at_every_single_split(text: str) -> None:
    whole = Rehydrator(MAPPING).rehydrate(text)
    for cut in range(len(text) + 1):
        streamed, stream, _ = stream_in_pieces(text, [cut])
        assert streamed == whole.text, f"split at {cut}"
        assert stream.unknown_tokens == whole.unknown_tokens


@pytest.mark.parametrize("text", SAMPLES)
def test_streaming_matches_whole_text_char_by_char_and_random_chunks(text: str) -> None:
    whole = Rehydrator(MAPPING).restore(text)
    assert stream_in_pieces(text, list(range(1, len(text))))[0] == whole
    rng = random.Random(7)
    for _ in range(200):
        cuts = sorted(rng.sample(range(1, len(text)), k=min(len(text) - 1, rng.randint(1, 6))))
        assert stream_in_pieces(text, cuts)[0] == whole, cuts


def test_every_split_of_every_pair_of_cuts_in_a_token() -> None:
    text = "x[DATE_OF_BIRTH_1]y"
    for i in range(1, len(text)):
        for j in range(i + 1, len(text)):
            assert stream_in_pieces(text, [i, j])[0] == "x12-03-1985y", (i, j)


def test_text_that_cannot_be_a_token_is_emitted_at_once() -> None:
    stream = StreamingRehydrator(MAPPING)
    assert stream.feed("Hello there, ") == "Hello there, "
    assert stream.feed("look [x] ") == "look [x] "
    assert stream.feed("[PERS") == ""
    assert stream.buffered == 5
    assert stream.feed("ON_1") == ""  # could still become [PERSON_12]
    assert stream.feed("] ok") == "Jan de Vries ok"
    assert stream.feed("[PERSONA") == "[PERSONA"
    assert stream.flush() == ""


def test_buffer_is_bounded_by_the_longest_token() -> None:
    rng = random.Random(1)
    alphabet = "[]_0123456789PERSONDATEOFBIRTH x"
    text = "".join(rng.choice(alphabet) for _ in range(5000)) + "[" + "DATE_OF_BIRTH_" + "1" * 8
    _, _, most = stream_in_pieces(text, list(range(1, len(text))))
    assert most < DEFAULT_TOKEN_FORMAT.max_length <= 40
    # one big chunk: still only the possible-token tail is kept back
    stream = StreamingRehydrator(MAPPING)
    stream.feed(text)
    assert 0 < stream.buffered < DEFAULT_TOKEN_FORMAT.max_length


def test_flush_releases_an_unfinished_token_as_text() -> None:
    stream = StreamingRehydrator(MAPPING)
    assert stream.feed("tot straks [PERSON_1") == "tot straks "
    assert stream.flush() == "[PERSON_1"


def test_streaming_reports_and_drops_foreign_tokens(store: MemoryTokenStore) -> None:
    store.save("c1", {"[PERSON_1]": "Jan"})
    stream = StreamingRehydrator.for_conversation("c1", store)
    out = stream.feed("[PERSON_1] en [EMAIL_") + stream.feed("ADDRESS_3]!") + stream.flush()
    assert out == "Jan en !"
    assert stream.unknown_tokens == ("[EMAIL_ADDRESS_3]",)
    assert "Jan" not in repr(stream)


def test_custom_format_streams_too() -> None:
    fmt = TokenFormat(prefix="<<", separator="-", suffix=">>")
    mapping = {"<<PERSON-1>>": "Jan"}
    text = "a <<PERSON-1>> b << c <<PERSON-1> <<PERSON-2>> <<<PERSON-1>>"
    whole = Rehydrator(mapping, fmt).restore(text)
    assert whole == "a Jan b << c <<PERSON-1>  <Jan"
    for cut in range(len(text) + 1):
        stream = StreamingRehydrator(mapping, fmt)
        assert stream.feed(text[:cut]) + stream.feed(text[cut:]) + stream.flush() == whole


def test_stream_helper_yields_rehydrated_pieces() -> None:
    chunks = ["Dag [PER", "SON_1", "], tot ", "ziens [DATE_", "1]"]
    pieces = list(StreamingRehydrator(MAPPING).stream(chunks))
    assert "".join(pieces) == "Dag Jan de Vries, tot ziens 1 mei"
    assert pieces[0] == "Dag "  # emitted before the token was complete


def test_streaming_equals_whole_on_random_token_soup() -> None:
    """Random texts built from token pieces, split at every position."""
    rng = random.Random(2024)
    pieces = ["[", "]", "PERSON", "_", "1", "2", "DATE", "_OF_BIRTH", "EMAIL_ADDRESS", " ", "x"]
    pieces += list(MAPPING)
    for _ in range(150):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        whole = Rehydrator(MAPPING).rehydrate(text)
        for cut in range(len(text) + 1):
            streamed, stream, most = stream_in_pieces(text, [cut])
            assert streamed == whole.text, (text, cut)
            assert stream.unknown_tokens == whole.unknown_tokens
            assert most < DEFAULT_TOKEN_FORMAT.max_length
