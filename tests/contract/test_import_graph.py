"""The package table of ARCHITECTURE.md, checked against the imports: no package imports
one above it, so there are no cycles (README "Project layout" restates the table).

Every import counts, also those inside functions: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import discreet

SRC = Path(discreet.__file__).parent

LAYERS: tuple[tuple[str, ...], ...] = (
    # leaves: below everything
    ("discreet", "errors", "clock", "legal", "subjectdata", "settings", "telemetry"),
    ("detect",),
    ("transform",),
    ("policy", "store", "audit"),
    ("vault", "guard", "conversations"),
    ("consent",),
    ("gateway", "rights"),
    ("retention",),
    # batch work: exports, analytics, operations, file scans (local or on Ray), the benchmark
    ("ops", "export", "analytics", "console"),
    ("scan", "evaluation"),
    ("wiring",),
    ("api", "demo"),
    ("cli",),
)
"""Lowest first; a package may import its own layer's packages and those below."""
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}

ALLOWED_UPWARD = {("store.models", "conversations")}  # `from discreet.conversations import models`
"""``store.models`` imports every package's models module, so ``Base.metadata`` (the
migrations and the schema check) always sees every table. Tables only, no logic."""


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or "discreet"


def _package(module: str) -> str:
    return module.split(".")[0] if module != "discreet" else "discreet"


def _imports() -> dict[tuple[str, str], set[str]]:
    """(importing package, imported package) -> the importing modules."""
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in SRC.rglob("*.py"):
        module = _module(path)
        if ".migrations." in f".{module}.":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if name != "discreet" and not name.startswith("discreet."):
                    continue
                target = name.removeprefix("discreet.") if name != "discreet" else "discreet"
                if (module, target) in ALLOWED_UPWARD:
                    continue
                source_pkg, target_pkg = _package(module), _package(target)
                if source_pkg != target_pkg:
                    found[(source_pkg, target_pkg)].add(module)
    return found


def test_every_package_has_a_place_in_the_table() -> None:
    packages = {_package(_module(p)) for p in SRC.rglob("*.py")}
    assert packages <= set(RANK), f"not in the package table: {sorted(packages - set(RANK))}"


def test_dependencies_point_down() -> None:
    upward = {
        f"{src} -> {dst} (in {', '.join(sorted(mods))})"
        for (src, dst), mods in _imports().items()
        if RANK[dst] > RANK[src]
    }
    assert not upward, "imports that point up the package table:\n" + "\n".join(sorted(upward))


def test_no_cycles_between_packages() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for src, dst in _imports():
        graph[src].add(dst)
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*path, node, nxt]))
            if nxt not in state:
                visit(nxt, [*path, node])
        state[node] = 2

    for node in list(graph):
        if node not in state:
            visit(node, [])
