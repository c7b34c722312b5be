"""Text folding with an offset map: case, diacritics, script variants and digits.

Detectors match on the folded text and replace spans of the original, so every
folded character remembers which original character it came from.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Arabic-Indic (٠-٩) and Persian/Urdu (۰-۹) digits -> ASCII. One char for one char,
# so offsets do not move.
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

# Letters written differently on Arabic, Persian and Pashto keyboards for the same name.
_ARABIC_VARIANTS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",
        "ې": "ي",
        "ۍ": "ي",
        "ئ": "ي",
        "ك": "ک",
        "ګ": "گ",
        "ة": "ه",
        "ۀ": "ه",
        "ؤ": "و",
        "ـ": "",  # tatweel (kashida) is decoration
        "’": "'",
        "ʼ": "'",
        "`": "'",
    }
)


@lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    """The folded form of one character (may be empty or longer than one char)."""
    ch = ch.translate(DIGITS).translate(_ARABIC_VARIANTS)
    out = []
    for c in unicodedata.normalize("NFKD", ch):
        if unicodedata.category(c) == "Mn":  # accents, harakat
            continue
        out.append(c)
    return "".join(out).casefold()


@dataclass(frozen=True)
class Folded:
    """`text` folded; `origin[i]` is the index in the original of folded char i."""

    text: str
    origin: tuple[int, ...]
    length: int  # length of the original

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span covering folded[start:end] (end exclusive, non-empty)."""
        return self.origin[start], self.origin[end - 1] + 1


def fold(text: str) -> Folded:
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        f = ch if ch.isascii() and not ch.isupper() else fold_char(ch)
        chars.append(f)
        origin.extend([i] * len(f))
    return Folded("".join(chars), tuple(origin), len(text))


def fold_str(text: str) -> str:
    """Only the folded text (for building patterns and word lists)."""
    return fold(text).text
