"""Check digits that tell real identifiers from ordinary runs of digits."""

from __future__ import annotations

import string


def luhn_ok(digits: str) -> bool:
    """Luhn (mod 10) check, as used by card numbers and Swedish personnummer."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


_IBAN_LETTERS = {c: str(10 + i) for i, c in enumerate(string.ascii_uppercase)}


def iban_ok(compact: str) -> bool:
    """ISO 13616 mod-97 check of an IBAN without spaces."""
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    try:
        number = "".join(_IBAN_LETTERS.get(c, c) for c in moved)
        return int(number) % 97 == 1
    except ValueError:
        return False
