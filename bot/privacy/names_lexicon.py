"""The name lexicon shipped in bot/privacy/data/: given names, family names and the names
that are also common words, as folded keys (see `key`), loaded once.

Ukrainian (Cyrillic) names are declined, so their case forms are added as they load
("Андрій" → "Андрієм", "Ганна" → "Ганні").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .textfold import fold_str

DATA = Path(__file__).resolve().parent / "data"
ZWNJ = "\u200c"
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def key(word: str) -> str:
    """The lookup key of a word or compound: folded, without joiners or separators."""
    return fold_str(word).replace(ZWNJ, "").replace("_", "").replace(" ", "")


def _entries(path: Path) -> dict[str, list[str]]:
    """Entries by section (`[name]` lines; "" before the first)."""
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections.setdefault(current, [])
        elif line:
            sections[current].extend(line.split())
    return sections


def _ukrainian_forms(name: str) -> list[str]:
    """The case forms of a Ukrainian name (nominative included)."""
    if not _CYRILLIC.search(name):
        return [name]
    endings: tuple[str, ...]
    if name.endswith("а"):
        stem, endings = name[:-1], ("а", "и", "і", "у", "ою", "о")
    elif name.endswith("я"):
        stem, endings = name[:-1], ("я", "ї", "ю", "єю", "є", "і")
    elif name.endswith("й"):
        stem, endings = name[:-1], ("й", "я", "ю", "єві", "єм", "ї")
    elif name.endswith("о"):
        stem, endings = name[:-1], ("о", "а", "у", "ові", "ом", "е")
    elif name.endswith("ь"):
        stem, endings = name[:-1], ("ь", "я", "ю", "еві", "ем", "і")
    else:
        stem, endings = name, ("", "а", "у", "ові", "ом", "е", "і")
    return [stem + e for e in endings]


def _keys(words: list[str]) -> frozenset[str]:
    return frozenset(key(form) for word in words for form in _ukrainian_forms(word))


@dataclass(frozen=True)
class NameLexicon:
    given: frozenset[str]
    surnames: frozenset[str]
    context: frozenset[str]  # redacted only in a name context
    named: frozenset[str]  # redacted only where the text says it is a name

    def common(self, k: str) -> bool:
        return k in self.context or k in self.named


@lru_cache(maxsize=1)
def lexicon() -> NameLexicon:
    given = _entries(DATA / "given_names.txt")[""]
    surnames = _entries(DATA / "surnames.txt")[""]
    common = _entries(DATA / "common_words.txt")
    return NameLexicon(_keys(given), _keys(surnames), _keys(common.get("context", [])), _keys(common.get("named", [])))
