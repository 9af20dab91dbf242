"""A known surname standing alone, where nothing else was found, is a person.

News and encyclopaedic text name people by their surname once they are introduced, and
often without ever introducing them ("Degryse put the ball over the bar", "die Liebe zu
Sutter", "volgens hem zoekt Moreels spijkers op laag water"). The model
misses many such lone surnames it has not seen often, and the names recognizer needs a cue
or a first name before it reads one. `lone_surnames` runs last on the merged findings: a
capitalised word the name lists know as a surname only (not as a first name, whose lone
use the names recognizer judges from its context), which is

* no frequent word in any of the four languages (`SURNAME_ZIPF`): "Kennedy" 4.3, "Brown"
  5.0 and "Kraft" (German 5.0) stay judged by the model, as does "Renault", frequent in
  Dutch and French, in an English message; "Sutter" 3.1 and "Zobel" do not,
* no place the gazetteer knows ("Davenport", "Blackburn"), and no shop or brand the shop's
  vocabulary holds ("bei Rossmann gekauft"),
* a word of one part ("Wal-Mart", "Greco-Roman" are something else) with no capitalised
  word right beside it ("FC Villarreal" is a club; a run of capitalised words is the
  names recognizer's and the model's to read), a possessive's "'s" left out,

and that no finding touches, becomes a person at `SCORE`, under the score at which a
finding is repeated elsewhere in the text (`recurrence.MIN_SCORE`): a guess from a list is
not spread.

Chosen on the held-out dev texts (see BENCHMARKS.md); what it costs is surnames that are
also nouns in German ("Löffler", a spoonbill; "Fürst").
"""

from __future__ import annotations

from discreet.detect.base import DetectionInput, Finding
from discreet.detect.entities import SUPPORTED_LANGUAGES, EntityType
from discreet.detect.ordinary import BRANDS_AND_PRODUCTS, zipf
from discreet.detect.places import known_place
from discreet.detect.recognizers.names import FIRST_NAMES, POSSESSIVE_ENDINGS, SURNAMES

RECOGNIZER = "lone-surnames"

SCORE = 0.45
"""A lone surname's score: above the detector's default threshold (0.4), below what is
repeated (0.5) and below every rule that read a cue."""

SURNAME_ZIPF = 3.5
"""A surname at least this frequent (Zipf, see detect.ordinary) in one of the four languages
is as often a word, a brand or a famous name ("Young", "Baker", "Faust", "Renault") and
stays judged by the model: customers mix languages, so the text's own is not enough."""

MIN_LETTERS = 3


def lone_surnames(item: DetectionInput, findings: list[Finding]) -> list[Finding]:
    """`findings` (merged: sorted, not overlapping) with the lone surnames nothing found
    added as persons (see the module docstring)."""
    text = item.text
    words = item.words
    added: list[Finding] = []
    taken = iter(findings)
    blocking = next(taken, None)
    for i, (start, end, word) in enumerate(words):
        while blocking is not None and blocking.end <= start:
            blocking = next(taken, None)
        if blocking is not None and blocking.start < end:
            continue  # found already, whatever it was found as
        size = _surname_alone(word)
        if not size:
            continue
        if (i and _capitalised_beside(text, words[i - 1], start, before=True)) or (
            i + 1 < len(words) and _capitalised_beside(text, words[i + 1], end, before=False)
        ):
            continue
        name = word[:size]
        key = name.casefold()
        frequent = max(zipf(name, lang) for lang in SUPPORTED_LANGUAGES) >= SURNAME_ZIPF
        if frequent or known_place(key) or key in BRANDS_AND_PRODUCTS:
            continue
        added.append(Finding(start, start + size, EntityType.PERSON, SCORE, RECOGNIZER))
    # Nothing added touches a finding: sorting is the merge.
    return sorted([*findings, *added], key=lambda f: f.start) if added else findings


def _surname_alone(word: str) -> int:
    """The length of the surname `word` is, without its possessive ending ("Sutter's"), or
    0: a capitalised word that the name lists know as a surname and not as a first name,
    of one part ("Wal-Mart", "Greco-Roman" are no one)."""
    if len(word) < MIN_LETTERS or not word[0].isupper() or word.isupper() or "-" in word:
        return 0
    size = len(word) - 2 if word.endswith(POSSESSIVE_ENDINGS) else len(word)
    key = word[:size].casefold()
    return size if key in SURNAMES and key not in FIRST_NAMES else 0


def _capitalised_beside(text: str, other: tuple[int, int, str], at: int, *, before: bool) -> bool:
    """Whether the word `other` starts with a capital and only blanks separate it from the
    word that ends (`before`) or starts at `at`."""
    start, end, word = other
    gap = text[end:at] if before else text[at:start]
    return word[0].isupper() and gap.strip(" \t") == "" and gap != ""
