"""Importing subjects from CSV and JSONL: all or nothing, bad rows named by line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from discreet.audit import AccessContext
from discreet.vault import ImportRowError, SubjectNotFound, UnknownField, Vault
from discreet.vault.importer import read_subjects

HEADER = "subject_ref,name,email,phone,street_address,postal_code,city,iban,customer_number"


def _csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "subjects.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _row(i: int) -> str:
    return (
        f"R-{i:04d},Person {i},person{i}@example.org,+31 6 1000{i:04d},Street {i},"
        f"1000 AB,Town,NL91ABNA041716{i:04d},CN-{i:04d}"
    )


def test_csv_import(vault: Vault, ctx: AccessContext, tmp_path: Path) -> None:
    path = _csv(tmp_path, *[_row(i) for i in range(25)])
    seen: list[int] = []
    report = vault.import_subjects(
        read_subjects(path, vault.catalog), ctx=ctx, chunk_size=10, progress=seen.append
    )
    assert (report.imported, report.batches, report.skipped) == (25, 3, ())
    assert seen == [10, 20, 25]
    view = vault.get_subject("R-0007", ctx=ctx)
    assert view.fields["email"] == "person7@example.org"
    assert view.categories["street_address"] == "location"
    assert view.categories["customer_number"] == "order"
    assert vault.find_subjects_by_identifier("customer_number", "cn-0012", ctx=ctx) == {
        vault.subject_id("R-0012", ctx=ctx)
    }
    imports = [e for e in vault.audit_log.entries() if e.action == "subject.import"]
    assert [e.details["subjects"] for e in imports] == [10, 10, 5]  # one record per batch
    assert all(e.subject is None for e in imports)
    assert "email" in imports[0].fields and "financial" in imports[0].categories


def test_jsonl_import_skips_empty_values(vault: Vault, ctx: AccessContext, tmp_path: Path) -> None:
    path = tmp_path / "subjects.jsonl"
    lines = [
        {"subject_ref": "J-1", "name": "Jay One", "email": "jay@example.org", "phone": None},
        {"subject_ref": 42, "name": "Numeric Ref", "customer_number": 1234},
    ]
    path.write_text("\n".join(json.dumps(obj) for obj in lines) + "\n\n", encoding="utf-8")
    report = vault.import_subjects(read_subjects(path, vault.catalog), ctx=ctx)
    assert report.imported == 2
    assert vault.get_subject("J-1", ctx=ctx).fields == {
        "name": "Jay One",
        "email": "jay@example.org",
    }
    assert vault.get_subject("42", ctx=ctx).fields["customer_number"] == "1234"


@pytest.mark.parametrize(
    ("bad_row", "reason"),
    [
        (",Nobody,,,,,,,", "subject_ref is empty"),
        ("R-0001,Again,,,,,,,", "repeats the one on line 3"),
        ("R-0099,Too,few", "has 3 cells"),
    ],
)
def test_bad_row_names_its_line_and_imports_nothing(
    vault: Vault, ctx: AccessContext, tmp_path: Path, bad_row: str, reason: str
) -> None:
    path = _csv(tmp_path, _row(0), _row(1), _row(2), bad_row, _row(4))
    with pytest.raises(ImportRowError) as info:
        vault.import_subjects(read_subjects(path, vault.catalog), ctx=ctx, chunk_size=2)
    assert info.value.line == 5 and reason in str(info.value)
    assert "Nobody" not in str(info.value) and "Again" not in str(info.value)
    for ref in ("R-0000", "R-0001", "R-0004"):  # even rows of earlier chunks are gone
        with pytest.raises(SubjectNotFound):
            vault.get_subject(ref, ctx=ctx)
    (record,) = [e for e in vault.audit_log.entries() if e.action == "subject.import"]
    assert record.outcome == "rejected" and record.details == {"line": 5}


def test_existing_ref_is_a_bad_row(vault: Vault, ctx: AccessContext, tmp_path: Path) -> None:
    vault.put_subject("R-0001", {"name": "Already Here"}, ctx=ctx)
    path = _csv(tmp_path, _row(0), _row(1))
    with pytest.raises(ImportRowError, match="line 3: a subject with this subject_ref"):
        vault.import_subjects(read_subjects(path, vault.catalog), ctx=ctx)
    report = vault.import_subjects(read_subjects(path, vault.catalog), ctx=ctx, skip_bad=True)
    assert report.imported == 1 and [e.line for e in report.skipped] == [3]
    assert vault.get_subject("R-0001", ctx=ctx).fields == {"name": "Already Here"}


def test_skip_bad_imports_the_good_rows(vault: Vault, ctx: AccessContext, tmp_path: Path) -> None:
    path = tmp_path / "subjects.jsonl"
    path.write_text(
        '{"subject_ref": "J-1", "name": "Good One"}\n'
        "not json\n"
        '{"subject_ref": "J-2", "shoe_size": "44"}\n'
        '{"subject_ref": "J-3", "name": "Good Three"}\n',
        encoding="utf-8",
    )
    report = vault.import_subjects(read_subjects(path, vault.catalog), ctx=ctx, skip_bad=True)
    assert report.imported == 2
    assert [(e.line, e.reason) for e in report.skipped] == [
        (2, "is not valid JSON"),
        (3, report.skipped[1].reason),
    ]
    assert "shoe_size" in report.skipped[1].reason


def test_unknown_csv_column_refuses_the_file(vault: Vault, tmp_path: Path) -> None:
    path = tmp_path / "subjects.csv"
    path.write_text("subject_ref,name,shoe_size\nR-1,A,44\n", encoding="utf-8")
    with pytest.raises(UnknownField, match="shoe_size"):
        list(read_subjects(path, vault.catalog))
    path.write_text("name,email\nA,a@example.org\n", encoding="utf-8")
    with pytest.raises(UnknownField, match="subject_ref"):
        list(read_subjects(path, vault.catalog))
