"""Safe YAML loading that remembers where every key and value stood in the file.

Admins edit flows and word lists by hand, so every error we report must point at a
`file:line:col`. PyYAML's composer gives node positions; we keep them in a map from
the path of each node (a tuple of keys and list indexes) to its 1-based line/col.
Only the safe loader is used: no object tags, ever. Anchors and aliases are refused
while the parser's events are read, before anything is built from them (flows need
neither, and nested aliases are the classic way to make a tiny file expand to
gigabytes), and so is nesting deeper than MAX_DEPTH.
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


class _Refused(Exception):
    """Something a flow never needs, refused where it stands in the file."""

    def __init__(self, mark: yaml.Mark, message: str) -> None:
        self.mark = mark
        self.message = message


MAX_DEPTH = 64  # far beyond any flow; deeper nesting is refused, not recursed into
NOT_ALLOWED = "anchors and aliases are not allowed"
# libyaml when PyYAML was built with it: about ten times faster than the pure-Python parser.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def _screen(text: str, loader_cls: type) -> None:
    """Read the parser's events once, before any node is built, and refuse what could
    make building them explode: anchors and aliases (a few hundred bytes of nested
    aliases expand to gigabytes, "billion laughs") and nesting deeper than MAX_DEPTH
    (the composer recurses once per level)."""
    loader = loader_cls(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                raise _Refused(event.start_mark, NOT_ALLOWED)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _Refused(event.start_mark, f"nested more than {MAX_DEPTH} levels deep")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()


def _construct(node: yaml.Node, loader: Any) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise _Refused(node.start_mark, f"cannot read this value ({exc})") from exc


def _walk(node: yaml.Node, path: PathKey, doc: YamlDoc, loader: Any) -> Any:
    doc.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _construct(key_node, loader)
            if isinstance(key, (list, dict)):
                key = str(key)
            if key in result:
                raise _Refused(key_node.start_mark, f"duplicate key {key!r}")
            doc.key_positions[path + (key,)] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            result[key] = _walk(value_node, path + (key,), doc, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, path + (i,), doc, loader) for i, item in enumerate(node.value)]
    return _construct(node, loader)


def _parse(text: str, file: str, loader_cls: type) -> tuple[YamlDoc | None, list[Problem]]:
    """Screen, compose and walk with one loader class; YAML errors are raised."""
    try:
        _screen(text, loader_cls)
        loader = loader_cls(text)
        try:
            node = loader.get_single_node()
            doc = YamlDoc(file=file, data=None)
            doc.data = _walk(node, (), doc, loader) if node is not None else None
        finally:
            loader.dispose()
        return doc, []
    except _Refused as exc:
        return None, [Problem(file, exc.mark.line + 1, exc.mark.column + 1, exc.message)]


def parse_yaml(text: str, file: str) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse one YAML document safely. Returns the document, or None with problems."""
    if _FAST_LOADER is not None:
        try:
            return _parse(text, file, _FAST_LOADER)
        except (yaml.YAMLError, UnicodeError):
            pass  # the text is broken: PyYAML's own parser words the error better, so ask it
    try:
        return _parse(text, file, yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        return None, [syntax_problem(text, file, exc)]
    except yaml.reader.ReaderError as exc:  # a control character, raised before any mark exists
        line, col = _line_col(text, exc.position)
        return None, [Problem(file, line, col, f"YAML syntax error: {exc.reason}")]
    except yaml.YAMLError as exc:
        return None, [Problem(file, 1, 1, f"YAML error: {exc}")]
    except RecursionError:  # only if a parser recursed after all; never a crash
        return None, [Problem(file, 1, 1, f"nested more than {MAX_DEPTH} levels deep")]


def _line_col(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    return before.count("\n") + 1, len(before.rsplit("\n", 1)[-1]) + 1


# Where a construct opened that the parser reached the end of the file inside.
NEVER_CLOSED = {
    "while scanning a quoted scalar": "this quote is never closed",
    "while parsing a flow sequence": "this [ is never closed",
    "while parsing a flow mapping": "this { is never closed",
}


def syntax_problem(text: str, file: str, exc: yaml.MarkedYAMLError) -> Problem:
    """A YAML syntax error at the place to fix, which is often not where PyYAML noticed it.

    An unclosed quote swallows the lines after it up to the next quote, and the parser
    only stumbles over what follows that one, lines later: report at the quote that
    opened. A `[`, `{` or quote still open at the end of the file: report where it opened.
    """
    what = exc.problem or exc.context or "invalid YAML"
    problem, context = exc.problem_mark, exc.context_mark
    if problem is not None:
        runaway = _runaway_quote(text, problem)
        if runaway is not None:
            return Problem(file, runaway.line + 1, runaway.column + 1,
                           f"YAML syntax error: the quote opened here runs on to line {problem.line + 1}: "
                           f"is its closing quote missing? ({what})")
    opened = NEVER_CLOSED.get(exc.context or "")
    if context is not None and opened and ("end of stream" in what or "stream end" in what):
        return Problem(file, context.line + 1, context.column + 1,
                       f"YAML syntax error: {opened} ({what} at line {problem.line + 1})"
                       if problem is not None else f"YAML syntax error: {opened}")
    mark = problem or context
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Problem(file, line, col, f"YAML syntax error: {what}")


def _runaway_quote(text: str, problem: yaml.Mark) -> yaml.Mark | None:
    """The start of a quoted text spanning several lines and ending on the problem's line."""
    last = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.index >= problem.index:
                break
            if isinstance(token, yaml.ScalarToken):
                last = token
    except yaml.YAMLError:
        pass  # the tokens up to the error are all we need
    if (last is None or last.style not in ("'", '"') or last.start_mark.line == last.end_mark.line
            or last.end_mark.line != problem.line):
        return None
    return last.start_mark


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
