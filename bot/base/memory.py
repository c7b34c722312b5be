"""glibc malloc tuning for the long-running bot process.

glibc gives each thread that allocates its own malloc arena (up to 8 per core), and
memory freed in one arena cannot serve another. aiosqlite runs one thread per
database connection, and pool overflow connections come and go with the load, so
arenas multiply and stay half empty. Two are plenty: the event loop thread does
nearly all the work.

A no-op on other C libraries (musl, macOS), where mallopt's option does not exist.
"""

from __future__ import annotations

import ctypes
import sys

M_ARENA_MAX = -8  # from glibc's malloc.h
ARENAS = 2


def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # only glibc has it  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas; call before threads start. True if applied."""
    libc = _glibc()
    return libc is not None and bool(libc.mallopt(M_ARENA_MAX, arenas))
