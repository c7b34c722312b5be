"""Babel extraction method for the YAML flows (entry point `sammanbot_flows`).

Each text is yielded with its message context (`<flow>/<step>`, `<flow>/<step>/<choice>`,
`<flow>/title`, `<flow>/reminder`, or the safeguarding lexicon's help contexts) so a
translator sees where it belongs, and Babel records the YAML file:line as its location.
The walk over a flow is the engine's (`text_contexts`), so the contexts the extractor
writes are the ones the engine asks for.

babel.cfg chooses the kind of file with the `kind` option: `flow` (default) or
`safeguarding`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from typing import IO, Any

# Babel's default keyword for (context, msgid): arguments 1 = context, 2 = msgid.
CONTEXT_KEYWORD = "pgettext"
BUTTON_COMMENT = "Button label: keep it short (at most {max} characters)."


class ExtractionError(ValueError):
    """A flow file that cannot be read: extraction must not silently drop its texts."""


def _parse(kind: str, text: str, filename: str) -> Any:
    """The engine's Flow or the safeguarding Lexicon; raises with the file's problems."""
    parse: Callable[[str, str], tuple[object, list[Any]]]
    if kind == "flow":
        from bot.engine.load import parse_flow_text as parse
    elif kind == "safeguarding":
        from bot.safeguarding import parse_lexicon as parse
    else:
        raise ExtractionError(f"{filename}: unknown kind {kind!r} (flow or safeguarding)")
    parsed, problems = parse(text, filename)
    if parsed is None:
        raise ExtractionError("\n".join(str(p) for p in problems) or f"{filename}: cannot be read")
    return parsed


def texts_of_file(fileobj: IO[bytes], kind: str = "flow") -> Iterator[tuple[str, str, int]]:
    """(context, msgid, line) for every translatable text in one YAML file."""
    filename = str(getattr(fileobj, "name", "<yaml>"))
    try:
        text = fileobj.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExtractionError(f"{filename}:1:1: file is not UTF-8 text (byte {exc.start})") from exc
    parsed = _parse(kind, text, filename)
    if kind == "flow":
        from bot.engine import text_contexts

        yield from text_contexts(parsed)
    else:
        yield from parsed.help_contexts()


def extract_flows(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Babel extraction method: yields (line, funcname, (context, msgid), comments)."""
    if CONTEXT_KEYWORD not in keywords:
        raise ExtractionError(f"the {CONTEXT_KEYWORD!r} keyword is needed (do not use --no-default-keywords)")
    kind = options.get("kind", "flow")
    for context, msgid, line in texts_of_file(fileobj, kind):
        if msgid:
            yield line, CONTEXT_KEYWORD, (context, msgid), _comments(kind, context)


def _comments(kind: str, context: str) -> list[str]:
    """Hints for translators; choice labels (`<flow>/<step>/<choice>`) are buttons."""
    if kind == "flow" and context.count("/") == 2:
        from bot.engine.model import MAX_LABEL

        return [BUTTON_COMMENT.format(max=MAX_LABEL)]
    return []
