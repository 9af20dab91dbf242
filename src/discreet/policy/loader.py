"""Finding, reading and validating the policy file; the package's only I/O.

Where the policy comes from, first match wins:

1. the path passed in (``--config``);
2. the file named by ``DISCREET_CONFIG`` (callers pass the settings' ``config`` as the path:
   the settings read the environment, this module only the file);
3. ``./discreet.yaml``;
4. the built-in example policy shipped with discreet (strict defaults).

A path that is named (1 or 2) but missing is an error, never a silent fall back to the
defaults: a deployment that points at a policy must get that policy or not start.
"""

from __future__ import annotations

import os
import re
import types
import typing
from collections.abc import Mapping
from difflib import get_close_matches
from importlib.resources import files
from pathlib import Path as FilePath
from typing import Any

from pydantic import BaseModel, ValidationError

from discreet.policy.errors import Path, PolicyError, PolicyIssue
from discreet.policy.policy import Policy
from discreet.policy.references import unknown_name
from discreet.policy.yamlmap import parse_yaml

DEFAULT_FILENAME = "discreet.yaml"
BUILTIN_SOURCE = "<built-in example>"


def builtin_policy_text() -> str:
    """The example policy shipped as package data (also the fallback policy)."""
    return files("discreet").joinpath("data/discreet.example.yaml").read_text(encoding="utf-8")


def resolve_policy_path(path: str | os.PathLike[str] | None = None) -> FilePath | None:
    """The file `load_policy` would read; None means the built-in example."""
    if path is not None:
        return FilePath(path)
    local = FilePath(DEFAULT_FILENAME)
    return local if local.is_file() else None


def load_policy(path: str | os.PathLike[str] | None = None) -> Policy:
    """Load and validate the policy (see the module docstring for where it comes from).

    Raises `PolicyError` listing every problem, each with its line and key path.
    """
    resolved = resolve_policy_path(path)
    if resolved is None:
        return parse_policy(builtin_policy_text(), BUILTIN_SOURCE)
    source = str(resolved)
    try:
        raw = resolved.read_bytes()
    except FileNotFoundError:
        raise PolicyError([PolicyIssue((), "file not found")], source) from None
    except IsADirectoryError:
        raise PolicyError([PolicyIssue((), "is a directory, not a policy file")], source) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise PolicyError([PolicyIssue((), f"cannot read file: {reason}")], source) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(
            [PolicyIssue((), f"not UTF-8 text (bad byte at offset {exc.start})")], source
        ) from None
    return parse_policy(text, source)


def parse_policy(text: str, source: str = "<string>") -> Policy:
    """Validate policy YAML `text`; `source` names it in error messages."""
    try:
        data, lines = parse_yaml(text)
    except PolicyError as exc:
        raise exc.with_source(source) from None
    if data is None:
        raise PolicyError(
            [PolicyIssue((), "the file is empty; a policy needs at least 'version' and 'tenant'")],
            source,
        )
    if not isinstance(data, dict):
        raise PolicyError(
            [PolicyIssue((), f"the top level must be a mapping of keys, not {_kind(data)}", 1)],
            source,
        )
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        issues = [_issue(error, data) for error in exc.errors(include_url=False)]
        raise PolicyError(_dedupe(issues), source).with_source(source, lines) from None
    except PolicyError as exc:
        raise exc.with_source(source, lines) from None
    return policy._with_source(source)


# -- Pydantic errors -> issues ----------------------------------------------------------------


def _issue(error: Mapping[str, Any], data: object) -> PolicyIssue:
    kind = str(error["type"])
    loc = tuple(error["loc"])
    path = _clean_loc(loc, data, keep_last=kind == "missing")
    if kind == "missing":
        return PolicyIssue(path[:-1], f"required key '{path[-1]}' is missing")
    if kind == "extra_forbidden":
        return PolicyIssue(path, _unknown_key(path))
    if kind == "union_tag_invalid":  # e.g. an unknown operator name
        ctx = error.get("ctx", {})
        what = str(ctx.get("discriminator", "kind")).strip("'\"")
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected_tags", "")))
        return PolicyIssue(path, unknown_name(what, str(ctx.get("tag", "")), choices))
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    # Pydantic speaks Python; the reader wrote YAML.
    if kind == "model_type":
        message = "Input should be a mapping"
    message = (
        message.replace("a valid tuple", "a list")
        .replace("Tuple should", "List should")
        .replace("a valid dictionary", "a mapping")
    )
    value = error.get("input")
    if kind in {"literal_error", "enum"} and isinstance(value, str | int) and len(str(value)) < 65:
        # A misspelt choice from the policy vocabulary: configuration, safe to echo.
        message += f" (got {value!r})"
        choices = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
        close = get_close_matches(str(value), choices, n=1)
        if close:
            message += f"; did you mean '{close[0]}'?"
    elif kind.endswith("_type") or kind in {"literal_error", "enum"}:
        message += f" (got {_kind(value)})"
    if "[key]" in loc:
        message = f"invalid key: {message}"
    return PolicyIssue(path, message)


def _clean_loc(loc: tuple[Any, ...], data: object, *, keep_last: bool) -> Path:
    """Keep the parts of a Pydantic `loc` that name places in the data.

    Pydantic adds tags for union members and ``[key]`` for dict keys; dropping what does
    not navigate the data leaves a path a reader can find in the file.
    """
    path: list[str | int] = []
    node = data
    for i, element in enumerate(loc):
        in_dict = isinstance(node, dict) and element in node
        in_list = isinstance(node, list) and isinstance(element, int) and 0 <= element < len(node)
        if in_dict or in_list:
            path.append(element)
            node = node[element]  # type: ignore[index]
        elif keep_last and i == len(loc) - 1 and isinstance(element, str | int):
            path.append(element)
    return tuple(path)


def _unknown_key(path: Path) -> str:
    key = str(path[-1])
    allowed = _allowed_keys(path[:-1])
    message = f"unknown key '{key}'"
    if allowed:
        close = get_close_matches(key, allowed, n=1)
        if close:
            message += f"; did you mean '{close[0]}'?"
        message += f" (allowed: {', '.join(allowed)})"
    return message


def _allowed_keys(path: Path) -> list[str]:
    """The keys the model at `path` accepts, found by walking the type annotations."""
    annotation: Any = Policy
    for element in path:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(element))
            if field is None:
                return []
            annotation = field.annotation
        elif typing.get_origin(annotation) in (dict, list, tuple):
            args = typing.get_args(annotation)
            annotation = args[-1] if typing.get_origin(annotation) is dict else args[0]
        else:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated[...]`` and ``X | None`` down to the model or container inside."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = members[0]
        else:
            return annotation


def _dedupe(issues: list[PolicyIssue]) -> list[PolicyIssue]:
    seen: set[tuple[Path, str]] = set()
    unique = []
    for issue in issues:
        if (issue.path, issue.message) not in seen:
            seen.add((issue.path, issue.message))
            unique.append(issue)
    return unique


def _kind(value: object) -> str:
    """A YAML reader's name for a value's type (never the value itself)."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__
