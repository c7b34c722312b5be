"""Fold a message into the plain token string the crisis matcher compares against.

The same folding is applied to the admins' phrases and to every incoming message, so
spelling differences that carry no meaning disappear on both sides:

- Unicode NFKC (full-width letters, ligatures, compatibility forms);
- invisible characters: zero-width space/joiner/non-joiner, BOM, bidi marks, soft hyphen
  (every format character, category Cf) and Arabic tatweel;
- case (casefold) and all combining marks: Latin and Cyrillic diacritics (å→a, ї→і,
  й→и), Arabic tashkeel and hamza carriers (أ إ آ → ا);
- Arabic-script letter variants: ي ى ې ۍ ئ → ی, ك → ک, ة ۀ ە → ه, ګ → گ, and
  Arabic-Indic / Persian digits → ASCII;
- Ethiopic (Tigrinya) spellings that Amharic keyboards write differently: ሠ→ሰ, ፀ→ጸ,
  ቐ→ቀ, ኸ→ከ (whole syllable rows) and ኣ→አ;
- apostrophes are dropped ("don't" = "dont", "м'ясо" = "мясо"); every other
  character that is not a letter or digit separates words;
- runs of the same letter shrink to one ("diiiie" = "die", "kill" = "kil").

The result is the words joined by single spaces, e.g. "I  W\u200bANT to diiie!!" →
"i want to die". It holds no positions into the original: the matcher only needs a
yes/no and which phrase, never the text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

APOSTROPHES = "'’‘ʼʻ`´"


# Variant Ethiopic row start -> usual row start, and the row's length.
_ETHIOPIC_ROWS = ((0x1220, 0x1230, 8), (0x1340, 0x1338, 7), (0x1250, 0x1240, 7), (0x12B8, 0x12A8, 7))

_LETTERS: dict[int, str | int | None] = {
    **{ord(c): "ی" for c in "يىېۍئێ"},
    **{ord(c): "ک" for c in "كڪ"},
    **{ord(c): "ه" for c in "ةۀە"},
    ord("ګ"): "گ",
    ord("ٱ"): "ا",
    ord("ـ"): None,  # tatweel
    **{ord(d): str(i % 10) for i, d in enumerate("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹")},
    ord("ኣ"): ord("አ"),
    **{variant + i: usual + i for variant, usual, n in _ETHIOPIC_ROWS for i in range(n)},
}

_REPEATS = re.compile(r"([^\W\d_])\1+")


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    """One character -> its letters/digits, "" (dropped) or " " (a word break)."""
    if ch in APOSTROPHES:
        return ""
    out = []
    for c in unicodedata.normalize("NFD", unicodedata.normalize("NFKC", ch).casefold()):
        cat = unicodedata.category(c)
        if cat[0] == "M" or cat == "Cf":
            continue
        c = c.translate(_LETTERS)
        if c:
            out.append(c if cat[0] in "LN" else " ")
    return unicodedata.normalize("NFC", "".join(out))


# ASCII is most of the traffic: a plain table lookup, no Unicode database calls.
_ASCII = {chr(i): _fold_char(chr(i)) for i in range(128)}


def normalize(text: str) -> str:
    """Fold `text` (see the module docstring) into words joined by single spaces."""
    folded = "".join(_ASCII.get(ch) or _fold_char(ch) for ch in text)
    return " ".join(_REPEATS.sub(r"\1", folded).split())
