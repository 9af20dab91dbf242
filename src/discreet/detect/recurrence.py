"""A name or place found once in a text is found wherever else the text writes it.

Recognizers and the model judge each mention on its own context, so the same person can be
found where the text introduces them ("minister Isabelle Durant") and missed three lines on
("Durant: 'Sluiting loketten ...'"), and a message that masks a name once and shows it
once has leaked it. `repeat_mentions` runs on the merged findings: every other place where
a found person's or place's exact value stands, a found full name's surname alone, and its
first name alone where the name lists know it as one ("Bruce Garcey" … "Bruce indicated"),
becomes a finding of the same type, score and recognizer, where no finding covers it yet.

A value found both as a person and as a place in one text is all the surest one's type
("Maradona" a person at 0.69, and a place at 0.49 three sentences on): one word names one
thing in a text; but a name a rule read from a cue stays ("my name is Florence … I live in
Florence").

A lone word found as a place that is the surname of a person the text names in full is that
person ("Eric Wynalda" … "Bisher war Wynalda": the model, leaning towards places in German,
took the surname alone for one), where the model is at least as sure of the full name and
the word names no country, region or large city ("George Washington" … "in Washington"); a
village of that name is no likelier than the person ("Andreas Brehme" … "Brehme:", and
Brehme is a village in Thuringia).

Only what cannot be an ordinary word is repeated: a single word must be capitalised and
not frequent in the text's language ("Durant", "Barak"; not "Will", "Mark", "Van"), so a
name that is also a word stays judged by its context. Where capitals mark names (English,
Dutch, French; not German, which capitalises every noun), a name the name lists know that
is as frequent as a word is repeated where it stands capitalised inside a sentence, where
the word would be written in lower case ("Griffin added. ... whether Griffin's
expectations"; "Bush also nominated" stays judged at the sentence's start). Other frequent
words capitalised inside a sentence are as often a title's ("Supreme Leader", "Associate
Team"), and stay judged where they stand.
"""

from __future__ import annotations

from collections.abc import Iterator

from discreet.detect.base import WORD, Finding
from discreet.detect.entities import EntityType
from discreet.detect.merge import MODEL_PREFIX, merge_findings
from discreet.detect.ordinary import LEGAL_FORMS, zipf_here
from discreet.detect.places import well_known_place
from discreet.detect.plausibility import sentence_initial
from discreet.detect.recognizers.names import FIRST_NAMES, PARTICLES, known_name

REPEATED_TYPES = frozenset({EntityType.PERSON, EntityType.LOCATION})

WORD_ZIPF = 3.8
"""A single word this frequent (Zipf, see detect.ordinary) in the text's language or in
English is not repeated: as often a word as the name ("Will", "Park", "Rose")."""

CAPITALS_MARK_NAMES = frozenset({"en", "nl", "fr"})
"""Languages that write only names capitalised inside a sentence (German capitalises nouns)."""

FREQUENT_NAME_ZIPF = 5.0
"""Up to this frequency a found single-word name the name lists know is repeated inside
sentences in CAPITALS_MARK_NAMES ("Griffin" 3.9, "Kennedy" 4.3, "Bush" 4.5); from it on
it is as often the word written at a title's capitals ("Brown" 5.0, "Will", "Mark")."""

MIN_LETTERS = 3

MIN_SCORE = 0.5
"""Only findings at least this likely are repeated: a guess repeated is a guess spread."""

LIST_GUESS_SCORE = 0.55
"""A rule's finding up to this score is a guess from its lists (a lone first name, a town
named like a word or a surname), which the surest finding of the same value may retype;
above it the rule read a cue ("my name is Florence … I live in Florence": the customer is
a person however sure the model is of the city)."""


def repeat_mentions(text: str, language: str, findings: list[Finding]) -> list[Finding]:
    """`findings` (merged: sorted, not overlapping) with the other mentions of their
    persons and places added (see the module docstring), merged again."""
    findings = _one_type_per_value(text, findings)
    sources = [f for f in findings if f.type in REPEATED_TYPES and f.score >= MIN_SCORE]
    if not sources:
        return findings
    findings = _surnames_agree(text, language, sources, findings)
    taken = [(f.start, f.end) for f in findings]
    added: list[Finding] = []
    done: set[tuple[str, EntityType]] = set()
    for source in sources:
        for form, anywhere in _forms(text, language, source):
            if (form, source.type) in done:
                continue
            done.add((form, source.type))
            for start in _occurrences(text, form):
                end = start + len(form)
                if any(s < end and start < e for s, e in taken):
                    continue
                if not anywhere and sentence_initial(text, start):
                    continue
                taken.append((start, end))
                added.append(Finding(start, end, source.type, source.score, source.recognizer))
    return merge_findings([*findings, *added]) if added else findings


def _one_type_per_value(text: str, findings: list[Finding]) -> list[Finding]:
    """`findings` with every person or place whose exact value the text also has found as
    the other type retyped as the surest of them ("Maradona" a person at 0.69 and a place
    at 0.49 three sentences on): one word names one thing in a text. Not a rule's finding
    that read a cue (see `LIST_GUESS_SCORE`)."""
    surest: dict[str, Finding] = {}
    for f in findings:
        if f.type in REPEATED_TYPES:
            value = text[f.start : f.end]
            if value not in surest or f.score > surest[value].score:
                surest[value] = f
    out = []
    for f in findings:
        if f.type in REPEATED_TYPES and (
            f.recognizer.startswith(MODEL_PREFIX) or f.score <= LIST_GUESS_SCORE
        ):
            etype = surest[text[f.start : f.end]].type
            if etype is not f.type:
                f = Finding(f.start, f.end, etype, f.score, f.recognizer)
        out.append(f)
    return out


def _surnames_agree(
    text: str, language: str, sources: list[Finding], findings: list[Finding]
) -> list[Finding]:
    """`findings` with a lone-word place that is a found full name's surname retyped as
    that person (see the module docstring)."""
    surnames: dict[str, float] = {}
    for source in sources:
        words = _full_name(text, source)
        found = None if words is None else _surname(words, language)
        if found is not None:
            surname = found[0]
            surnames[surname] = max(source.score, surnames.get(surname, 0.0))
    if not surnames:
        return findings
    out = []
    for f in findings:
        value = text[f.start : f.end]
        if (
            f.type is EntityType.LOCATION
            and surnames.get(value, 0.0) >= f.score  # the model is surer of the person
            and not well_known_place(value)
        ):
            f = Finding(f.start, f.end, EntityType.PERSON, f.score, f.recognizer)
        out.append(f)
    return out


def _occurrences(text: str, form: str) -> Iterator[int]:
    """Where `form` stands in `text` as whole words. (str.find, not a regex per form: on
    every text, compiling one cost more than the rest of this module.)"""
    start = text.find(form)
    while start != -1:
        end = start + len(form)
        if not (start and _word_char(text[start - 1])) and not (
            end < len(text) and _word_char(text[end])
        ):
            yield start
        start = text.find(form, start + 1)


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _forms(text: str, language: str, finding: Finding) -> Iterator[tuple[str, bool]]:
    """The strings to look for, each with whether it is repeated at a sentence's start
    too: the value, and a full name's surname and first name."""
    value = text[finding.start : finding.end]
    words = WORD.findall(value)
    if len(words) > 1:
        yield value, True
    elif words and (where := _name_like(words[0], language)) is not None:
        yield value, where
    if finding.type is EntityType.PERSON and len(words) > 1:
        for form in (_surname(words, language), _first_name(words, language)):
            if form is not None:
                yield form


def _full_name(text: str, finding: Finding) -> list[str] | None:
    """The words of a person's name of two words or more; None for anything else (the
    words `_surname` and `_first_name` read)."""
    if finding.type is not EntityType.PERSON:
        return None
    words: list[str] = WORD.findall(text[finding.start : finding.end])
    return words if len(words) > 1 else None


def _surname(words: list[str], language: str) -> tuple[str, bool] | None:
    """A full name's last word (of its `words`, two or more) where it can stand alone for
    the person ("Durant"; not "Vries" of "de Vries", nor a word `_name_like` refuses), with
    whether it is repeated at a sentence's start too; else None. `_surnames_agree` uses it
    wherever it stands."""
    if words[-2].casefold() in PARTICLES:
        return None
    where = _name_like(words[-1], language)
    return None if where is None else (words[-1], where)


def _first_name(words: list[str], language: str) -> tuple[str, bool] | None:
    """A full name's first word (of its `words`, two or more) where the name lists know it
    as a first name, with whether it is repeated at a sentence's start too; else None.
    Mails and chats call a person they have named in full by the first name ("spoke to
    Bruce Garcey" … "Bruce indicated", "Hi, I'm Sarah Jones" … "Sarah"). Where capitals
    mark names, a first name less frequent than FREQUENT_NAME_ZIPF is repeated at a
    sentence's start too: the text has just named the person, and there the word is rarely
    meant ("Sarah, if you could"; not "Will", "Mark", "May", which are as frequent as
    words). Elsewhere `_name_like` decides, as for surnames."""
    first = words[0]
    key = first.casefold()
    if key not in FIRST_NAMES or key in PARTICLES or first.isupper() or len(first) < MIN_LETTERS:
        return None
    if language in CAPITALS_MARK_NAMES and first[:1].isupper():
        return (first, True) if zipf_here(first, language) < FREQUENT_NAME_ZIPF else None
    where = _name_like(first, language)
    return None if where is None else (first, where)


def _name_like(word: str, language: str) -> bool | None:
    """None where `word` is repeated nowhere; else whether it is repeated at a sentence's
    start too (False: only capitalised inside a sentence, see CAPITALS_MARK_NAMES)."""
    if (
        len(word) < MIN_LETTERS
        or not word[:1].isupper()
        or word.isupper()  # "NMBS", "VS": abbreviations are judged where they stand
        or word.casefold() in LEGAL_FORMS
    ):
        return None
    frequency = zipf_here(word, language)
    if frequency < WORD_ZIPF:
        return True
    if (
        language in CAPITALS_MARK_NAMES
        and frequency < FREQUENT_NAME_ZIPF
        and known_name(word.casefold())  # not "Leader", "Racing", "Google" of a title
    ):
        return False
    return None
