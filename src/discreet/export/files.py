"""Whole files or nothing: every output file is written beside its place and renamed in.

A partition is done when its stats file exists; it is renamed in last, after the data
files, so a crash at any moment leaves either a finished partition or one a rerun
writes again (its data files, if any, are whole files of an unfinished attempt and are
replaced).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any


def atomic_write(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Call `write` with a temporary file beside `path`, then fsync and rename it in."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_json(path: Path, value: Any) -> None:
    data = (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    atomic_write(path, lambda handle: handle.write(data))


def part_name(partition: int) -> str:
    return f"part-{partition:05d}"
