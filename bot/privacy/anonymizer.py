"""The anonymiser: every text that leaves for staff goes through `anonymize`.

It finds what identifies a person (see the finder modules) and puts a typed
placeholder such as `[PHONE]` or `[NAME]` in its place. Ordinary content (years,
ages, times, prices, bus lines, dates) is left alone.
"""
from __future__ import annotations

from collections.abc import Iterable

from .identifiers import AFTER_PHONES, BEFORE_PHONES
from .introductions import find_introduced_names
from .names import find_names
from .phones import find_phones
from .span import NAME, Span
from .textfold import DIGITS, fold


def _resolve(candidates: Iterable[Span]) -> list[Span]:
    """Keep the first of any overlapping candidates (they come in priority order),
    then join names that only whitespace separates ("[NAME] [NAME]" -> "[NAME]")."""
    kept: list[Span] = []
    for span in candidates:
        if span.end > span.start and not any(k.start < span.end and span.start < k.end for k in kept):
            kept.append(span)
    kept.sort()
    return kept


def _join_names(text: str, spans: list[Span]) -> list[Span]:
    joined: list[Span] = []
    for span in spans:
        prev = joined[-1] if joined else None
        if (
            prev is not None
            and prev.label == span.label == NAME
            and text[prev.end : span.start].isspace()
        ):
            joined[-1] = Span(prev.start, span.end, NAME)
        else:
            joined.append(span)
    return joined


def find_spans(text: str, *, names: Iterable[str] = (), name_answer: bool = False) -> list[Span]:
    """The identifying spans of `text`, sorted, not overlapping."""
    digits = text.translate(DIGITS)
    candidates: list[Span] = []
    for finder in BEFORE_PHONES:
        candidates.extend(finder(digits))
    candidates.extend(find_phones(digits))
    for finder in AFTER_PHONES:
        candidates.extend(finder(digits))
    folded = fold(text)
    introduced = find_introduced_names(text, folded, name_answer=name_answer)
    candidates.extend(introduced)
    # A name the writer gave is theirs wherever else it appears in the text.
    own = [*names, *(text[s.start : s.end] for s in introduced)]
    candidates.extend(find_names(folded, own))
    return _join_names(text, _resolve(candidates))


def anonymize(text: str, *, names: Iterable[str] = (), name_answer: bool = False) -> str:
    """`text` with every identifying span replaced by its placeholder.

    `names`: the sender's own Telegram first name, last name and username.
    `name_answer`: the text answers a question that asks for a name.
    """
    names = tuple(names)
    out: list[str] = []
    pos = 0
    for span in find_spans(text, names=names, name_answer=name_answer):
        out.append(text[pos : span.start])
        out.append(span.placeholder)
        pos = span.end
    out.append(text[pos:])
    return "".join(out)
