"""Lists of names: every item of a list of people is a person, of a list of places a place.

Team line-ups, rotas and cc lines name people one after another, often by surname alone,
separated by commas, dashes and slashes ("Dresden: Müller - Mauksch - Schößler, Wagenhaus -
Hauptmann, Pilz, Zander (80. Gütschow)"). The model judges each word on its few
neighbours, and in a run of bare capitalised words it calls some of them people, some
places, runs two into one and misses the rest; villages listed after "die Dörfer" fare the
same. A list holds one kind of thing: `one_kind_per_list` finds runs of at least MIN_ITEMS
capitalised names joined only by list separators (a comma, a slash, a spaced dash, "and",
a substitution's "(80. ..."); where the model found something in at least half of them and
its surest finding there (score at least MIN_SCORE) is a person or a place, and the name
lists know one of the items as a name (the gazetteer as a place), every item becomes one of
its own of that kind. (Not a list of people where the gazetteer knows two items as places.)
A list of products or of German nouns, where the model finds nothing sure, is left alone;
so are Finnish villages the model took for people, which no name list knows.

With less evidence a list still holds one kind: in a run of at least MIN_AGREE_ITEMS items
where the model found each of several items as a person or a place on its own, the kind
found more often is every found item's ("Archangelsk, Severodvinsk en Kotlas", one of them
taken for a person; "Pindarus, Xenophanes, Bacchylides", one for a place). Nothing is added
there, and a tie is left alone.
"""

from __future__ import annotations

import re

from discreet.detect.base import Finding
from discreet.detect.entities import EntityType
from discreet.detect.merge import merge_findings
from discreet.detect.places import known_place
from discreet.detect.recognizers.names import known_name

MIN_ITEMS = 4
MIN_SCORE = 0.5
MIN_AGREE_ITEMS = 3
RECOGNIZER = "names-in-lists"

_NAMES = (EntityType.PERSON, EntityType.LOCATION)
# A capitalised word (Latin script), with its double-barrelled parts: "Müller-Wohlfahrt",
# "Oloron-Sainte-Marie", "O'Neill".
_ITEM = r"[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’]*(?:-[^\W\d_][\w'’]*)*"
# Between two items: a comma or slash, a dash with spaces around it (a hyphen joins a
# double name), "and" in the four languages, or a substitution "Rath (80. Kern)" with the
# bracket's close after it.
_SEP = (
    r"(?:[ \t]*[,/][ \t]*|[ \t]+[-–][ \t]+|[ \t]+(?:and|und|en|et|&)[ \t]+"
    r"|[ \t]*\(\d{1,3}\.[ \t]*|\)[ \t]*(?:[,/]|[-–])?[ \t]*)"
)
_RUN = re.compile(rf"(?<![\w-]){_ITEM}(?:{_SEP}{_ITEM})+")
_ITEMS = re.compile(_ITEM)


def _known_name(item: str) -> bool:
    return any(known_name(p) for p in item.casefold().split("-"))


def one_kind_per_list(text: str, findings: list[Finding]) -> list[Finding]:
    """`findings` (merged) with the items of lists of people or places made people or
    places (see the module docstring), merged again."""
    if not any(f.type in _NAMES for f in findings):
        return findings
    changed = False
    for run in _RUN.finditer(text):
        items = [m.span() for m in _ITEMS.finditer(text, run.start(), run.end())]
        if len(items) < MIN_AGREE_ITEMS:
            continue
        inside = [f for f in findings if f.start < run.end() and f.end > run.start()]
        if not inside or any(
            f.type not in _NAMES or f.start < run.start() or f.end > run.end() for f in inside
        ):
            continue  # dates, codes, amounts, or a name running on past the list
        listed = _every_item(text, items, inside) if len(items) >= MIN_ITEMS else None
        if listed is None:
            listed = _found_items_agree(items, inside)
        if listed is None:
            continue
        findings = [f for f in findings if f not in inside] + listed
        changed = True
    return merge_findings(findings) if changed else findings


def _every_item(
    text: str, items: list[tuple[int, int]], inside: list[Finding]
) -> list[Finding] | None:
    """Every item of a list as a person or a place, where the evidence says the list is one
    of people or of places (see the module docstring); else None."""
    surest = max(inside, key=lambda f: (f.score, f.type is EntityType.PERSON))
    covered = sum(any(f.start < e and f.end > s for f in inside) for s, e in items)
    if surest.score < MIN_SCORE or 2 * covered < len(items):
        return None
    places = sum(known_place(text[s:e]) for s, e in items)
    if surest.type is EntityType.PERSON:
        if places > 1 or not any(_known_name(text[s:e]) for s, e in items):
            return None  # "Berlin, Hamburg, Bremen, Schulz"; Finnish villages
    elif not places:
        return None
    return [Finding(s, e, surest.type, surest.score, RECOGNIZER) for s, e in items]


def _found_items_agree(items: list[tuple[int, int]], inside: list[Finding]) -> list[Finding] | None:
    """The findings of a list, each exactly one item, all of the kind found more often;
    None where they already agree, tie, or one runs over two items."""
    spans = set(items)
    if any((f.start, f.end) not in spans for f in inside):
        return None
    people = sum(f.type is EntityType.PERSON for f in inside)
    places = len(inside) - people
    if not people or not places or people == places:
        return None
    kind = EntityType.PERSON if people > places else EntityType.LOCATION
    return [Finding(f.start, f.end, kind, f.score, f.recognizer) for f in inside]
