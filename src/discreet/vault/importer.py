"""Reading subjects from CSV or JSON-lines files for `discreet subjects import`.

The header (CSV) or the keys (JSONL) name the fields; ``subject_ref`` is required.
Rows come out as :class:`ParsedRow` or, for unusable rows, :class:`ImportRowError`
naming the line and the reason, never a value. Empty cells are left out.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

from discreet.errors import InvalidValue
from discreet.vault.errors import ImportRowError, UnknownField
from discreet.vault.fields import SUBJECT_REF, FieldCatalog, ParsedRow, SubjectRecord


class FileFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


def guess_format(path: Path) -> FileFormat:
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return FileFormat.JSONL
    if suffix in {".csv", ".txt"}:
        return FileFormat.CSV
    raise InvalidValue(
        f"cannot tell the format of {path.name}: use --format csv|jsonl", param="--format"
    )


def count_data_lines(path: Path) -> int:
    """An upper bound on the rows, for a progress bar."""
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def read_subjects(
    path: Path, catalog: FieldCatalog, fmt: FileFormat | None = None
) -> Iterator[ParsedRow | ImportRowError]:
    """Rows of `path`. A CSV header naming a field without a data category raises
    UnknownField at once: no row of such a file can be imported."""
    fmt = fmt or guess_format(path)
    if fmt is FileFormat.CSV:
        yield from _read_csv(path, catalog)
    else:
        yield from _read_jsonl(path, catalog)


def _read_csv(path: Path, catalog: FieldCatalog) -> Iterator[ParsedRow | ImportRowError]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            return
        columns = [name.strip() for name in header]
        if SUBJECT_REF not in columns:
            raise UnknownField(f"line 1: the header has no {SUBJECT_REF} column")
        if len(set(columns)) != len(columns):
            raise UnknownField("line 1: the header names a column twice")
        for name in columns:
            if name != SUBJECT_REF:
                catalog.category(name)
        start = reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(columns):
                yield ImportRowError(line, f"has {len(cells)} cells, the header has {len(columns)}")
                continue
            row = dict(zip(columns, cells, strict=True))
            ref = row.pop(SUBJECT_REF).strip()
            fields = {name: value.strip() for name, value in row.items() if value.strip()}
            yield ParsedRow(line, SubjectRecord(ref, fields))


def _read_jsonl(path: Path, catalog: FieldCatalog) -> Iterator[ParsedRow | ImportRowError]:
    with path.open(encoding="utf-8-sig") as handle:
        for line, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError:
                yield ImportRowError(line, "is not valid JSON")
                continue
            if not isinstance(obj, dict):
                yield ImportRowError(line, "is not a JSON object")
                continue
            ref = obj.pop(SUBJECT_REF, None)
            if not isinstance(ref, str | int) or isinstance(ref, bool):
                yield ImportRowError(line, f"has no {SUBJECT_REF} string")
                continue
            fields: dict[str, str] = {}
            problem = None
            for name, value in obj.items():
                if value is None or value == "":
                    continue
                if not isinstance(value, str | int) or isinstance(value, bool):
                    problem = f"field {name!r} is not a string"
                    break
                try:
                    catalog.category(name)
                except UnknownField as exc:
                    problem = str(exc)
                    break
                fields[name] = str(value).strip()
            if problem:
                yield ImportRowError(line, problem)
                continue
            yield ParsedRow(line, SubjectRecord(str(ref).strip(), fields))
