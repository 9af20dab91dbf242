"""Issue 11, "one wiring point": the environment is read in one module, ``settings.py``.

Every other module gets typed values (the `Settings` object, or what the wiring built
from it); one reading ``os.environ`` itself would bypass the validation there and let a
setting change behind the wiring's back. Every read counts: ``os.environ``,
``os.environb``, ``os.getenv``, ``os.getenvb``, the same names imported from ``os``, and
a command-line option's ``envvar=`` (click reading a variable for typer).
"""

from __future__ import annotations

import ast
from pathlib import Path

import discreet

SRC = Path(discreet.__file__).parent
READERS = {"environ", "environb", "getenv", "getenvb"}

ALLOWED: dict[str, str] = {
    "settings.py": "the one reader: `Settings` and `secret_from_env`",
}
"""Module (relative to the package) -> why it may read the environment."""


def environment_reads(source: str) -> list[int]:
    """Lines of `source` that touch the process environment through ``os``."""
    return [node.lineno for node in ast.walk(ast.parse(source)) if _reads(node)]


def _reads(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):  # os.environ, os.getenv(...)
        return node.attr in READERS and isinstance(node.value, ast.Name) and node.value.id == "os"
    if isinstance(node, ast.ImportFrom):  # from os import environ
        return node.module == "os" and any(alias.name in READERS for alias in node.names)
    if isinstance(node, ast.Call):  # typer.Option("--x", envvar="DISCREET_X")
        return any(keyword.arg in ("envvar", "auto_envvar_prefix") for keyword in node.keywords)
    return False


def test_only_settings_reads_the_environment() -> None:
    readers = {
        f"{path.relative_to(SRC)}:{line}"
        for path in sorted(SRC.rglob("*.py"))
        if str(path.relative_to(SRC)) not in ALLOWED
        for line in environment_reads(path.read_text(encoding="utf-8"))
    }
    assert not readers, (
        "read the environment only in discreet/settings.py (a field on Settings, or "
        f"secret_from_env for a variable the policy names): {sorted(readers)}"
    )


def test_the_check_finds_each_kind_of_read() -> None:
    # The contract above holds only if this finds reads; each form once.
    assert environment_reads("import os\nx = os.environ.get('A')\n") == [2]
    assert environment_reads("import os\nx = os.getenv('A')\n") == [2]
    assert environment_reads("from os import environ\n") == [1]
    assert environment_reads("from os import getenv as g\n") == [1]
    assert environment_reads("x = typer.Option('--x', envvar='DISCREET_X')\n") == [1]
    assert environment_reads("import os\nx = os.path.join('a')\n") == []


def test_settings_does_read_it() -> None:
    # The allow-list names a real reader (a stale entry would hide nothing, but mislead).
    for module in ALLOWED:
        assert environment_reads((SRC / module).read_text(encoding="utf-8")), module
