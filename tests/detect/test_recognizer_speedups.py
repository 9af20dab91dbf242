"""Speed-ups that must not change a single finding.

The phone candidate pre-check, its length pre-check per region, and the detector's
triggers (`Recognizer.trigger`: a digit, an "@") are compared with the plain scans they
skip, on the generated eval corpus, the hand-written set and edge cases. The names
recognizer's faster tokeniser and loops were checked the same way against the code they
replaced when they landed (identical findings on 5,161 texts, 2026-11-22); its quality is
guarded by tests/evaluation/test_quality_floor.py. The word split they share with the places
recognizer (`DetectionInput.words`, 2026-12-05) is compared with the pattern's own scan.
Failures name the text's index, never the text.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pytest

from discreet.detect.base import WORD, DetectionInput, Finding
from discreet.detect.entities import EntityType
from discreet.detect.recognizers import names as N
from discreet.detect.recognizers import phone as P
from discreet.detect.recognizers.email import EmailRecognizer
from discreet.detect.registry import RecognizerRegistry
from discreet.evaluation.bench import HANDWRITTEN_PATH
from discreet.evaluation.corpus import generate_corpus, read_jsonl


@pytest.fixture(scope="module")
def items() -> list[DetectionInput]:
    texts = generate_corpus(2000, seed=0) + read_jsonl(HANDWRITTEN_PATH)
    return [DetectionInput(t.text, t.language) for t in texts]


# --- references: the code as it was before the speed-ups -------------------------------------


class ReferencePhone(P.PhoneRecognizer):
    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        text = item.text
        for match in P._CANDIDATE.finditer(text):
            yield from self.findings(item, match)


# --- awkward strings ---------------------------------------------------------------------------

_ALPHABET = "aZéÉßİ'’-_0 9.\n,Jan OBrien Anne-Marie sk_live_ x2 ü ΣΑΣ ĳ ﬁ  ²"


def _random_texts(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    pieces = [
        "Jan", "de", "Vries", "O'Brien", "Anne-Marie", "JAN", "mr", "Mrs.", "Dear", "my name",
        "is", "_x", "9a", "a9", "'", "’", "-", " ", "  ", "\n", ",", ".", "sk_live_ab", "ß",
        "İstanbul", "ﬁle", "Grondin-Coste", "Marie-Dupont", "van", "der", "Berg", "Kind regards",
    ]  # fmt: skip
    out = []
    for _ in range(n):
        out.append("".join(rng.choice(pieces + list(_ALPHABET)) for _ in range(rng.randint(0, 40))))
    return out


# --- names ------------------------------------------------------------------------------------


def test_names_on_awkward_strings_are_well_formed_person_spans() -> None:
    recognizer = N.NameRecognizer()
    for i, text in enumerate(_random_texts(3000, seed=11)):
        for language in ("en", "de"):
            for found in recognizer.analyze(DetectionInput(text, language)):
                assert found.type is EntityType.PERSON, f"string #{i}"
                assert 0 <= found.start < found.end <= len(text), f"string #{i}"
                assert text[found.start].isalpha() and text[found.end - 1] != " ", f"string #{i}"


def _toks(text: str) -> list[N._Tok]:
    return N._tokens(DetectionInput(text, "en"))


def test_tokens_are_real_tokens() -> None:
    (tok,) = _toks("Anne-Marie")
    assert isinstance(tok, N._Tok)
    assert (tok.start, tok.end, tok.key, tok.capitalised, tok.first) == (
        0, 10, "anne-marie", True, True,
    )  # fmt: skip
    assert tok.known
    # Glued to a digit or underscore: part of a code, not a word.
    assert [t.text for t in _toks("sk_live_x9Q ok2 fine")] == ["fine"]
    assert _toks("") == [] and _toks("123 456") == []


def test_the_shared_word_split_is_the_word_pattern_scan() -> None:
    # DetectionInput.words (one split shared by the names and places recognizers) must be
    # exactly what scanning with the pattern finds, offsets included.
    texts = [*_random_texts(3000, seed=5), "", "Jan", " O'Brien-Smith, 12 rue d’Été ", "x_y z9"]
    for i, text in enumerate(texts):
        expected = tuple((m.start(), m.end(), m.group()) for m in WORD.finditer(text))
        assert DetectionInput(text, "en").words == expected, f"string #{i}"


# --- phone ------------------------------------------------------------------------------------


PHONE_EDGE_CASES = [
    "call +(44) 20 7946 0958 today",
    "bel 00(31) 20 123 4567",
    "x+31 6 12345678",
    "tel:+31612345678",
    "0612345678 0687654321",
    "order 1234567 and 0612345678",
    "1.234.567,89 euro, bel (020) 123-4567",
    "(212) 555-0123",
    "12 34 56",
    "+1 212 555 0123, 00 44 20 7946 0958",
    "nummer:0031612345678",
    "",
]


def test_phone_findings_match_the_reference(items: list[DetectionInput]) -> None:
    fast, reference = P.PhoneRecognizer(), ReferencePhone()
    extra = [DetectionInput(t, lang) for t in PHONE_EDGE_CASES for lang in ("en", "nl")]
    for i, item in enumerate([*items, *extra]):
        assert list(fast.analyze(item)) == list(reference.analyze(item)), f"text #{i}"
    # Candidates that start before their first digit ("+(", "00(") are still found whole.
    for text, number in ((PHONE_EDGE_CASES[0], "+(44) 20 7946 0958"),
                         (PHONE_EDGE_CASES[1], "00(31) 20 123 4567")):  # fmt: skip
        assert [f.value(text) for f in fast.analyze(DetectionInput(text, "en"))] == [number]


def test_phone_precheck_skips_texts_without_seven_digits() -> None:
    assert P._SEVEN_DIGITS.search("order 123456, room 7") is None
    assert P._SEVEN_DIGITS.search("bel 06-1234 5678") is not None
    found = list(P.PhoneRecognizer().analyze(DetectionInput("bel 06-12345678 graag", "nl")))
    assert [f.value("bel 06-12345678 graag") for f in found] == ["06-12345678"]


# --- e-mail -----------------------------------------------------------------------------------


def test_email_trigger_is_the_at_sign() -> None:
    text = "mail jan@example.nl"
    assert [f.value(text) for f in EmailRecognizer().analyze(DetectionInput(text, "en"))] == [
        "jan@example.nl"
    ]
    assert EmailRecognizer.trigger is not None
    assert EmailRecognizer.trigger.search("no address here") is None


# --- triggers -----------------------------------------------------------------------------------


def _without(pattern: re.Pattern[str], item: DetectionInput) -> DetectionInput:
    return DetectionInput(pattern.sub("", item.text), item.language)


def test_a_recognizer_finds_nothing_where_its_trigger_is_absent(
    items: list[DetectionInput],
) -> None:
    # The detector skips a recognizer whose trigger is not in the text; that must never
    # lose a finding. Each recognizer runs here on every text with its trigger removed
    # (digits stripped from phone numbers, IBANs, dates, addresses; "@" from e-mails).
    triggered = [r for r in RecognizerRegistry.default() if r.trigger is not None]
    assert {"phone", "iban", "credit_card", "date", "street_address", "email"} <= {
        r.name for r in triggered
    }
    for recognizer in triggered:
        assert recognizer.trigger is not None
        for i, item in enumerate(items):
            stripped = _without(recognizer.trigger, item)
            if recognizer.supports(item.language):
                found = list(recognizer.analyze(stripped))
                assert found == [], f"{recognizer.name} on text #{i} without its trigger"


def test_the_detector_with_triggers_finds_what_it_finds_without(
    items: list[DetectionInput], monkeypatch: pytest.MonkeyPatch
) -> None:
    from discreet.detect import Detector, NerConfig
    from discreet.detect.config import DetectorConfig

    detector = Detector(DetectorConfig(ner=NerConfig(backend="none")))
    texts = [item.text for item in items]
    languages = [item.language for item in items]
    with_triggers = detector.detect_batch(texts, languages)
    for recognizer in detector.registry:
        monkeypatch.setattr(recognizer, "trigger", None)
    assert detector.detect_batch(texts, languages) == with_triggers


# --- phone: length pre-check and parse cache ----------------------------------------------------


def _phone_candidates(items: list[DetectionInput], seed: int = 11) -> set[str]:
    """Every candidate of the corpus, and digit runs written with separators, some led by a
    country code or an international prefix of a region the pre-check covers."""
    found = {m.group() for item in items for m in P._CANDIDATE.finditer(item.text)}
    rng = random.Random(seed)
    for _ in range(5000):
        lead = rng.choice(["", "", "34", "39", "30", "352", "354", "1001", "00", "47"])
        number = lead + "".join(rng.choice("0123456789") for _ in range(rng.randint(5, 14)))
        found.add("".join(c + rng.choice(["", "", " ", "-", ".", "/"]) for c in number).strip())
    return found


def test_phone_length_precheck_rejects_no_valid_number(items: list[DetectionInput]) -> None:
    rejected = 0
    for candidate in sorted(_phone_candidates(items)):
        for region in P._LENGTH_RULES:
            if P._wrong_length(candidate, region):
                rejected += 1
                assert P._valid_number(candidate, region) is None, (region, len(candidate))
    assert rejected > 10_000  # the check does skip most parses
    # A country code written without "+" is the national number's length plus its own.
    assert not P._wrong_length("34 612 345 678", "ES")
    assert P._valid_number("34 612 345 678", "ES") is not None
    # Regions that strip a national prefix are always parsed.
    assert "NL" not in P._LENGTH_RULES and "LU" not in P._LENGTH_RULES


# --- patterns that start with a character class instead of a look-behind ------------------------

# The patterns as they were: look-behind first, which makes the regex engine try every
# position of the text.
_LOOKBEHIND_FIRST = {
    "uk": r"(?<![\w-])(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?|GIR) ?\d[ABD-HJLNP-UW-Z]{2}(?![\w-])",
    "ca": r"(?<![\w-])[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d(?![\w-])",
    "ie": r"(?<![\w-])(?:[AC-FHKNPRTV-Y]\d{2}|D6W) ?[0-9AC-FHKNPRTV-Y]{4}(?![\w-])",
}


def test_class_first_patterns_match_what_lookbehind_first_ones_did(
    items: list[DetectionInput],
) -> None:
    from discreet.detect.recognizers import postal_code as PC
    from discreet.detect.recognizers import street_address as SA

    house = rf"(?<![\w.,-]){SA._HOUSE}"  # the street patterns' house number, as it was
    pairs = {
        "uk": (PC._UK, _LOOKBEHIND_FIRST["uk"]),
        "ca": (PC._CA, _LOOKBEHIND_FIRST["ca"]),
        "ie": (PC._EIRCODE, _LOOKBEHIND_FIRST["ie"]),
        "street before": (SA._BEFORE, SA._BEFORE.pattern.replace(SA._HOUSE_FIRST, house)),
        "lower": (SA._BEFORE_LOWER, SA._BEFORE_LOWER.pattern.replace(SA._HOUSE_FIRST, house)),
    }
    edge = [
        "SW1A 1AA", "GIR 0AA", "xGIR 0AA", "-GIR 0AA", "G1R 0AA", "Gir 0AA", "ZGIR 0AA",
        "K1A 0B1", "aK1A 0B1", "K1A0B1", "D6W 1234", "D6W1234", "D02 X285", "xD02 X285",
        "-A65 F4E2", "D6W X285 and D12 AB34", "14 Rose Lane", "a14 Rose Lane", "-14 Rose Lane",
        ".5 Main Street", "123456 Main Street", "1,2 Baker Street", "3257 hillcrest road, leeds",
        "12 bis, rue de la Paix", "٣ Main Street",
    ]  # fmt: skip
    texts = [item.text for item in items] + edge
    for name, (fast, reference) in pairs.items():
        slow = re.compile(reference)
        assert slow.pattern != fast.pattern, name
        for i, text in enumerate(texts):
            expected = [m.span() for m in slow.finditer(text)]
            assert [m.span() for m in fast.finditer(text)] == expected, f"{name}: text #{i}"
