"""The crisis-phrase syntax and the fast matcher built from it.

A phrase is a few words, compared with whole words of the folded message
(`normalize`): case, diacritics, letter variants and repeated letters never matter.

    want to * die      `*` alone: zero, one or two words of any kind
    självmord*         a word that starts with "självmord" (självmordstankar)
    *انتحار            a word that ends with it;  *غتصب*  a word that contains it
    hits|beats me      `|` joins words that may stand in the same place

Matching is token based, so its cost hardly grows with the number of phrases: every
phrase is indexed by its first word (exact word, start, end or middle of a word), a
message is folded once, each of its words is looked up in that index, and only the
phrases found there run their own precompiled regex at that word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.safeguarding.normalize import normalize

# Most severe first: when a message matches several, the first category wins.
CATEGORIES = ("self_harm", "abuse", "trafficking", "unsafe_home", "hunger_homeless")

GAP = "*"
MAX_GAP_WORDS = 2
MIN_LETTERS = 3  # in a whole phrase, and in the fixed part of each starred word

# How a phrase's first word is looked up: the whole word, its start, its end or inside it.
EXACT, PREFIX, SUFFIX, INFIX = "exact", "prefix", "suffix", "infix"
Anchor = tuple[str, str]  # (kind, folded text)

_WORD = r"\S"
_GAP_RE = rf"(?: {_WORD}+){{0,{MAX_GAP_WORDS}}}"


class PhraseError(ValueError):
    """A phrase that breaks the syntax; `offset` is where in the phrase text."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True)
class Phrase:
    """One admin-written phrase, where it stands, and its compiled regex source."""

    id: str  # "<language>/<category>/<index>", e.g. "sv/self_harm/3"
    category: str
    language: str
    pattern: str
    regex: str
    anchors: tuple[Anchor, ...]
    line: int


@dataclass(frozen=True)
class Match:
    """Which phrase fired. Deliberately holds nothing of the message itself."""

    category: str
    language: str
    phrase_id: str
    line: int  # of the phrase in the lexicon file, for admins tuning it


@dataclass(frozen=True)
class Compiled:
    regex: str  # canonical: equal phrases give equal sources
    anchors: tuple[Anchor, ...]  # one per alternative of the first word


def _tokens(pattern: str) -> Iterable[tuple[int, str]]:
    for m in re.finditer(r"\S+", pattern):
        yield m.start(), m.group()


def _alternative(alt: str, offset: int) -> tuple[str, int, Anchor]:
    """One word (maybe starred) -> (regex, letters in its fixed part, index anchor)."""
    stem = alt.strip(GAP)
    if GAP in stem:
        raise PhraseError(f"'*' can only stand at the start or end of a word: {alt!r}", offset + alt.index(GAP, 1))
    if alt.startswith(GAP * 2) or alt.endswith(GAP * 2):
        raise PhraseError(f"'**' is not a pattern; use one '*': {alt!r}", offset)
    folded = normalize(stem)
    if not folded:
        raise PhraseError(f"{alt!r} has no letters or digits", offset)
    letters = len(folded.replace(" ", ""))
    if alt != stem and letters < MIN_LETTERS:
        raise PhraseError(f"{alt!r}: a word with '*' needs at least {MIN_LETTERS} letters besides the '*'", offset)
    before, after = alt.startswith(GAP), alt.endswith(GAP)
    first = folded.split(" ")[0]
    single = first == folded
    kind = (INFIX if after and single else SUFFIX) if before else (PREFIX if after and single else EXACT)
    regex = (_WORD + "*" if before else "") + re.escape(folded) + (_WORD + "*" if after else "")
    return regex, letters, (kind, first)


def _position(token: str, offset: int) -> tuple[str, int, tuple[Anchor, ...]]:
    """A word or `a|b|c` -> (regex, fewest letters any alternative has, anchors)."""
    parts: list[str] = []
    anchors: list[Anchor] = []
    fewest: int | None = None
    at = offset
    for alt in token.split("|"):
        if not alt:
            raise PhraseError(f"empty alternative in {token!r} (check the '|')", at)
        if alt == GAP:
            raise PhraseError(f"a lone '*' cannot be an alternative in {token!r}", at)
        regex, letters, anchor = _alternative(alt, at)
        if regex not in parts:
            parts.append(regex)
            anchors.append(anchor)
        fewest = letters if fewest is None else min(fewest, letters)
        at += len(alt) + 1
    regex = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
    return regex, fewest or 0, tuple(anchors)


def compile_phrase(pattern: str) -> Compiled:
    """Check one phrase and compile it; raises PhraseError with the offset of the fault."""
    pieces: list[str] = []
    anchors: tuple[Anchor, ...] = ()
    letters = 0
    gap_before = False
    tokens = list(_tokens(pattern))
    if not tokens:
        raise PhraseError("empty phrase", 0)
    for i, (offset, token) in enumerate(tokens):
        if token == GAP:
            if i == 0 or i == len(tokens) - 1:
                raise PhraseError("a phrase cannot start or end with the '*' gap", offset)
            if gap_before:
                raise PhraseError("two '*' gaps in a row; one already allows up to 2 words", offset)
            gap_before = True
            continue
        regex, n, alts = _position(token, offset)
        if pieces:
            pieces.append(_GAP_RE + " " if gap_before else " ")
        else:
            anchors = alts
        pieces.append(regex)
        letters += n
        gap_before = False
    if letters < MIN_LETTERS:
        raise PhraseError(f"phrase too short: it needs at least {MIN_LETTERS} letters", tokens[0][0])
    return Compiled("".join(pieces), anchors)


class Matcher:
    """All phrases, indexed by their first word; each verified by its own regex."""

    def __init__(self, phrases: Iterable[Phrase]) -> None:
        self._phrases = list(phrases)
        self._regexes = [re.compile(p.regex + r"(?!\S)") for p in self._phrases]
        self._index: dict[str, dict[str, set[int]]] = {k: {} for k in (EXACT, PREFIX, SUFFIX, INFIX)}
        for i, phrase in enumerate(self._phrases):
            for kind, text in phrase.anchors:
                self._index[kind].setdefault(text, set()).add(i)
        self._prefix_lengths = sorted({len(t) for t in self._index[PREFIX]})
        self._suffix_lengths = sorted({len(t) for t in self._index[SUFFIX]})
        self._severity = {c: n for n, c in enumerate(CATEGORIES)}

    def __len__(self) -> int:
        return len(self._phrases)

    def _candidates(self, token: str) -> set[int]:
        exact, prefix, suffix = self._index[EXACT], self._index[PREFIX], self._index[SUFFIX]
        found = set(exact.get(token, ()))
        for n in self._prefix_lengths:
            if n > len(token):
                break
            found.update(prefix.get(token[:n], ()))
        for n in self._suffix_lengths:
            if n > len(token):
                break
            found.update(suffix.get(token[-n:], ()))
        for text, ids in self._index[INFIX].items():
            if text in token:
                found.update(ids)
        return found

    def match(self, text: str) -> Match | None:
        folded = normalize(text)
        best: Phrase | None = None
        pos = 0
        for token in folded.split(" "):
            for i in sorted(self._candidates(token)):
                phrase = self._phrases[i]
                if best is not None and self._severity[phrase.category] >= self._severity[best.category]:
                    continue
                if self._regexes[i].match(folded, pos):
                    best = phrase
            pos += len(token) + 1
        if best is None:
            return None
        return Match(best.category, best.language, best.id, best.line)
