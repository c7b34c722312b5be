"""Safe YAML loading that remembers where every key and value stood in the file.

Admins edit flows and word lists by hand, so every error we report must point at a
`file:line:col`. PyYAML's composer gives node positions; we keep them in a map from
the path of each node (a tuple of keys and list indexes) to its 1-based line/col.
Only the safe loader is used: no object tags, ever.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.problems import Problem

PathKey = tuple[Any, ...]


@dataclass
class YamlDoc:
    """A loaded YAML document: plain data plus the position of each node."""

    file: str
    data: Any
    positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: PathKey, *, key: bool = False) -> tuple[int, int]:
        """Line/col of the node at `path` (or of its key); the nearest parent if unknown."""
        table = self.key_positions if key else self.positions
        p = tuple(path)
        while p:
            if p in table:
                return table[p]
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), (1, 1))

    def problem(self, path: PathKey, message: str, *, key: bool = False) -> Problem:
        line, col = self.where(path, key=key)
        return Problem(self.file, line, col, message)


class _DuplicateKeyError(Exception):
    def __init__(self, mark: yaml.Mark, key: Any) -> None:
        self.mark = mark
        self.key = key


MAX_DEPTH = 64  # far beyond any flow; deeper nesting is refused, not recursed into


class _TooDeepError(Exception):
    def __init__(self, mark: yaml.Mark) -> None:
        self.mark = mark


def _walk(node: yaml.Node, path: PathKey, doc: YamlDoc, loader: yaml.SafeLoader) -> Any:
    if len(path) > MAX_DEPTH:
        raise _TooDeepError(node.start_mark)
    doc.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                key = str(key)
            if key in result:
                raise _DuplicateKeyError(key_node.start_mark, key)
            doc.key_positions[path + (key,)] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            result[key] = _walk(value_node, path + (key,), doc, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, path + (i,), doc, loader) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def parse_yaml(text: str, file: str) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse one YAML document safely. Returns the document, or None with problems."""
    loader = None
    try:
        loader = yaml.SafeLoader(text)  # the reader itself refuses some control characters
        node = loader.get_single_node()
        doc = YamlDoc(file=file, data=None)
        doc.data = _walk(node, (), doc, loader) if node is not None else None
        return doc, []
    except _DuplicateKeyError as exc:
        return None, [
            Problem(file, exc.mark.line + 1, exc.mark.column + 1, f"duplicate key {exc.key!r}")
        ]
    except _TooDeepError as exc:
        return None, [Problem(file, exc.mark.line + 1, exc.mark.column + 1,
                              f"nested more than {MAX_DEPTH} levels deep")]
    except RecursionError:  # the YAML composer itself recurses per level
        return None, [Problem(file, 1, 1, f"nested more than {MAX_DEPTH} levels deep")]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or exc.context or "invalid YAML"
        return None, [Problem(file, line, col, f"YAML syntax error: {what}")]
    except yaml.YAMLError as exc:  # e.g. unknown tag without a mark
        return None, [Problem(file, 1, 1, f"YAML error: {exc}")]
    finally:
        if loader is not None:
            loader.dispose()


def read_text(path: str | Path, name: str) -> tuple[str | None, list[Problem]]:
    """A file's UTF-8 text; an unreadable or non-UTF-8 file becomes a problem."""
    try:
        return Path(path).read_bytes().decode("utf-8"), []
    except UnicodeDecodeError as exc:
        return None, [Problem(name, 1, 1, f"file is not UTF-8 text (byte {exc.start})")]
    except OSError as exc:
        return None, [Problem(name, 1, 1, f"cannot read file: {exc.strerror}")]


def load_yaml(path: str | Path, display_name: str | None = None) -> tuple[YamlDoc | None, list[Problem]]:
    """Read and parse a YAML file; unreadable or non-UTF-8 files become problems."""
    name = display_name or str(path)
    text, problems = read_text(path, name)
    return parse_yaml(text, name) if text is not None else (None, problems)
