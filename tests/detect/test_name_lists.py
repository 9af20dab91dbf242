"""The packaged first names and surnames (`detect.name_lists`)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from discreet.detect.name_lists import (
    NameLists,
    NameListsError,
    build,
    packaged,
    read,
    write,
)
from discreet.detect.recognizers.names import FIRST_NAMES, PARTICLES, SURNAMES


def test_the_packaged_lists_are_what_faker_gives_give_or_take_a_release() -> None:
    # Detection reads the packaged lists, never the installed Faker: a Faker release may
    # add or drop a few names; a different or hand-edited file differs by far more.
    lists, now = packaged(), build()
    assert lists.source.startswith("faker ")
    for old, new in ((lists.first, now.first), (lists.surnames, now.surnames)):
        assert len(old ^ new) <= 0.01 * len(old)
    assert {"jan", "anna", "pierre", "thomas"} <= lists.first
    assert {"vries", "müller", "lefèvre", "smith"} <= lists.surnames


def test_the_names_recognizer_reads_the_packaged_lists_without_particles() -> None:
    assert packaged().first - PARTICLES == FIRST_NAMES
    assert packaged().surnames - PARTICLES == SURNAMES
    assert "de" in packaged().surnames and "de" not in SURNAMES  # from "de Vries"


def test_written_lists_read_back_the_same_and_the_same_bytes(tmp_path: Path) -> None:
    lists = NameLists(frozenset({"anna", "jan"}), frozenset({"vries", "de"}), "faker 1.2.3")
    write(lists, tmp_path / "a.tsv.gz")
    write(lists, tmp_path / "b.tsv.gz")
    assert read(tmp_path / "a.tsv.gz") == lists
    # No timestamp inside: a rebuild from the same Faker shows no change in git.
    assert (tmp_path / "a.tsv.gz").read_bytes() == (tmp_path / "b.tsv.gz").read_bytes()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("first\tanna\n", "line 1 must name the source"),
        ("# faker 1\nfirst anna\n", "line 2 is not"),
        ("# faker 1\nfirst\tanna\nnickname\tbob\n", "line 3 is not"),
        ("# faker 1\nsurname\tVries\n", "line 2 is not"),  # not case-folded
        ("# faker 1\nfirst\t\n", "line 2 is not"),
    ],
)
def test_a_malformed_file_names_its_line(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "names.tsv.gz"
    path.write_bytes(gzip.compress(content.encode("utf-8")))
    with pytest.raises(NameListsError, match=problem) as caught:
        read(path)
    assert "names.tsv.gz" in str(caught.value)


def test_a_missing_or_broken_file_says_how_to_mend_it(tmp_path: Path) -> None:
    (tmp_path / "broken.tsv.gz").write_bytes(b"not gzip")
    for path in (tmp_path / "missing.tsv.gz", tmp_path / "broken.tsv.gz"):
        with pytest.raises(NameListsError, match=r"python -m discreet\.detect\.name_lists"):
            read(path)
