"""Row ids from URLs and forms: only what a BIGINT primary key can hold.

A number past 2**63 - 1 cannot be an id on any backend, and handing it to the
database raises OverflowError (SQLite) or a driver error (PostgreSQL) instead of
finding nothing; such input is treated like any unknown id.
"""

from __future__ import annotations

ID_MAX = 2**63 - 1


def parse_id(text: object) -> int | None:
    """A positive row id written in ASCII digits, or None."""
    value = str(text)
    if not value.isascii() or not value.isdigit() or len(value) > len(str(ID_MAX)):
        return None
    number = int(value)
    return number if 0 < number <= ID_MAX else None
