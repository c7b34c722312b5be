"""Phone numbers, Swedish and foreign, found with libphonenumber's matcher.

Swedish formats first (region SE also understands +NN and 00NN), then the local
formats of the countries many newly arrived youth come from. A looser pass finds
numbers the metadata does not know yet, but only right after a word like "tel".
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from phonenumbers import Leniency, PhoneNumberMatcher

from .span import PHONE, Span

# Afghanistan, Ukraine, Somalia, Eritrea, Syria, Iraq, Iran, Ethiopia.
_HOME_REGIONS = ("AF", "UA", "SO", "ER", "SY", "IQ", "IR", "ET")
_MIN_DIGITS = 7

_KEYWORD = re.compile(
    r"(?:tel|telefon\w*|phone|mobil\w*|mob|nummer|number|nr|ring|call|sms|whatsapp|viber|signal"
    r"|رقم|هاتف|جوال|موبايل|تلفن|شماره|نمبر|مبایل|موبایل|شمیره|lambar\w*|telefoon\w*"
    r"|ቁጽሪ|ስልኪ|ቴሌፎን|номер|телефон\w*|тел|моб\w*)\W{0,6}$",
    re.I,
)


def _matches(text: str, region: str, leniency: int) -> Iterator[tuple[int, int]]:
    for m in PhoneNumberMatcher(text, region, leniency=leniency):
        yield m.start, m.end


def find_phones(text: str) -> Iterator[Span]:
    """`text` must have ASCII digits (offsets as in the original)."""
    if sum(c.isdigit() for c in text) < _MIN_DIGITS:
        return
    found: list[tuple[int, int]] = list(_matches(text, "SE", Leniency.VALID))
    for region in _HOME_REGIONS:
        for start, end in _matches(text, region, Leniency.VALID):
            if not any(s < end and start < e for s, e in found):
                found.append((start, end))
    for start, end in _matches(text, "SE", Leniency.POSSIBLE):
        if not any(s < end and start < e for s, e in found) and _KEYWORD.search(text, 0, start):
            found.append((start, end))
    for start, end in found:
        yield Span(start, end, PHONE)
