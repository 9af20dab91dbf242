"""Run a short script in a fresh interpreter: for what a process imports or loads on its
own (import costs, plugins), which the test process has long since imported."""

from __future__ import annotations

import subprocess
import sys


def run_fresh(script: str) -> None:
    """Run `script` with this interpreter; fail the test with its stderr if it fails."""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
