"""The examples in `--help` texts name commands and options that exist: each one is parsed
by the real command line, so a renamed option cannot leave a help text teaching the old one.
(Typer vendors its own click, so commands are duck-typed.)"""

from __future__ import annotations

import re
import shlex
from typing import Any

import pytest
import typer.main

from discreet.cli import app

_EXAMPLE = re.compile(r"`([^`]*\bdiscreet [^`]+)`")


def _commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found = [(path, group)]
    if hasattr(group, "commands"):
        for name, sub in group.commands.items():
            found.extend(_commands(sub, (*path, name)))
    return found


def _help_texts(command: Any) -> list[str]:
    texts = [command.help or ""]
    texts.extend(getattr(param, "help", None) or "" for param in command.params)
    return texts


def _parses(root: Any, argv: list[str]) -> None:
    """Walk the groups down to the command and let click parse the rest (no callback runs)."""
    command = root
    while hasattr(command, "commands") and argv and argv[0] in command.commands:
        command = command.commands[argv.pop(0)]
    assert not hasattr(command, "commands"), f"{argv}: no such command"
    command.make_context(command.name or "discreet", list(argv), resilient_parsing=False)


def test_every_help_example_parses() -> None:
    root = typer.main.get_command(app)
    examples = []
    for _path, command in _commands(root):
        for text in _help_texts(command):
            for snippet in _EXAMPLE.findall(text):
                line = snippet.split("|")[-1].strip()
                examples.append(line)
                argv = shlex.split(line)[1:]
                _parses(root, argv)
    assert len(examples) >= 2, examples


def test_a_wrong_example_would_be_caught() -> None:
    root = typer.main.get_command(app)
    with pytest.raises(Exception, match="No such option"):
        _parses(root, ["scan", "--no-such-option"])
