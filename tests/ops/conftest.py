"""Helpers for the ops tests: the CLI run as `main()` runs it (errors mapped to exit codes)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from tests.support.upstream import recording_upstream
from typer.testing import CliRunner

from discreet.cli import app
from discreet.errors import DiscreetError

__all__ = ["recording_upstream"]


@dataclass
class CliResult:
    exit_code: int
    output: str


def run_cli(args: list[str], env: dict[str, str]) -> CliResult:
    """Invoke the CLI in-process; a DiscreetError becomes its exit code and message, as
    `discreet.cli.main` does it."""
    result = CliRunner().invoke(app, args, env=env)
    if isinstance(result.exception, DiscreetError):
        return CliResult(result.exception.exit_code, result.output + result.exception.message)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return CliResult(result.exit_code, result.output)


@pytest.fixture
def cli():
    return run_cli
