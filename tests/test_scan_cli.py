"""`discreet scan` end to end: files in, findings out, and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from discreet.cli import app
from discreet.scan import ScanOptions, mask_value, run_scan, sample_path

SECRET = "geheim.persoon@example.nl"
"""Appears in bad inputs: it must never show up in any output of a failed scan."""


@pytest.fixture()
def config(tmp_path: Path) -> Path:
    path = tmp_path / "detector.yaml"
    path.write_text("ner:\n  backend: none\n", encoding="utf-8")
    return path


def scan(*args: str | Path, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(app, ["scan", *map(str, args)], input=stdin)


def write_lines(path: Path, *lines: str | bytes) -> Path:
    path.write_bytes(b"\n".join(x if isinstance(x, bytes) else x.encode() for x in lines) + b"\n")
    return path


def doc(doc_id: object, text: str, **extra: object) -> str:
    return json.dumps({"id": doc_id, "text": text, **extra})


def test_jsonl_in_jsonl_out_in_input_order(tmp_path: Path, config: Path) -> None:
    texts = {
        "b": "mail me at jan@example.nl",
        "a": "nothing personal here",
        "c": "IBAN NL91 ABNA 0417 1643 00 en piet@example.org",
    }
    src = write_lines(tmp_path / "in.jsonl", *(doc(k, v) for k, v in texts.items()))
    out = tmp_path / "out.jsonl"
    result = scan("--input", src, "--output", out, "--config", config)
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["b", "a", "c"]
    assert records[1]["entities"] == []
    found = {
        (r["id"], texts[r["id"]][e["start"] : e["end"]], e["type"])
        for r in records
        for e in r["entities"]
    }
    assert ("b", "jan@example.nl", "EMAIL_ADDRESS") in found
    assert ("c", "piet@example.org", "EMAIL_ADDRESS") in found
    assert ("c", "NL91 ABNA 0417 1643 00", "IBAN") in found
    entity = records[0]["entities"][0]
    assert set(entity) >= {"start", "end", "type", "score"}
    assert 0.0 < entity["score"] <= 1.0


def test_output_dash_writes_jsonl_to_stdout(tmp_path: Path, config: Path) -> None:
    src = write_lines(tmp_path / "in.jsonl", doc(7, "mail jan@example.nl"))
    result = scan("--input", src, "--output", "-", "--config", config)
    assert result.exit_code == 0, result.stderr
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["id"] == 7
    assert [e["type"] for e in record["entities"]] == ["EMAIL_ADDRESS"]


def test_stdin_is_read_as_jsonl(config: Path) -> None:
    result = scan("--input", "-", "--format", "jsonl", "--config", config,
                  stdin=doc("s", "mail jan@example.nl").encode())  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["entities"][0]["type"] == "EMAIL_ADDRESS"


def test_table_masks_values_unless_asked(tmp_path: Path, config: Path) -> None:
    src = write_lines(tmp_path / "in.jsonl", doc("t1", "mail jan.devries@example.nl"))
    masked = scan("--input", src, "--format", "table", "--config", config)
    assert masked.exit_code == 0, masked.stderr
    assert "j***@e***.nl" in masked.stdout
    assert "jan.devries" not in masked.stdout
    for column in ("id", "type", "start-end", "score", "recognizer"):
        assert column in masked.stdout
    assert "EMAIL_ADDRESS" in masked.stdout and "5-27" in masked.stdout
    shown = scan("--input", src, "--format", "table", "--show-values", "--config", config)
    assert "jan.devries@example.nl" in shown.stdout


def test_no_input_scans_the_bundled_sample_as_a_table(config: Path) -> None:
    result = scan("--config", config)
    assert result.exit_code == 0, result.stderr
    assert "bundled sample" in result.stdout
    assert "EMAIL_ADDRESS" in result.stdout and "e***@e***.com" in result.stdout
    assert "emily.carter@example.com" not in result.stdout


def test_bundled_sample_is_valid_jsonl_in_four_languages() -> None:
    lines = sample_path().read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) >= 25
    assert {r["language"] for r in records} == {"en", "nl", "de", "fr"}
    assert len({r["id"] for r in records}) == len(records)


def test_plain_text_file_is_one_document(tmp_path: Path, config: Path) -> None:
    src = tmp_path / "letter.txt"
    src.write_text("Dear team,\n\nplease write to jan@example.nl.\n", encoding="utf-8")
    result = scan("--input", src, "--output", "-", "--config", config)
    assert result.exit_code == 0, result.stderr
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["id"] == "letter.txt"
    assert len(record["entities"]) == 1


def test_lines_mode_makes_one_document_per_line(tmp_path: Path, config: Path) -> None:
    src = write_lines(tmp_path / "msgs.txt", "first jan@example.nl", "", "second: none", "x@y.org")
    result = scan("--input", src, "--lines", "--output", "-", "--config", config)
    assert result.exit_code == 0, result.stderr
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert ids == ["msgs.txt:1", "msgs.txt:3", "msgs.txt:4"]


def test_entities_and_threshold_filter(tmp_path: Path, config: Path) -> None:
    src = write_lines(tmp_path / "in.jsonl", doc(1, "jan@example.nl NL91ABNA0417164300"))
    result = scan("--input", src, "-o", "-", "--entities", "iban", "--config", config)
    assert result.exit_code == 0, result.stderr
    assert [e["type"] for e in json.loads(result.stdout)["entities"]] == ["IBAN"]
    everything = scan("--input", src, "-o", "-", "--config", config)
    assert "EMAIL_ADDRESS" in [e["type"] for e in json.loads(everything.stdout)["entities"]]
    strict = scan("--input", src, "-o", "-", "--threshold", "0.99", "--config", config)
    scores = [e["score"] for e in json.loads(strict.stdout)["entities"]]
    assert all(score >= 0.99 for score in scores)
    assert "EMAIL_ADDRESS" not in [e["type"] for e in json.loads(strict.stdout)["entities"]]
    bad = scan("--input", src, "--entities", "PERSONS", "--config", config)
    assert bad.exit_code == 2 and "unknown entity type" in bad.stderr


BAD_LINES: list[tuple[str, bytes, str]] = [
    ("not json", b'{"id": 1, "text": "' + SECRET.encode() + b'"', "not valid JSON"),
    ("not an object", json.dumps([1, SECRET]).encode(), "expected a JSON object"),
    ("missing text", json.dumps({"id": 1, "body": SECRET}).encode(), 'missing "text"'),
    ("text not a string", json.dumps({"id": 1, "text": [SECRET]}).encode(), "must be a string"),
    ("missing id", json.dumps({"text": SECRET}).encode(), 'missing "id"'),
    ("empty text", json.dumps({"id": 1, "text": "  "}).encode(), "empty text"),
    ("bad language", doc(1, SECRET, language="es").encode(), '"language" must be one of'),
    ("invalid utf-8", b'{"id": 1, "text": "' + SECRET.encode() + b'\xff\xfe"}', "invalid UTF-8"),
    ("too long", doc(1, SECRET + "x" * 1_000_000).encode(), "the limit is"),
]


@pytest.mark.parametrize(("kind", "line", "message"), BAD_LINES, ids=[b[0] for b in BAD_LINES])
def test_bad_line_fails_with_its_line_number_and_writes_nothing(
    tmp_path: Path, config: Path, kind: str, line: bytes, message: str
) -> None:
    src = write_lines(tmp_path / "in.jsonl", doc(1, "fine"), doc(2, "also fine"), line)
    out = tmp_path / "out.jsonl"
    result = scan("--input", src, "--output", out, "--config", config)
    assert result.exit_code == 2
    assert "line 3" in result.stderr
    assert message in result.stderr
    assert not out.exists()
    assert list(tmp_path.glob("*.tmp")) == []
    assert SECRET not in result.stderr and SECRET not in result.stdout


def test_failed_scan_leaves_an_existing_output_untouched(tmp_path: Path, config: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("previous results\n")
    src = write_lines(tmp_path / "in.jsonl", doc(1, "ok"), b"{broken")
    assert scan("--input", src, "--output", out, "--config", config).exit_code == 2
    assert out.read_text() == "previous results\n"


def test_binary_file_is_refused(tmp_path: Path, config: Path) -> None:
    src = tmp_path / "image.txt"
    src.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + SECRET.encode())
    out = tmp_path / "out.jsonl"
    result = scan("--input", src, "--output", out, "--config", config)
    assert result.exit_code == 2
    assert "looks like a binary file" in result.stderr
    assert not out.exists()
    assert SECRET not in result.stderr


def test_invalid_utf8_in_text_file_names_the_line(tmp_path: Path, config: Path) -> None:
    src = write_lines(tmp_path / "notes.txt", "line one", "line two", b"caf\xe9 " + SECRET.encode())
    result = scan("--input", src, "--output", tmp_path / "o.jsonl", "--config", config)
    assert result.exit_code == 2
    assert "notes.txt, line 3: invalid UTF-8" in result.stderr
    assert SECRET not in result.stderr


def test_skip_bad_skips_reports_and_keeps_order(tmp_path: Path, config: Path) -> None:
    src = write_lines(
        tmp_path / "in.jsonl",
        doc("a", "mail a@example.nl"),
        b"{not json " + SECRET.encode(),
        doc("b", "nothing"),
        json.dumps({"text": SECRET}).encode(),
        doc("c", "mail c@example.nl"),
    )
    out = tmp_path / "out.jsonl"
    result = scan("--input", src, "--output", out, "--skip-bad", "--config", config)
    assert result.exit_code == 0, result.stderr
    assert "skipped 2 bad input(s)" in result.stderr
    assert "line 2" in result.stderr and "line 4" in result.stderr
    assert SECRET not in result.stderr
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == ["a", "b", "c"]


def test_config_errors_name_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("threshold: 2\nner:\n  backend: gpt\n", encoding="utf-8")
    result = scan("--config", bad)
    assert result.exit_code == 2
    assert "threshold" in result.stderr and "ner.backend" in result.stderr
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("treshold: 0.5\n", encoding="utf-8")
    result = scan("--config", unknown)
    assert result.exit_code == 2 and "treshold" in result.stderr
    not_yaml = tmp_path / "x.yaml"
    not_yaml.write_text("a: [\n", encoding="utf-8")
    assert "not valid YAML" in scan("--config", not_yaml).stderr


def test_many_documents_on_two_workers_keep_input_order(tmp_path: Path, config: Path) -> None:
    # More texts than one detect_many chunk, so worker processes really run.
    n = 600
    lines = [doc(i, f"message {i}: mail user{i}@example.nl") for i in range(n)]
    src = write_lines(tmp_path / "many.jsonl", *lines)
    out = tmp_path / "out.jsonl"
    result = scan("--input", src, "--output", out, "--workers", "2", "--config", config)
    assert result.exit_code == 0, result.stderr
    records = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["id"] for r in records] == list(range(n))
    for i, record in enumerate(records):
        (entity,) = record["entities"]
        assert lines[i].count(f"user{i}@example.nl") == 1
        assert entity["end"] - entity["start"] == len(f"user{i}@example.nl")


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("jan@example.nl", "j***@e***.nl"),
        ("Jan de Vries", "J*** d*** V***"),
        ("NL91 ABNA 0417 1643 00", "NL***00"),
        ("ab", "***"),
    ],
)
def test_mask_value(value: str, masked: str) -> None:
    assert mask_value(value) == masked


def test_progress_bar_run_gives_the_same_results(tmp_path: Path, config: Path) -> None:
    lines = [doc(i, f"mail user{i}@example.nl") for i in range(20)]
    src = write_lines(tmp_path / "in.jsonl", *lines)
    plain, with_bar = tmp_path / "plain.jsonl", tmp_path / "bar.jsonl"
    assert run_scan(ScanOptions(inputs=[src], output=plain, config=config)) == 0
    options = ScanOptions(inputs=[src], output=with_bar, config=config, progress=True)
    assert run_scan(options) == 0
    assert with_bar.read_text() == plain.read_text()
    assert len(plain.read_text().splitlines()) == 20
