"""Language identification: the function-word fast path and the py3langid fallback.

The fast path may only settle texts it gets right; everything it leaves goes to py3langid
exactly as before. Failures name the text's index and languages, never the text.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from discreet.detect import language
from discreet.detect.language import detect_language, function_word_language
from discreet.evaluation.bench import HANDWRITTEN_PATH
from discreet.evaluation.corpus import LabelledText, generate_corpus, read_jsonl


@pytest.fixture(scope="module")
def generated() -> list[LabelledText]:
    return generate_corpus(2000, seed=0)


@pytest.fixture(scope="module")
def handwritten() -> list[LabelledText]:
    return read_jsonl(HANDWRITTEN_PATH)


def _py3langid(text: str) -> str:
    identifier = language._get_identifier()
    lang, _score = identifier.classify(text[:2000])  # type: ignore[attr-defined]
    return str(lang)


@pytest.mark.parametrize(("corpus", "min_decided"), [("generated", 0.8), ("handwritten", 0.45)])
def test_fast_path_agrees_with_the_gold_language(
    corpus: str, min_decided: float, request: pytest.FixtureRequest
) -> None:
    texts: list[LabelledText] = request.getfixturevalue(corpus)
    decided = 0
    for i, text in enumerate(texts):
        guess = function_word_language(text.text)
        if guess is not None:
            decided += 1
            assert guess == text.language, f"text #{i}: gold {text.language}, fast {guess}"
    # The fast path must carry most of the load, or it is only an extra cost.
    assert decided >= min_decided * len(texts), f"decided only {decided} of {len(texts)}"


def test_detect_language_matches_py3langid_on_the_generated_corpus(
    generated: list[LabelledText],
) -> None:
    # The fast path is a shortcut, not a second opinion: on these texts py3langid alone
    # answers the same, so detection downstream sees the languages it always saw.
    for i, text in enumerate(generated[:600]):
        expected = _py3langid(text.text)
        assert detect_language(text.text) == expected, f"text #{i}"


@pytest.mark.parametrize(
    "text",
    [
        "Order 12345 shipped",  # too few function words
        "Jan de Vries, Amsterdam",
        "Hallo Anna, danke!",
        "merci pour tout",
        "The package is here. Het pakket is hier. Das Paket ist da.",  # split evenly
    ],
)
def test_short_or_ambiguous_texts_go_to_py3langid(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert function_word_language(text) is None
    asked: list[str] = []

    class Identifier:
        def classify(self, text: str) -> tuple[str, float]:
            asked.append(text)
            return "fr", -1.0

    monkeypatch.setattr(language, "_get_identifier", lambda: Identifier())
    assert detect_language(text) == "fr"
    assert len(asked) == 1


def test_clear_texts_never_reach_py3langid(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail() -> object:
        raise AssertionError("py3langid was asked")

    monkeypatch.setattr(language, "_get_identifier", fail)
    cases = {
        "Hi, I have a question about my order. Could you please tell me when it ships?": "en",
        "Hallo, ik heb een vraag over mijn bestelling. Kunt u mij laten weten wanneer?": "nl",
        "Hallo, ich habe eine Frage zu meiner Bestellung. Können Sie mir bitte helfen?": "de",
        "Bonjour, je ne trouve pas ma commande. Pouvez-vous vérifier pour moi avec merci?": "fr",
    }
    for text, expected in cases.items():
        assert detect_language(text) == expected


def test_mixed_language_texts() -> None:
    # An English message quoting a short German phrase is English.
    quoted = (
        'Hi, the label on my parcel says "Bitte nicht knicken" and I was wondering what it '
        "means. Could you please tell me if that is a problem for the delivery?"
    )
    assert function_word_language(quoted) == "en"
    # Half Dutch, half French: no clear majority, so the statistical model decides.
    half = (
        "Ik heb een vraag over mijn factuur en ik wil graag weten wat het bedrag is. "
        "Je ne comprends pas le montant et je voudrais une explication pour la facture."
    )
    assert function_word_language(half) is None
    assert detect_language(half) in ("nl", "fr")


def test_too_short_texts_get_the_default() -> None:
    assert detect_language("ok", default="nl") == "nl"
    assert detect_language("12345 67890 !!!", default="de") == "de"
    # Letters are counted only in the first 400 characters, as always.
    assert detect_language(" " * 400 + "the and you your my is are", default="fr") == "fr"


def _strings() -> Iterator[str]:
    yield from ("", "a" * 11, "a" * 12, "²³¹" * 10 + "abc", "١٢٣ abc déf ghij klm", "ß" * 12)
    yield from ("x1" * 6, "x1" * 12, " " * 395 + "abcdefghijklm")


@pytest.mark.parametrize("text", list(_strings()))
def test_letter_count_shortcut_is_exact(text: str) -> None:
    expected = sum(ch.isalpha() for ch in text[:400]) >= language._MIN_LETTERS
    assert language._enough_letters(text) == expected


def test_shared_function_words_count_for_no_language() -> None:
    # "is" (en/nl) and "je" (nl/fr) would be evidence for two languages at once.
    assert "is" not in language._WORD_LANGUAGE
    assert "je" not in language._WORD_LANGUAGE
    assert language._WORD_LANGUAGE["the"] == "en"
    assert language._WORD_LANGUAGE["für"] == "de"
