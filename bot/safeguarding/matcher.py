"""The crisis-phrase syntax and the fast matcher built from it.

A phrase is a few words, compared with whole words of the folded message
(`normalize`): case, diacritics, letter variants and repeated letters never matter.

    want to * die      `*` alone: zero, one or two words of any kind
    självmord*         a word that starts with "självmord" (självmordstankar)
    *انتحار            a word that ends with it;  *غتصب*  a word that contains it
    hits|beats me      `|` joins words that may stand in the same place

Each category is one precompiled regular expression over the folded message: one
alternative per phrase, tried only where a word starts. A message is folded once and
searched at most once per category, most severe first.
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
    line: int


@dataclass(frozen=True)
class Match:
    """Which phrase fired. Deliberately holds nothing of the message itself."""

    category: str
    language: str
    phrase_id: str
    line: int  # of the phrase in the lexicon file, for admins tuning it


def _tokens(pattern: str) -> Iterable[tuple[int, str]]:
    for m in re.finditer(r"\S+", pattern):
        yield m.start(), m.group()


def _alternative(alt: str, offset: int) -> tuple[str, int]:
    """One word (maybe starred) -> (regex, letters in its fixed part)."""
    stem = alt.strip(GAP)
    if GAP in stem:
        raise PhraseError(f"'*' can only stand at the start or end of a word: {alt!r}", offset + alt.index(GAP, 1))
    if alt.startswith(GAP * 2) or alt.endswith(GAP * 2):
        raise PhraseError(f"'**' is not a pattern; use one '*': {alt!r}", offset)
    folded = normalize(stem)
    if not folded:
        raise PhraseError(f"{alt!r} has no letters or digits", offset)
    letters = len(folded.replace(" ", ""))
    starred = alt != stem
    if starred and letters < MIN_LETTERS:
        raise PhraseError(
            f"{alt!r}: a word with '*' needs at least {MIN_LETTERS} letters besides the '*'", offset
        )
    before = _WORD + "*" if alt.startswith(GAP) else ""
    after = _WORD + "*" if alt.endswith(GAP) else ""
    return before + re.escape(folded) + after, letters


def _position(token: str, offset: int) -> tuple[str, int]:
    """A word or `a|b|c` -> (regex, fewest letters any alternative has)."""
    parts: list[str] = []
    fewest: int | None = None
    at = offset
    for alt in token.split("|"):
        if not alt:
            raise PhraseError(f"empty alternative in {token!r} (check the '|')", at)
        if alt == GAP:
            raise PhraseError(f"a lone '*' cannot be an alternative in {token!r}", at)
        regex, letters = _alternative(alt, at)
        if regex not in parts:
            parts.append(regex)
        fewest = letters if fewest is None else min(fewest, letters)
        at += len(alt) + 1
    return (parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"), fewest or 0


def compile_phrase(pattern: str) -> str:
    """The regex source for one phrase (canonical: equal phrases give equal sources)."""
    pieces: list[str] = []
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
        regex, n = _position(token, offset)
        if pieces:
            pieces.append(_GAP_RE + " " if gap_before else " ")
        pieces.append(regex)
        letters += n
        gap_before = False
    if letters < MIN_LETTERS:
        raise PhraseError(f"phrase too short: it needs at least {MIN_LETTERS} letters", tokens[0][0])
    return "".join(pieces)


class Matcher:
    """All phrases, one combined regex per category, searched most severe first."""

    def __init__(self, phrases: Iterable[Phrase]) -> None:
        self._phrases: dict[str, Phrase] = {}
        by_category: dict[str, list[str]] = {c: [] for c in CATEGORIES}
        for phrase in phrases:
            group = f"p{len(self._phrases)}"
            self._phrases[group] = phrase
            by_category[phrase.category].append(f"(?P<{group}>{phrase.regex})")
        self._regexes = [
            re.compile(r"(?<!\S)(?:" + "|".join(alts) + r")(?!\S)") for alts in by_category.values() if alts
        ]

    def __len__(self) -> int:
        return len(self._phrases)

    def match(self, text: str) -> Match | None:
        folded = normalize(text)
        for regex in self._regexes:
            found = regex.search(folded)
            if found:
                p = self._phrases[found.lastgroup]  # type: ignore[index]
                return Match(p.category, p.language, p.id, p.line)
        return None
