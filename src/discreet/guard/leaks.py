"""Cross-subject leaks in what the customer receives, found without the detector.

`LeakCheck.check` runs on the FINAL, rehydrated answer: what the customer would read.
A model that splices a token into another customer's address ("[PERSON_1].armstrong1@
example.co.uk" with [PERSON_1] = "Ian") only shows its hand after rehydration, and a
model that writes "ian dot armstrong1 at example dot co dot uk" or a phone number in
fullwidth digits shows it to no detector. So the check does not ask the detector what
the text holds: it folds the text (`transform.fold`) and lists every identifier-like
span in every reading it may have (`candidates`), then looks all of them up in the
vault's blind indexes at once (one batched, indexed query), in the forms the vault
indexed (`vault.identifiers`):

* e-mail addresses, de-obfuscated ("at"/"dot"/"(at)", spaces and line breaks around "@"
  and ".", an address split over lines), every plausible start and end;
* digit runs (spaces, dashes, dots, slashes, brackets between digits; "+" and "00"
  prefixes; "(0)" after a country code) as digits alone, and every contiguous part;
* references: 1-6 adjacent letter/digit groups holding a digit, joined ("cn 700009",
  "CN-700009", "1234 ab", IBANs in groups);
* dates in numeric and month-name forms (EN/NL/DE/FR) as ISO;
* names: every run of 2-5 words, and initials with a surname ("J. Jansen").

Invariants:

1. A candidate that belongs (by blind index) to another subject, and neither to this
   conversation's subject nor to a value this conversation may show (the customer's own
   words, this conversation's token-map values), makes the answer a leak.
2. Anonymous conversations (no subject) have no own values but what the customer typed.
3. The result carries kinds and counts only, never a value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from discreet.transform.fold import fold
from discreet.vault.blind_index import IdentifierKind
from discreet.vault.identifiers import MIN_NUMBER_DIGITS, dates_in

Query = tuple[IdentifierKind, str]
Lookup = Callable[[Sequence[Query]], Mapping[Query, frozenset[str]]]
"""Canonical identifier queries -> pseudonymous ids of the subjects holding them."""

MAX_NAME_WORDS = 5
MAX_REFERENCE_GROUPS = 6
MAX_DIGIT_GROUPS = 16
CACHED_TEXTS = 512
COUNTRY_CODES = ("31", "32", "33", "44", "49", "41", "43", "352", "1")
"""Country codes after which a "(0)" trunk prefix may be written: "+31 (0)6 ..."."""

_FUNCTION_WORDS = (
    "a an and are as be but by can do for from had has have he her here his how i if in "
    "is it its me my no not of on or our she so than that the their them then there these "
    "they this to us was we were what when where which who why with would you your yours "
    "dear hello hi thanks thank please regards sorry order number phone mail email een en "
    "het ik je jij jou jouw u uw mijn wij ons onze zij hij is zijn was met voor op aan "
    "bij niet dat die dit wat hoe waar wie of maar ook naar om als dan nog al geen und "
    "ist ich sie wir ihr mit fur nicht das dem des ein eine einen oder aber auch wie wo "
    "wer bei nach zum zur sind war hallo danke bitte et est je tu il elle nous vous ils "
    "avec pour dans pas une un des les sur au aux ou mais que qui quoi ce cette mon ma "
    "mes ton ta votre vos notre nos bonjour merci "
)
# Single letters stay: "I. Armstrong" and "A. Hill" are initials.
NOT_IN_NAMES = frozenset(w for w in _FUNCTION_WORDS.split() if len(w) > 1)
"""Function words of EN/NL/DE/FR that are no part of a name; name particles ("van",
"de", "der", "von", "le", "la", "du") are not among them."""

_OBFUSCATED_AT = re.compile(
    r"\s*(?:[\(\[\{<]\s*(?:at|@|apenstaartje|klammeraffe|arobase)\s*[\)\]\}>]"
    r"|(?<=\S)\s+(?:at|apenstaartje|klammeraffe|arobase)\s+(?=\S))\s*"
)
_OBFUSCATED_DOT = re.compile(
    r"\s*(?:[\(\[\{<]\s*(?:dot|punt|punkt|point)\s*[\)\]\}>]"
    r"|(?<=\S)\s+(?:dot|punt|punkt|point)\s+(?=\S))\s*"
)
_AROUND_MARKS = re.compile(r"[ \t]*(?:\r?\n[ \t]*)?([@.])[ \t]*(?:\r?\n[ \t]*)?")
_LINE_BREAK = re.compile(r"[ \t]*\r?\n[ \t]*")
_AT = re.compile("@")
_LOCAL_BEFORE = re.compile(r"[a-z0-9._%+\-]+$")
_DOMAIN_AFTER = re.compile(r"[a-z0-9.\-]+")
_TLD_END = re.compile(r"\.[a-z]{2,}$")
_DIGIT_RUN = re.compile(r"\+?\d(?:[\s\-./()\u00a0]{0,3}\d)*")
_DIGIT_GROUPS = re.compile(r"\d+")
_GROUP = re.compile(r"[a-z0-9]+")
_WORD = re.compile(r"[^\W\d_]+")


def _addresses(text: str) -> Iterator[tuple[str, str]]:
    """(local part, domain) around every "@" (also "a@b@c.nl": both readings)."""
    for at in _AT.finditer(text):
        local = _LOCAL_BEFORE.search(text, 0, at.start())
        domain = _DOMAIN_AFTER.match(text, at.end())
        if local is not None and domain is not None:
            yield local.group(0), domain.group(0)


def _emails(folded: str) -> set[str]:
    """Every address the text may spell, however obfuscated or split: "at"/"dot" words
    and bracketed forms restored, spaces around "@" and "." dropped, and each line break
    read both ways (an address split over lines, or two words on two lines)."""
    dotted = _OBFUSCATED_DOT.sub(".", folded)
    # "at" is also a word ("mail me at x @ y.nl"): read the text with and without it.
    readings = {dotted, _OBFUSCATED_AT.sub("@", dotted)}
    variants: set[str] = set()
    for text in readings:
        if "@" in text:
            text = _AROUND_MARKS.sub(r"\1", text)
            variants |= {_LINE_BREAK.sub("", text), _LINE_BREAK.sub(" ", text)}
    found: set[str] = set()
    for variant in variants:
        for local, domain in _addresses(variant):
            local, domain = local.strip("."), domain.strip(".-")
            if not local:
                continue
            # "example.nl.Bye": the sentence's full stop glued the next word on; every
            # shorter domain at a dot is a reading too.
            parts = domain.split(".")
            shorter = (".".join(parts[:end]) for end in range(2, len(parts) + 1))
            domains = [d for d in shorter if _TLD_END.search(d)]
            # Every tail of the local part is a reading too: a token rehydrated in front of
            # another customer's address ("[PERSON_1].coret90@x.nl" for a customer named
            # "Sanne") shows "anne.coret90@x.nl" inside "sanne.coret90@x.nl". The
            # customer's own address and the ones they typed pass as before (`check`).
            for start in range(len(local)):
                if local[start].isalnum() and (start == 0 or len(local) - start >= 2):
                    found.update(f"{local[start:]}@{d}" for d in domains)
    return found


def _numbers(folded: str) -> set[str]:
    """Digit strings the text's numbers may stand for (phones, reference digits)."""
    found: set[str] = set()
    for match in _DIGIT_RUN.finditer(folded):
        run = match.group(0)
        groups = _DIGIT_GROUPS.findall(run)[:MAX_DIGIT_GROUPS]
        for i in range(len(groups)):
            digits = ""
            for j in range(i, len(groups)):
                digits += groups[j]
                if len(digits) > 18:
                    break
                if len(digits) >= MIN_NUMBER_DIGITS:
                    found.add(digits)
                    if digits.startswith("00"):
                        found.add(digits[2:])
                    for code in COUNTRY_CODES:
                        if digits.startswith(code + "0"):
                            found.add(code + digits[len(code) + 1 :])
                        if digits.startswith("00" + code + "0"):
                            found.add(code + digits[len(code) + 3 :])
    return found


def _references(folded: str) -> set[str]:
    """Adjacent letter/digit groups holding a digit, joined and upper-cased."""
    groups = _GROUP.findall(folded)
    found: set[str] = set()
    for i in range(len(groups)):
        joined = ""
        digit = False
        for j in range(i, min(i + MAX_REFERENCE_GROUPS, len(groups))):
            if len(groups[j]) > 4 and groups[j].isalpha():
                break  # a word, not a prefix ("cn", "ord") or a group of an IBAN
            joined += groups[j]
            # A group is [a-z0-9]+: one that is not all letters holds a digit.
            digit = digit or not groups[j].isalpha()
            if len(joined) > 34:
                break
            if digit and len(joined) >= 4:
                found.add(joined.upper())
    return found


def _names(folded: str) -> tuple[set[str], set[str]]:
    """Runs of 2-`MAX_NAME_WORDS` words (names) and of an initial plus 1-4 words; runs
    with a function word no name holds ("the", "your", "und") are left out."""
    words = _WORD.findall(folded)
    names: set[str] = set()
    initials: set[str] = set()
    for i in range(len(words)):
        for n in range(2, MAX_NAME_WORDS + 1):
            if i + n > len(words) or words[i + n - 1] in NOT_IN_NAMES:
                break
            run = words[i : i + n]
            if run[0] in NOT_IN_NAMES:
                break
            names.add(" ".join(run))
            if len(run[0]) == 1:
                initials.add(" ".join(run))
    return names, initials


@lru_cache(maxsize=CACHED_TEXTS)
def candidates(text: str) -> frozenset[Query]:
    """Every identifier `text` may spell, in the canonical forms the vault indexes.

    Cached: clients resend a conversation's earlier messages on every turn, and the
    allowed texts (the customer's words, token-map values) repeat from turn to turn."""
    folded = fold(text)
    queries: set[Query] = {(IdentifierKind.EMAIL, e) for e in _emails(folded)}
    queries |= {(IdentifierKind.NUMBER, n) for n in _numbers(folded)}
    queries |= {(IdentifierKind.REFERENCE, r) for r in _references(folded)}
    queries |= {(IdentifierKind.DATE, d) for d in dates_in(folded)}
    names, initials = _names(folded)
    queries |= {(IdentifierKind.NAME, n) for n in names}
    queries |= {(IdentifierKind.NAME_INITIALS, n) for n in initials}
    return frozenset(queries)


@dataclass(frozen=True, slots=True)
class LeakResult:
    """What the check found: kinds and counts, never values."""

    leaked: bool
    kinds: frozenset[IdentifierKind]
    other_subjects: int
    lookups: int

    def __repr__(self) -> str:
        return (
            f"LeakResult(leaked={self.leaked}, kinds={sorted(self.kinds)}, lookups={self.lookups})"
        )


def check(
    text: str,
    *,
    subject: str | None,
    allowed: Iterable[str],
    lookup: Lookup,
) -> LeakResult:
    """Does `text` hold another subject's identifier? `allowed`: texts whose identifiers
    this conversation may show (the customer's messages, its token-map values, each a
    separate text so no two of them combine into a new one). Raises what `lookup`
    raises: callers fail closed."""
    queries = candidates(text)
    if not queries:
        return LeakResult(False, frozenset(), 0, 0)
    owners = lookup(sorted(queries))
    foreign = {
        query: subjects
        for query, subjects in owners.items()
        # Nobody's, or the subject's own (a value they share with another is theirs too).
        if subjects and (subject is None or subject not in subjects)
    }
    if foreign:  # rare: only then are the allowed texts read
        shown: set[Query] = set()
        for own in allowed:
            shown |= candidates(own)
        foreign = {q: s for q, s in foreign.items() if q not in shown}
    kinds = {query[0] for query in foreign}
    others = set().union(*foreign.values()) if foreign else set()
    return LeakResult(bool(kinds), frozenset(kinds), len(others), len(queries))


__all__ = ["LeakResult", "Lookup", "Query", "candidates", "check"]
