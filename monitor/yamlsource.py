"""YAML read with line numbers, so a mistake in the council's config names its line.

``read_yaml`` returns the data together with a ``Locator`` that maps a key path such as
``("services", 2, "start_urls", 0)`` to the line in the file where it was written.
Duplicate keys are reported here, because PyYAML silently keeps the last one.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


@dataclass(frozen=True)
class ConfigProblem:
    """One mistake in a config file, in the words a council officer can act on."""

    file: Path
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{where}: {self.key or '(top level)'}: {self.message}"


class ConfigError(Exception):
    """The configuration could not be used; ``problems`` lists every mistake found."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Locator:
    """Finds the line of a key path inside a composed YAML document."""

    root: Node | None
    file: Path

    def line_of(self, path: tuple[Any, ...]) -> int | None:
        node = self.root
        line = node.start_mark.line + 1 if node is not None else None
        for part in path:
            if isinstance(node, MappingNode):
                for key_node, value_node in node.value:
                    if isinstance(key_node, ScalarNode) and key_node.value == str(part):
                        line = key_node.start_mark.line + 1
                        node = value_node
                        break
                else:
                    return line
            elif isinstance(node, SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    node = node.value[part]
                    line = node.start_mark.line + 1
                else:
                    return line
            else:
                return line
        return line


@dataclass
class YamlDocument:
    data: Any
    locator: Locator
    problems: list[ConfigProblem] = field(default_factory=list)


_ENV = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}")


def expand_environment(value: Any) -> Any:
    """Replace ``${NAME}`` and ``${NAME:-default}`` in strings with environment values.

    Used for hosts and ports that differ between machines (the demo site's address,
    a test endpoint), never for secrets: journey secrets are resolved at run time.
    """
    if isinstance(value, str):
        return _ENV.sub(lambda m: os.environ.get(m.group(1), m.group(2) or ""), value)
    if isinstance(value, list):
        return [expand_environment(v) for v in value]
    if isinstance(value, dict):
        return {k: expand_environment(v) for k, v in value.items()}
    return value


def _duplicate_keys(node: Node | None, file: Path, path: str = "") -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    if isinstance(node, MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            here = f"{path}.{key}" if path else key
            if key in seen:
                problems.append(
                    ConfigProblem(
                        file, key_node.start_mark.line + 1, here, "this key is written twice"
                    )
                )
            seen.add(key)
            problems += _duplicate_keys(value_node, file, here)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            problems += _duplicate_keys(item, file, f"{path}[{index}]")
    return problems


def read_yaml(file: Path) -> YamlDocument:
    """Read one YAML file; problems (unreadable, malformed, duplicate keys) are collected."""
    empty = Locator(None, file)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return YamlDocument(None, empty, [ConfigProblem(file, None, "", "file not found")])
    except (OSError, UnicodeDecodeError) as exc:
        return YamlDocument(None, empty, [ConfigProblem(file, None, "", f"cannot read: {exc}")])
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        reason = exc.problem or exc.context or "malformed YAML"
        return YamlDocument(
            None, empty, [ConfigProblem(file, line, "", f"malformed YAML: {reason}")]
        )
    except yaml.YAMLError as exc:
        return YamlDocument(None, empty, [ConfigProblem(file, None, "", f"malformed YAML: {exc}")])
    locator = Locator(root, file)
    return YamlDocument(expand_environment(data), locator, _duplicate_keys(root, file))


def dotted(path: tuple[Any, ...]) -> str:
    """``("services", 2, "owner", "email")`` → ``services[2].owner.email``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
