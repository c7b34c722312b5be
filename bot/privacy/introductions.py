"""Names the writer gives for themself: "my name is …", «اسمي …», «ስመይ … እዩ» and the
answer to a question that asks for a name.

The phrases are found in the folded text (so «إسمي» and «اسمي», "Jag Heter" and
"jag heter" are alike); the 1–3 name-like words after (or, for phrases like Pashto
«… نومیږم», before) them are the name. A name ends at punctuation, a digit, a word
from `lexicon.STOPWORDS`, or, in cased scripts, where capitals stop.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from .lexicon import GREETING_SELF, GREETINGS, INTRODUCTIONS, INTRODUCTIONS_AT_START, INTRODUCTIONS_BEFORE, STOPWORDS
from .relations import TRANSLITERATED_INTRODUCTIONS
from .span import NAME, Span
from .textfold import Folded, fold_str

MAX_NAME_WORDS = 3
_LOWERCASE_MAX_WORDS = 2  # "jag heter ali reza": lowercase names are cut shorter

_STOP = frozenset(fold_str(w) for w in (*STOPWORDS, *GREETINGS, *GREETING_SELF))


def _alternation(phrases: Iterable[str]) -> str:
    folded = sorted({fold_str(p) for p in phrases}, key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in folded)


# An Arabic-script phrase may carry the conjunction و: «واسمي».
_FORWARD = re.compile(
    r"(?<!\w)(?:و)?"
    rf"(?:{_alternation((*TRANSLITERATED_INTRODUCTIONS, *(p for ps in INTRODUCTIONS.values() for p in ps)))})(?!\w)"
    r"[\s:\-–—\"'“”«»]*(?:(?:är|is|هو|waa)\s+)?"
)
_GREETING_SELF = re.compile(rf"(?<!\w)(?:{_alternation(GREETINGS)})[\s,!.]{{0,3}}(?:{_alternation(GREETING_SELF)})\s+")
_AT_START = re.compile(
    rf"(?:^|[.!?\n]\s*|(?:{_alternation(GREETINGS)})[\s,!.]{{1,3}})(?:{_alternation(INTRODUCTIONS_AT_START)})\s+"
)
_BACKWARD = re.compile(rf"(?<!\w)(?:{_alternation(INTRODUCTIONS_BEFORE)})(?!\w)")
_ANSWER_PREFIX = re.compile(
    rf"^[\s\W]{{0,5}}(?:(?:{_alternation(GREETINGS)})[\s,!.:;-]{{0,4}})?"
    rf"(?:(?:{_alternation((*GREETING_SELF, 'انا', 'ኣነ', 'waxaan ahay', 'jag heter', 'زه', 'من'))})\s+)?"
)

_WORD = r"[^\W\d_][\w'’ʼ-]{0,30}"
_NEXT_WORD = re.compile(rf"[ \t\u200c\u200f\u200e]*({_WORD})")
_PREV_WORD = re.compile(rf"({_WORD})[ \t\u200c\u200f\u200e]*$")


def _acceptable(word: str, taken: list[str], *, last: bool = True) -> bool:
    folded = fold_str(word)
    if folded in _STOP or folded.rstrip("'’ʼ-") in _STOP:
        return False
    if not taken:
        return True
    if word[0] == "و" and (not last or fold_str(word[1:]) in _STOP):
        return False  # «وعمري», «وبريدي …»: "and …" starts the next clause
    first = taken[0][0]
    if first.isupper():
        return word[0].isupper() or not word[0].islower()
    if first.islower():
        return len(taken) < _LOWERCASE_MAX_WORDS
    return True


def _forward_names(text: str, pos: int, *, need_capital: bool = False) -> Iterator[Span]:
    taken: list[str] = []
    while len(taken) < MAX_NAME_WORDS:
        m = _NEXT_WORD.match(text, pos)
        if not m:
            break
        word = m.group(1).rstrip("'’ʼ-")
        last = _NEXT_WORD.match(text, m.end(1)) is None
        if not _acceptable(word, taken, last=last) or (need_capital and not taken and word[0].islower()):
            break
        taken.append(word)
        yield Span(m.start(1), m.start(1) + len(word), NAME)
        pos = m.end(1)


def _backward_names(text: str, end: int) -> Iterator[Span]:
    taken: list[str] = []
    while len(taken) < 2:
        m = _PREV_WORD.search(text, 0, end)
        if not m:
            break
        word = m.group(1)
        if not _acceptable(word, []):
            break
        taken.append(word)
        yield Span(m.start(1), m.end(1), NAME)
        end = m.start(1)


def _orig(folded: Folded, index: int) -> int:
    """Original offset of folded index (a match end may be the text's end)."""
    return folded.origin[index] if index < len(folded.origin) else folded.length


def find_introduced_names(text: str, folded: Folded, *, name_answer: bool = False) -> list[Span]:
    spans: list[Span] = []
    for m in _FORWARD.finditer(folded.text):
        spans.extend(_forward_names(text, _orig(folded, m.end())))
    for m in _AT_START.finditer(folded.text):
        spans.extend(_forward_names(text, _orig(folded, m.end()), need_capital=True))
    for m in _GREETING_SELF.finditer(folded.text):
        spans.extend(_forward_names(text, _orig(folded, m.end()), need_capital=True))
    for m in _BACKWARD.finditer(folded.text):
        spans.extend(_backward_names(text, _orig(folded, m.start())))
    if name_answer and not spans:
        prefix = _ANSWER_PREFIX.match(folded.text)
        spans.extend(_forward_names(text, _orig(folded, prefix.end()) if prefix else 0))
    return spans
