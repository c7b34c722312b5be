"""The anonymiser: every text that leaves for staff goes through `anonymize`.

It finds what identifies a person (see the finder modules) and puts a typed
placeholder such as `[PHONE]` or `[NAME]` in its place. Ordinary content (years,
ages, times, prices, bus lines, dates) is left alone, and so are public helplines and
service numbers (`PUBLIC_NUMBERS` in the settings: 112, 116 111, …), which are not
personal data: staff must see that a youth was told to call BRIS.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from .identifiers import AFTER_PHONES, BEFORE_PHONES
from .introductions import find_introduced_names
from .names import find_names
from .people import find_people, name_words
from .phones import find_phones
from .span import NAME, PHONE, POSTCODE, Span
from .textfold import DIGITS, fold

_NOT_DIGIT = re.compile(r"[^0-9]")


@lru_cache(maxsize=8)
def _public_digits(numbers: tuple[str, ...]) -> frozenset[str]:
    return frozenset(d for d in (_NOT_DIGIT.sub("", n.translate(DIGITS)) for n in numbers) if d)


def _configured_public_numbers() -> tuple[str, ...]:
    from bot.base.settings import get_settings

    return tuple(get_settings().public_numbers)


# words a service number follows ("Polisen 114 14", "ring 113 13"), where a reading
# as a postal code (beside a town) is the number, not a place
_CALL_CUE = re.compile(
    r"(?<!\w)(?:ring|ringa|ringde|ringer|call|phone|tel|telefon|nummer|numret|number|polis|polisen|"
    r"police|bris|vårdguiden|1177)[\s.:]*$",
    re.I,
)


def _public(digits: str, spans: list[Span], public: frozenset[str]) -> list[Span]:
    """Drop the phone numbers that are public numbers. Only the whole number counts:
    08-116 111 23 is someone's phone, not BRIS. A postal code with a public number's
    digits stays a postal code ("Jag bor i 114 14 Stockholm", "Postnummer 113 13"),
    unless a word for calling or a service comes right before it ("Polisen 114 14,
    Stockholm")."""

    def kept(span: Span) -> bool:
        if span.label not in (PHONE, POSTCODE) or _NOT_DIGIT.sub("", digits[span.start : span.end]) not in public:
            return True
        return span.label == POSTCODE and not _CALL_CUE.search(digits, 0, span.start)

    return [s for s in spans if kept(s)]


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
        if prev is not None and prev.label == span.label == NAME and text[prev.end : span.start].isspace():
            joined[-1] = Span(prev.start, span.end, NAME)
        else:
            joined.append(span)
    return joined


def find_spans(
    text: str, *, names: Iterable[str] = (), name_answer: bool = False, public_numbers: Iterable[str] | None = None
) -> list[Span]:
    """The identifying spans of `text`, sorted, not overlapping.

    `public_numbers`: numbers to keep (default: the `PUBLIC_NUMBERS` setting).
    """
    digits = text.translate(DIGITS)
    found: list[Span] = []
    for finder in BEFORE_PHONES:
        found.extend(finder(digits))
    found.extend(find_phones(digits))
    for finder in AFTER_PHONES:
        found.extend(finder(digits))
    numbers = _configured_public_numbers() if public_numbers is None else tuple(public_numbers)
    candidates = _public(digits, found, _public_digits(numbers))
    folded = fold(text)
    introduced = find_introduced_names(text, folded, name_answer=name_answer)
    people = find_people(text, folded)
    candidates.extend(introduced)
    candidates.extend(people)
    # A name the writer gave, or one the words around it show, is a name wherever else
    # it appears in the text (the words of it that can stand alone).
    own = [*names, *(text[s.start : s.end] for s in introduced), *name_words(text, people)]
    candidates.extend(find_names(folded, own))
    return _join_names(text, _resolve(candidates))


def anonymize(
    text: str, *, names: Iterable[str] = (), name_answer: bool = False, public_numbers: Iterable[str] | None = None
) -> str:
    """`text` with every identifying span replaced by its placeholder.

    `names`: the sender's own Telegram first name, last name and username.
    `name_answer`: the text answers a question that asks for a name.
    `public_numbers`: helplines to keep (default: the `PUBLIC_NUMBERS` setting).
    """
    names = tuple(names)
    out: list[str] = []
    pos = 0
    for span in find_spans(text, names=names, name_answer=name_answer, public_numbers=public_numbers):
        out.append(text[pos : span.start])
        out.append(span.placeholder)
        pos = span.end
    out.append(text[pos:])
    return "".join(out)
