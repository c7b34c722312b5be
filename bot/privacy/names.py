"""The sender's own Telegram first name, last name and username, wherever they
appear: case-, diacritic- and keyboard-variant-insensitive, on word boundaries, in
any script.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from .span import NAME, USERNAME, Span
from .textfold import Folded, fold_str

_MIN_LEN = 2
_PARTS = re.compile(r"[^\W_]+")


def _tokens(names: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """(folded token, label) for every name and every word of a name."""
    out: dict[str, str] = {}
    for raw in names:
        if not raw or not raw.strip():
            continue
        name = raw.strip()
        is_username = name.startswith("@") or "_" in name or any(c.isdigit() for c in name)
        folded = fold_str(name.lstrip("@"))
        if is_username:
            if len(folded) >= _MIN_LEN:
                out[folded] = USERNAME
            continue
        for part in {folded, *_PARTS.findall(folded)}:
            if len(part) >= _MIN_LEN and not part.isdigit():
                out.setdefault(part, NAME)
    return tuple(sorted(out.items(), key=lambda kv: (-len(kv[0]), kv[0])))


@lru_cache(maxsize=256)
def _pattern(tokens: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    alternatives = "|".join(f"(?P<t{i}>{re.escape(tok)})" for i, (tok, _) in enumerate(tokens))
    return re.compile(rf"(?<![\w@])@?(?:{alternatives})(?!\w)")


def find_names(folded: Folded, names: Iterable[str]) -> list[Span]:
    tokens = _tokens(names)
    if not tokens:
        return []
    spans = []
    for m in _pattern(tokens).finditer(folded.text):
        group = m.lastgroup
        if group is None:  # never: each alternative is a named group
            continue
        label = tokens[int(group[1:])][1]
        start, end = folded.span(m.start(), m.end())
        spans.append(Span(start, end, label))
    return spans
