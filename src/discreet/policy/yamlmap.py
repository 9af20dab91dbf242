"""Parse YAML and remember the line of every key and list item.

Validation errors are only useful if they say where to look. PyYAML's `compose` keeps a
position ("mark") on every node, so we compose first, walk the node tree to build a map
from key path (``("assistants", "billing", "categories", 1)``) to 1-based line, and only
then construct plain Python data from the same nodes.

While walking we also reject duplicate keys: PyYAML silently keeps the last one, which in a
policy would let a second ``billing:`` block quietly replace the first.
"""

from __future__ import annotations

import yaml

from discreet.policy.errors import Path, PolicyError, PolicyIssue

_MERGE_TAG = "tag:yaml.org,2002:merge"
# Aliases can make a small file expand enormously ("billion laughs") or refer to itself;
# a policy never needs anything close to these limits.
_MAX_DEPTH = 64
_MAX_NODES = 100_000


def parse_yaml(text: str) -> tuple[object, dict[Path, int]]:
    """Parse one YAML document into (data, path -> line). Raises `PolicyError`.

    An empty document gives ``(None, {})``; the caller decides whether that is an error.
    """
    loader = yaml.SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            raise PolicyError([_yaml_issue(exc)]) from None
        except yaml.YAMLError as exc:  # unmarked errors are rare (e.g. bad encoding)
            raise PolicyError([PolicyIssue((), f"invalid YAML: {exc}")]) from None
        if node is None:
            return None, {}
        lines: dict[Path, int] = {(): node.start_mark.line + 1}
        duplicates: list[PolicyIssue] = []
        _walk(node, (), lines, duplicates)
        if duplicates:
            raise PolicyError(duplicates)
        try:
            data = loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            raise PolicyError([_yaml_issue(exc)]) from None
        return data, lines
    finally:
        loader.dispose()


def _yaml_issue(exc: yaml.MarkedYAMLError) -> PolicyIssue:
    # Only PyYAML's own wording, never its snippet of the offending line.
    mark = exc.problem_mark or exc.context_mark
    parts = [p for p in (exc.context, exc.problem) if p]
    message = "invalid YAML: " + (", ".join(parts) if parts else "could not parse")
    return PolicyIssue((), message, mark.line + 1 if mark is not None else None)


def _walk(
    node: yaml.Node, path: Path, lines: dict[Path, int], duplicates: list[PolicyIssue]
) -> None:
    if len(path) > _MAX_DEPTH or len(lines) > _MAX_NODES:
        line = node.start_mark.line + 1
        raise PolicyError([PolicyIssue(path, "document is nested or aliased too deeply", line)])
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG or not isinstance(key_node, yaml.ScalarNode):
                # `<<: *defaults` merges keys in; complex keys cannot name a policy key.
                _walk(value_node, path, lines, duplicates)
                continue
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                duplicates.append(
                    PolicyIssue(
                        (*path, key), f"duplicate key '{key}' (first at line {seen[key]})", line
                    )
                )
                continue
            seen[key] = line
            lines[(*path, key)] = line
            _walk(value_node, (*path, key), lines, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _walk(item, (*path, index), lines, duplicates)
