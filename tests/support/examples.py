"""Run a Markdown file's examples as a new user would: every fenced `bash` and `python` block,
in order, in one shell, from an empty directory, with the virtualenv's `bin/` on the PATH.

The conventions a README follows so that its examples can be checked:
- `# → text` lines in a bash block are what the command just above them prints on stdout
  (one `# →` line per output line);
- a `text` block introduced by a paragraph "prints" is what the python block above it prints;
- `<!-- example: skip: why -->` on the line above a block leaves it out, saying why;
- `<!-- example: background -->` starts the block's command in the background (a server) and
  waits until its port answers; it is stopped when the session ends.
The port 8000 is replaced by a free one, so examples do not collide with a running server.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

_FENCE = re.compile(r"^```(\w*)\s*$")
_MARK = re.compile(r"^<!--\s*example:\s*(skip|background)\b:?\s*(.*?)\s*-->\s*$")
_SENTINEL = "@@example-step {}@@"


@dataclass
class Block:
    """One fenced block: its language, body, first line number and marker."""

    lang: str
    body: str
    line: int
    mark: str = ""
    expected: str | None = None  # for a python block: the `text` block after "prints"
    why: str = ""  # for a skipped block: the reason its marker gives


@dataclass
class Step:
    """One command of the session, what it should print (if shown) and where it is."""

    script: str
    where: str
    expected: str | None = None


@dataclass
class Session:
    steps: list[Step] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "FILE:LINE: why" of each skipped block


def blocks(markdown: str) -> list[Block]:
    """The fenced blocks of a Markdown text, with their markers and shown output."""
    lines = markdown.splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        opened = _FENCE.match(lines[i])
        if not opened or not opened.group(1):
            i += 1
            continue
        start = i
        i += 1
        body: list[str] = []
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i])
            i += 1
        mark = why = ""
        prev = start - 1
        while prev >= 0 and not lines[prev].strip():
            prev -= 1
        marker = _MARK.match(lines[prev]) if prev >= 0 else None
        if marker:
            mark, why = marker.group(1), marker.group(2)
        block = Block(opened.group(1), "\n".join(body) + "\n", start + 1, mark, why=why)
        if block.lang == "text" and found and lines[prev].strip() == "prints":
            found[-1].expected = block.body
        else:
            found.append(block)
        i += 1
    return found


def _bash_steps(block: Block, where: str) -> list[Step]:
    """Split a bash block into commands, each with the `# →` lines that follow it."""
    steps: list[Step] = []
    pending: list[str] = []
    for number, raw in enumerate(block.body.splitlines()):
        if raw.startswith("# →"):
            assert steps, f"{where}: output shown before any command"
            shown = raw[len("# →") :].removeprefix(" ")
            steps[-1].expected = (steps[-1].expected or "") + shown + "\n"
            continue
        pending.append(raw)
        script = "\n".join(pending)
        if _complete(script):
            if script.strip():
                steps.append(Step(script, f"{where}, line {block.line + 1 + number}"))
            pending = []
    assert not pending, f"{where}: unfinished command"
    return steps


def _complete(script: str) -> bool:
    """Whether a shell fragment is whole (heredocs closed, quotes balanced)."""
    here = re.search(r"<<\s*'?(\w+)'?", script)
    if here and not re.search(rf"^{here.group(1)}$", script, re.MULTILINE):
        return False
    try:
        shlex.split(script, comments=True)
    except ValueError:
        return False
    return not script.rstrip().endswith("\\")


def session(markdown: str, name: str, port: int) -> Session:
    """Every runnable block of a Markdown file as shell steps, in order."""
    result = Session()
    for block in blocks(markdown):
        where = f"{name}:{block.line}"
        body = block.body.replace(":8000", f":{port}").replace("--port 8000", f"--port {port}")
        block = Block(block.lang, body, block.line, block.mark, block.expected, block.why)
        if block.mark == "skip":
            result.skipped.append(f"{where}: {block.why}")
            continue
        if block.lang in ("bash", "sh", "shell"):
            if block.mark == "background":
                command = block.body.strip()
                result.steps.append(
                    Step(
                        f"{command} > server.log 2>&1 &\n_bg+=($!)\n"
                        f'python -c "{_WAIT_PORT}" {port} || {{ cat server.log >&2; exit 1; }}',
                        where,
                    )
                )
            else:
                result.steps.extend(_bash_steps(block, where))
        elif block.lang == "python":
            script = f"python - <<'__PYTHON__'\n{block.body}__PYTHON__"
            result.steps.append(Step(script, where, block.expected))
    return result


_WAIT_PORT = (
    "import socket, sys, time\n"
    "deadline = time.monotonic() + 120\n"
    "while time.monotonic() < deadline:\n"
    "    try:\n"
    "        socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1).close(); sys.exit(0)\n"
    "    except OSError: time.sleep(0.2)\n"
    "sys.exit(1)\n"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Outcome:
    step: Step
    stdout: str


def clean_env(workdir: Path) -> dict[str, str]:
    """A new user's shell: the virtualenv on the PATH, no discreet settings of ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCREET_", "PYTEST"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["HOME"] = str(workdir)
    env["COLUMNS"] = "120"
    return env


def run_session(steps: list[Step], workdir: Path, timeout: float = 600) -> list[Outcome]:
    """Run the steps in one bash, `set -e`; return each step's stdout.

    Fails with the step's place and its stderr when a command fails."""
    parts = ["set -eo pipefail", "_bg=()", "trap 'for p in \"${_bg[@]}\"; do kill $p; done' EXIT"]
    for number, step in enumerate(steps):
        parts.append(step.script)
        parts.append(f"echo '{_SENTINEL.format(number)}'")
    proc = subprocess.run(
        ["bash", "-c", "\n".join(parts)],
        cwd=workdir,
        env=clean_env(workdir),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    outputs = re.split(r"@@example-step \d+@@\n", proc.stdout)
    done = len(outputs) - 1
    if proc.returncode != 0:
        failed = steps[done] if done < len(steps) else steps[-1]
        raise AssertionError(
            f"example at {failed.where} failed (exit {proc.returncode}):\n{failed.script}\n"
            f"--- stderr ---\n{proc.stderr[-3000:]}"
        )
    return [Outcome(step, out) for step, out in zip(steps, outputs, strict=False)]
