"""Errors of the policy package.

Two families, because callers handle them differently:

* `PolicyError`: the policy file itself is wrong (missing, malformed, invalid, inconsistent).
  It carries every problem found, each with a key path and, when known, a line number, so
  `discreet policy check` can list them all at once. The gateway treats it as "refuse to
  start" (fail closed, ARCHITECTURE principle 1).
* `PolicyDenied`: the policy is fine but forbids what was asked (an assistant asking for a
  purpose it does not serve, an unknown assistant). The gateway refuses the turn.

Messages name keys, names from the policy file and line numbers; never customer data
(the policy holds none).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from discreet.errors import Forbidden, InvalidInput

PathElement = str | int
Path = tuple[PathElement, ...]


def format_path(path: Path) -> str:
    """Render a key path the way a reader finds it in YAML: ``assistants.billing.fields[2]``."""
    out = ""
    for element in path:
        if isinstance(element, int):
            out += f"[{element}]"
        else:
            out += f".{element}" if out else element
    return out or "(top level)"


def line_for(lines: dict[Path, int], path: Path) -> int | None:
    """The line of `path`, or of its nearest ancestor that is in the file (e.g. for a
    missing key, the line of the mapping it is missing from)."""
    for end in range(len(path), -1, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return None


@dataclass(frozen=True, slots=True)
class PolicyIssue:
    """One problem in a policy file: where (key path, line) and what."""

    path: Path
    message: str
    line: int | None = None
    """1-based line in the source file; None when the problem has no place in a file."""

    def format(self, source: str | None = None) -> str:
        where = source or ""
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        prefix = f"{where}: " if where else ""
        if self.path:
            return f"{prefix}{format_path(self.path)}: {self.message}"
        return f"{prefix}{self.message}"


class PolicyError(InvalidInput):
    """The policy could not be loaded: every problem found, with its key path and line."""

    def __init__(self, issues: Iterable[PolicyIssue], source: str | None = None) -> None:
        self.issues: tuple[PolicyIssue, ...] = tuple(issues)
        self.source = source
        super().__init__(self._summary())

    def with_source(self, source: str, lines: dict[Path, int] | None = None) -> PolicyError:
        """The same issues, attributed to `source`, with line numbers filled in from `lines`."""
        issues = [
            issue
            if issue.line is not None or lines is None
            else PolicyIssue(issue.path, issue.message, line_for(lines, issue.path))
            for issue in self.issues
        ]
        return PolicyError(issues, source)

    def messages(self) -> list[str]:
        """One line per issue, in file order where lines are known."""
        ordered: Sequence[PolicyIssue] = sorted(
            self.issues, key=lambda i: (i.line is None, i.line or 0)
        )
        return [issue.format(self.source) for issue in ordered]

    def _summary(self) -> str:
        count = len(self.issues)
        head = f"{self.source}: " if self.source else ""
        noun = "problem" if count == 1 else "problems"
        return f"{head}invalid policy ({count} {noun}):\n  " + "\n  ".join(self.messages())


class PolicyDenied(Forbidden, PermissionError):
    """The policy forbids the request. The gateway refuses the turn; nothing goes upstream."""


class UnknownAssistant(PolicyDenied):
    """No assistant of that name in the policy (an unknown identity is never served)."""


class UnknownPurpose(PolicyDenied):
    """No purpose of that name in the policy."""
