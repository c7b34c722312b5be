"""Safe YAML loading that remembers where every key and value stood in the file.

Admins edit flows and word lists by hand, so every error we report must point at a
`file:line:col`. The parser's events give node positions; we keep them in a map from
the path of each node (a tuple of keys and list indexes) to its 1-based line/col.
Only the safe loader is used: no object tags, ever. Anchors and aliases are refused
while the parser's events are read, before anything is built from them (flows need
neither, and nested aliases are the classic way to make a tiny file expand to
gigabytes), and so is nesting deeper than MAX_DEPTH.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

import yaml

from bot.base.problems import Problem

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


class _Mark(Protocol):
    """A place in the text: a yaml.Mark, or the C loader's mark of the same shape."""

    line: int
    column: int


class _Refused(Exception):
    """Something a flow never needs, refused where it stands in the file."""

    def __init__(self, mark: _Mark | None, message: str) -> None:
        self.where = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        self.message = message


MAX_DEPTH = 64  # far beyond any flow; deeper nesting is refused, not recursed into
NOT_ALLOWED = "anchors and aliases are not allowed"
# libyaml when PyYAML was built with it: about ten times faster than the pure-Python parser.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


_NODES = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent, yaml.AliasEvent)
_CLOSE = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
_STR = "tag:yaml.org,2002:str"
_KEY = object()  # a mapping waiting for its next key


def _build(text: str, file: str, loader_cls: type) -> YamlDoc:
    """The document's data and positions, built straight from the parser's events.

    Nothing is built from an anchor or alias: they are refused where they stand, so a
    few hundred bytes of nested aliases cannot expand to gigabytes ("billion laughs").
    No node tree is composed either (for a large flow that tree costs more than the
    parse), and nothing recurses, so nesting is refused past MAX_DEPTH, not overflowed.
    YAML syntax errors are raised; everything else refused raises _Refused.
    """
    loader = loader_cls(text)
    doc = YamlDoc(file=file, data=None)
    positions, key_positions = doc.positions, doc.key_positions
    stack: list[list[Any]] = []  # [container, path, key waiting for its value] per open collection
    documents = 0
    try:
        for event in iter(loader.get_event, None):
            kind = type(event)
            if kind in _CLOSE:
                stack.pop()
                continue
            if kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _Refused(event.start_mark, "a flow file holds one YAML document; another starts here")
                continue
            if kind not in _NODES:
                continue  # the stream's start and end, a document's end
            mark = event.start_mark
            if event.anchor is not None:  # an alias's name is its `anchor` too
                raise _Refused(mark, NOT_ALLOWED)
            if kind is yaml.ScalarEvent:
                value = _scalar(event, loader)
            elif len(stack) >= MAX_DEPTH:
                raise _Refused(mark, f"nested more than {MAX_DEPTH} levels deep")
            else:
                value = [] if kind is yaml.SequenceStartEvent else {}
            where = (mark.line + 1, mark.column + 1)
            if not stack:
                path: PathKey = ()
                doc.data = value
            elif type(stack[-1][0]) is list:
                container, base, _ = stack[-1]
                path = base + (len(container),)
                container.append(value)
            elif stack[-1][2] is _KEY:
                container, base, _ = stack[-1]
                if kind is not yaml.ScalarEvent:
                    raise _Refused(mark, "a key must be a single value, not a list or mapping")
                if value in container:
                    raise _Refused(mark, f"duplicate key {value!r}")
                stack[-1][2] = value
                key_positions[base + (value,)] = where
                continue
            else:
                frame = stack[-1]
                path = frame[1] + (frame[2],)
                frame[0][frame[2]] = value
                frame[2] = _KEY
            positions[path] = where
            if kind is not yaml.ScalarEvent:
                stack.append([value, path, _KEY])
    finally:
        loader.dispose()
    return doc


def _scalar(event: yaml.ScalarEvent, loader: Any) -> Any:
    """A scalar's value, resolved and constructed as PyYAML's safe loader would."""
    tag = event.tag
    if tag is None or tag == "!":
        tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == _STR:
        return event.value  # most scalars of a flow; what the constructor would return
    # The stubs type a node's marks as yaml.Mark only; the C loader's marks do as well.
    start, end = cast(yaml.Mark, event.start_mark), cast(yaml.Mark, event.end_mark)
    node = yaml.ScalarNode(tag, event.value, start, end, style=event.style)
    try:
        return loader.construct_object(node, deep=True)
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise _Refused(event.start_mark, f"cannot read this value ({exc})") from exc


def _parse(text: str, file: str, loader_cls: type) -> tuple[YamlDoc | None, list[Problem]]:
    """Build with one loader class; YAML syntax errors are raised."""
    try:
        return _build(text, file, loader_cls), []
    except _Refused as exc:
        return None, [Problem(file, *exc.where, exc.message)]


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


# PyYAML's words for a wrong indentation, in an admin's words (PyYAML's follow in brackets).
PLAIN = {
    "expected <block end>": "this line is indented differently from the lines of its block: "
    "line it up, with spaces, under the keys it belongs with",
    "mapping values are not allowed here": "a `key: value` cannot start here: is this line indented too far, "
    "or does the text before it hold a colon and a space (then put that text in quotes)?",
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
            return Problem(
                file,
                runaway.line + 1,
                runaway.column + 1,
                f"YAML syntax error: the quote opened here runs on to line {problem.line + 1}: "
                f"is its closing quote missing? ({what})",
            )
    opened = NEVER_CLOSED.get(exc.context or "")
    if context is not None and opened and ("end of stream" in what or "stream end" in what):
        return Problem(
            file,
            context.line + 1,
            context.column + 1,
            f"YAML syntax error: {opened} ({what} at line {problem.line + 1})"
            if problem is not None
            else f"YAML syntax error: {opened}",
        )
    mark = problem or context
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    plain = next((words for start, words in PLAIN.items() if what.startswith(start)), None)
    return Problem(file, line, col, f"YAML syntax error: {plain} ({what})" if plain else f"YAML syntax error: {what}")


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
    if (
        last is None
        or last.style not in ("'", '"')
        or last.start_mark.line == last.end_mark.line
        or last.end_mark.line != problem.line
    ):
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
