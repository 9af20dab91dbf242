"""The first names and surnames the names recognizer confirms capitalised words with.

They come from the person providers bundled inside Faker (MIT licence; no download) for
the locales whose names discreet's customers bear (`LOCALES`): some 4,100 first names and
4,600 surname words, case-folded, a surname's parts each on its own ("de Vries" gives
"de" and "vries", "Müller-Lüdenscheidt" both halves).

Read from Faker at every start, they would change with each Faker release, and detection
with them (a release once moved 3 of 7,575 n-grams of the language model the same way), so
the figures measured on one install would not hold on the next. They are packaged instead
as `data/person_names.tsv.gz`, one ``first``/``surname`` TAB name per line, with the Faker
version they were taken from on the first line, and rebuilt on purpose with
``python -m discreet.detect.name_lists`` (then measured again: see BENCHMARKS.md).
"""

from __future__ import annotations

import functools
import gzip
import importlib
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from discreet.detect.base import WORD
from discreet.errors import Unavailable

PACKAGED = Path(__file__).parent / "data" / "person_names.tsv.gz"

LOCALES = ("en_US", "en_GB", "nl_NL", "nl_BE", "de_DE", "de_AT", "de_CH", "fr_FR", "fr_BE", "fr_CH")
"""Faker's person providers whose names appear in en/nl/de/fr customer service."""

_KINDS = ("first", "surname")


@dataclass(frozen=True, slots=True)
class NameLists:
    first: frozenset[str]
    """First names, case-folded."""
    surnames: frozenset[str]
    """The words of surnames, case-folded ("vries", "de", "müller", "lüdenscheidt")."""
    source: str
    """Where they were taken from, e.g. "faker 40.63.0"."""


class NameListsError(Unavailable, RuntimeError):
    """The packaged name lists cannot be read (the message names the line and what is wrong
    with it): a broken installation, as with the language model and the stop words."""


def build() -> NameLists:
    """The lists from the installed Faker's person providers (a locale a Faker release
    lacks is skipped)."""
    first: set[str] = set()
    surnames: set[str] = set()
    for locale in LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except (ImportError, AttributeError):
            continue
        first.update(n.casefold() for n in getattr(provider, "first_names", ()))
        for surname in getattr(provider, "last_names", ()):
            surnames.update(WORD.findall(surname.casefold()))
    return NameLists(frozenset(first), frozenset(surnames), f"faker {version('faker')}")


def write(lists: NameLists, path: Path = PACKAGED) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"# {lists.source}"]
    lines += [f"first\t{name}" for name in sorted(lists.first)]
    lines += [f"surname\t{name}" for name in sorted(lists.surnames)]
    # No time or file name in the header: the same lists give the same bytes, so a rebuild
    # shows no spurious change.
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as packed,
    ):
        packed.write(("\n".join(lines) + "\n").encode("utf-8"))


def read(path: Path) -> NameLists:
    """The lists written by `write` to `path`."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise NameListsError(
            f"{path.name} cannot be read ({type(exc).__name__}): reinstall discreet, or "
            "rebuild the file with python -m discreet.detect.name_lists"
        ) from None
    if not lines or not lines[0].startswith("# "):
        raise NameListsError(f"{path.name}: line 1 must name the source ('# faker X.Y.Z')")
    found: dict[str, set[str]] = {kind: set() for kind in _KINDS}
    for number, line in enumerate(lines[1:], 2):
        kind, tab, name = line.partition("\t")
        if not tab or kind not in found or not name or name != name.casefold():
            raise NameListsError(
                f"{path.name}: line {number} is not 'first' or 'surname', a TAB and a "
                "case-folded name"
            )
        found[kind].add(name)
    return NameLists(frozenset(found["first"]), frozenset(found["surname"]), lines[0][2:])


@functools.cache
def packaged() -> NameLists:
    """The packaged lists (read once)."""
    return read(PACKAGED)


if __name__ == "__main__":
    built = build()
    write(built)
    print(
        f"wrote {len(built.first):,} first names and {len(built.surnames):,} surname words "
        f"({built.source}) to {PACKAGED}"
    )
