"""The service probes under benchmarks/data are the only figures on service text nobody here
wrote, so a label off by a character, overlapping or out of the text would misstate them.
Failures name the file, the id and the span, never the text."""

from __future__ import annotations

from pathlib import Path

import pytest

from discreet.evaluation.corpus import read_jsonl

PROBES = sorted((Path(__file__).parents[2] / "benchmarks" / "data").glob("service_probe*.jsonl"))


def test_the_probes_are_there():
    assert {p.name for p in PROBES} >= {
        "service_probe.jsonl",
        "service_probe_fresh.jsonl",
        *(f"service_probe_blind{n}.jsonl" for n in ("", "2", "3", "4", "5")),
    }


@pytest.mark.parametrize("path", PROBES, ids=lambda p: p.name)
def test_every_label_lies_on_its_value(path):
    texts = read_jsonl(path)
    assert len({t.id for t in texts}) == len(texts), f"{path.name}: ids repeat"
    for item in texts:
        assert item.language in ("en", "nl", "de", "fr"), item.id
        previous_end = 0
        for span in item.spans:
            where = f"{path.name} {item.id} {span.start}-{span.end}"
            assert 0 <= span.start < span.end <= len(item.text), where
            assert span.start >= previous_end, f"{where} overlaps the span before"
            value = item.text[span.start : span.end]
            assert value == value.strip(), f"{where} starts or ends with blanks"
            previous_end = span.end


@pytest.mark.parametrize("path", [p for p in PROBES if "blind" in p.name], ids=lambda p: p.name)
def test_each_blind_probe_has_160_negatives_and_80_labelled_texts_in_four_languages(path):
    texts = read_jsonl(path)
    for language in ("en", "nl", "de", "fr"):
        mine = [t for t in texts if t.language == language]
        assert len(mine) == 60, (path.name, language)
        assert sum(1 for t in mine if not t.spans) == 40, (path.name, language)
