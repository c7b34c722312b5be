"""Phone numbers, Swedish and foreign, found with libphonenumber.

Swedish formats first (region SE also understands +NN and 00NN), then the local
formats of the countries many newly arrived youth come from. Two further passes
catch what the matcher's whole-candidate check misses: a number followed or
preceded by other digits ("070-174 06 05 2 gånger"), and numbers the metadata does
not know yet, but the latter only right after a word like "tel".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from phonenumbers import Leniency, NumberParseException, PhoneNumberMatcher, is_valid_number, parse

from .span import PHONE, Span

# Afghanistan, Ukraine, Somalia, Eritrea, Syria, Iraq, Iran, Ethiopia.
_HOME_REGIONS = ("AF", "UA", "SO", "ER", "SY", "IQ", "IR", "ET")
_REGIONS = ("SE", *_HOME_REGIONS)
_MIN_DIGITS = 7

_KEYWORD = re.compile(
    r"(?:tel|telefon\w*|phone|mobil\w*|mob|nummer|number|nr|ring|call|sms|whatsapp|viber|signal"
    r"|رقم|هاتف|جوال|موبايل|تلفن|شماره|نمبر|مبایل|موبایل|شمیره|lambar\w*|telefoon\w*"
    r"|ቁጽሪ|ስልኪ|ቴሌፎን|номер|телефон\w*|тел|моб\w*)\W{0,6}$",
    re.I,
)
# "08.00-16.30" is opening hours, not a Stockholm number.
_TIME = re.compile(r"[0-9]{1,2}[.:][0-9]{2}(?![0-9])")
# A run of digit groups that may hold a phone number among other digits.
_RUN = re.compile(r"(?<![\w+])\+?[0-9]{1,6}(?:[ ./-]{1,2}\(?[0-9]{1,6}\)?){1,12}")
_GROUP = re.compile(r"\+?[0-9]+")


def _overlaps(found: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in found)


def _valid(candidate: str) -> bool:
    if not candidate.startswith(("+", "0")) or _TIME.match(candidate):
        return False
    for region in _REGIONS:
        try:
            if is_valid_number(parse(candidate, region)):
                return True
        except NumberParseException:
            continue
    return False


def _numbers_in_run(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The longest valid numbers made of whole digit groups of text[start:end]."""
    groups = [(m.start(), m.end()) for m in _GROUP.finditer(text, start, end)]
    i = 0
    while i < len(groups):
        for j in range(len(groups), i, -1):
            s, e = groups[i][0], groups[j - 1][1]
            if sum(c.isdigit() for c in text[s:e]) >= _MIN_DIGITS and _valid(text[s:e]):
                yield s, e
                i = j
                break
        else:
            i += 1


def find_phones(text: str) -> Iterator[Span]:
    """`text` must have ASCII digits (offsets as in the original)."""
    if sum(c.isdigit() for c in text) < _MIN_DIGITS:
        return
    found: list[tuple[int, int]] = []
    for region in _REGIONS:
        for m in PhoneNumberMatcher(text, region, leniency=Leniency.VALID):
            if not _overlaps(found, m.start, m.end) and not _TIME.match(m.raw_string):
                found.append((m.start, m.end))
    for run in _RUN.finditer(text):
        if not _overlaps(found, run.start(), run.end()):
            found.extend(_numbers_in_run(text, run.start(), run.end()))
    for m in PhoneNumberMatcher(text, "SE", leniency=Leniency.POSSIBLE):
        if (
            not _overlaps(found, m.start, m.end)
            and not _TIME.match(m.raw_string)
            and _KEYWORD.search(text, max(0, m.start - 30), m.start)
        ):
            found.append((m.start, m.end))
    for start, end in found:
        yield Span(start, end, PHONE)
