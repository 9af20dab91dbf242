"""Speed-ups that must not change a single finding.

The names tokeniser and scanner loops, the phone candidate pre-check and the e-mail "@"
pre-check are each compared with the straightforward code they replaced (kept here as the
reference) on the generated eval corpus, the hand-written set and awkward strings.
Failures name the text's index, never the text.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from discreet.detect.base import DetectionInput, Finding, PatternRecognizer
from discreet.detect.entities import EntityType
from discreet.detect.recognizers import names as N
from discreet.detect.recognizers import phone as P
from discreet.detect.recognizers.email import EmailRecognizer
from discreet.evaluation.bench import HANDWRITTEN_PATH
from discreet.evaluation.corpus import generate_corpus, read_jsonl


@pytest.fixture(scope="module")
def items() -> list[DetectionInput]:
    texts = generate_corpus(2000, seed=0) + read_jsonl(HANDWRITTEN_PATH)
    return [DetectionInput(t.text, t.language) for t in texts]


# --- references: the code as it was before the speed-ups -------------------------------------


def reference_tokens(text: str) -> list[N._Tok]:
    toks = []
    size = len(text)
    for m in N._WORD.finditer(text):
        start, end = m.span()
        if (start and text[start - 1] in N._GLUE) or (end < size and text[end] in N._GLUE):
            continue
        word = m.group()
        key = word.casefold()
        capitalised = word[0].isupper() and (len(word) == 1 or not word.isupper())
        flags = N._known(key)
        toks.append(N._Tok(start, end, word, key, capitalised, bool(flags & 1), bool(flags & 2)))
    return toks


class ReferenceScanner(N._Scanner):
    def __init__(self, item: DetectionInput) -> None:
        self.text = item.text
        self.language = item.language
        self.toks = reference_tokens(item.text)

    def from_cues(self) -> Iterator[Finding]:
        starts = {t.start: i for i, t in enumerate(self.toks)}
        text = self.text
        for tok in self.toks:
            for cue in N._CUES_BY_WORD.get(tok.key, ()):
                if cue.line_start and text[: tok.start].rstrip(" \t")[-1:] not in ("", "\n"):
                    continue
                match = cue.regex.match(text, tok.start)
                if match is None:
                    continue
                i = starts.get(match.end())
                if i is not None:
                    finding = self._after_cue(cue, i)
                    if finding is not None:
                        yield finding

    def from_gazetteer(self) -> Iterator[Finding]:
        toks = self.toks
        unknown_ok = self.language != "de"
        i = 0
        while i < len(toks):
            tok = toks[i]
            if not tok.first or tok.key in N._NOT_NAMES:
                i += 1
                continue
            if not tok.capitalised:
                end = self.chain(i, unknown_ok=False, lowercase=True)
                if (
                    end > i + 1
                    and tok.key not in N._AMBIGUOUS_FIRST
                    and toks[end - 1].last
                    and not self._not_a_person(i, end)
                ):
                    yield self._finding(i, end, 0.6)
                i = max(end, i + 1)
                continue
            end = self.chain(i, unknown_ok=unknown_ok)
            last = toks[end - 1]
            ambiguous = tok.key in N._AMBIGUOUS_FIRST
            if self._not_a_person(i, end) or (
                ambiguous and i > 0 and toks[i - 1].key in N._ARTICLES
            ):
                pass
            elif end > i + 1 and last.known:
                yield self._finding(i, end, 0.8)
            elif end > i + 1 and not ambiguous:
                yield self._finding(i, end, 0.65)
            elif end == i + 1 and self._vocative(i):
                yield self._finding(i, end, 0.7)
            elif end == i + 1 and not ambiguous and self._lone_name_context(i):
                yield self._finding(i, end, 0.5)
            i = end


def reference_names(item: DetectionInput) -> list[Finding]:
    scanner = ReferenceScanner(item)
    best: dict[tuple[int, int], Finding] = {}
    for finding in (*scanner.from_cues(), *scanner.from_gazetteer()):
        key = (finding.start, finding.end)
        if key not in best or best[key].score < finding.score:
            best[key] = finding
    return sorted(best.values(), key=lambda f: f.start)


class ReferencePhone(P.PhoneRecognizer):
    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        text = item.text
        for match in P._CANDIDATE.finditer(text):
            budget = [P._PARSE_BUDGET]
            for start, end, score in self._split_and_score(text, match, item.language, budget):
                score = self.boosted(item, start, end, score)
                yield Finding(start, end, EntityType.PHONE_NUMBER, score, self.name)


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


def test_tokens_match_the_reference_on_the_corpora(items: list[DetectionInput]) -> None:
    for i, item in enumerate(items):
        assert N._tokens(item.text) == reference_tokens(item.text), f"text #{i}"


def test_tokens_match_the_reference_on_awkward_strings() -> None:
    for i, text in enumerate(_random_texts(3000)):
        assert N._tokens(text) == reference_tokens(text), f"string #{i}"


def test_tokens_are_real_tokens() -> None:
    (tok,) = N._tokens("Anne-Marie")
    assert isinstance(tok, N._Tok)
    assert (tok.start, tok.end, tok.key, tok.capitalised, tok.first) == (
        0, 10, "anne-marie", True, True,
    )  # fmt: skip
    assert tok.known
    # Glued to a digit or underscore: part of a code, not a word.
    assert [t.text for t in N._tokens("sk_live_x9Q ok2 fine")] == ["fine"]
    assert N._tokens("") == [] and N._tokens("123 456") == []


@pytest.mark.parametrize("language", ["gold", "de"])
def test_names_findings_match_the_reference(items: list[DetectionInput], language: str) -> None:
    recognizer = N.NameRecognizer()
    for i, item in enumerate(items):
        if language != "gold":
            item = DetectionInput(item.text, language)
        got = list(recognizer.analyze(item))
        assert got == reference_names(item), f"text #{i} ({item.language})"


def test_names_findings_match_the_reference_on_awkward_strings() -> None:
    recognizer = N.NameRecognizer()
    for i, text in enumerate(_random_texts(1500, seed=11)):
        for language in ("en", "de"):
            item = DetectionInput(text, language)
            assert list(recognizer.analyze(item)) == reference_names(item), f"string #{i}"


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


def test_email_findings_match_the_plain_pattern_recognizer(items: list[DetectionInput]) -> None:
    fast = EmailRecognizer()
    for i, item in enumerate(items):
        plain = list(PatternRecognizer.analyze(fast, item))
        assert list(fast.analyze(item)) == plain, f"text #{i}"
    text = "mail jan@example.nl"
    assert [f.value(text) for f in fast.analyze(DetectionInput(text, "en"))] == ["jan@example.nl"]
    assert list(fast.analyze(DetectionInput("no address here", "en"))) == []
