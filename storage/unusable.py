"""Why DATABASE_URL cannot be used, in one line a person can act on.

`explain(exc, url)` turns what the drivers raise when a database cannot be reached or
opened (an unknown host, a refused port, a missing database, a refused user, a URL
that is no database URL) into a `DatabaseUnusable` that says what is wrong and how to
fix it. Every command reports it the same way (`bot.cli.main`); the doctor shows it as a
finding. Passwords never appear: URLs are shown masked.
"""

from __future__ import annotations

import errno
import re
import socket

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

EXAMPLES = "sqlite+aiosqlite:///./var/sammanbot.db or postgresql+asyncpg://user:password@host:5432/dbname"
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


def masked(url: str | URL) -> str:
    """The URL with its password hidden, for messages and logs (also when it does not parse)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return _PASSWORD.sub(r"\1***@", str(url))


class DatabaseUnusable(Exception):
    """DATABASE_URL cannot be used: `what` is wrong, `fix` says what to do."""

    def __init__(self, url: str | URL, what: str, fix: str) -> None:
        self.where, self.what, self.fix = masked(url), what, fix
        super().__init__(f"Sammanbot cannot use the database {self.where}: {self.what}. Fix: {self.fix}.")


def not_a_database_url(url: str | URL, why: str) -> DatabaseUnusable:
    return DatabaseUnusable(
        url, f"DATABASE_URL is not a URL of a database the bot knows ({why})", f"set DATABASE_URL to {EXAMPLES}"
    )


def explain(exc: BaseException, url: str | URL) -> DatabaseUnusable:
    """What `exc`, raised while connecting to `url`, means for the person running the bot."""
    if isinstance(exc, DatabaseUnusable):
        return exc
    try:
        parsed = make_url(url)
    except ArgumentError:
        return not_a_database_url(url, "it does not parse")
    host = parsed.host or "localhost"
    at = f"{host}:{parsed.port or 5432}"
    causes = _causes(exc)
    states = (getattr(c, "sqlstate", None) for c in causes)
    state = next((s for s in states if isinstance(s, str)), None)
    if state == "3D000":
        return DatabaseUnusable(
            url,
            f'there is no database "{parsed.database}" on {at}',
            f"create it (createdb -h {host} -U {parsed.username or 'postgres'} "
            f"{parsed.database}) or correct its name in DATABASE_URL",
        )
    if state in ("28000", "28P01"):
        return DatabaseUnusable(
            url,
            f'{at} refused the user "{parsed.username}" ({_first_line(causes[-1])})',
            "check the user and password in DATABASE_URL, and that this user may connect",
        )
    if any(isinstance(c, socket.gaierror) for c in causes):
        return DatabaseUnusable(
            url, f"the host {host} cannot be found", "check the host name in DATABASE_URL (and this machine's network)"
        )
    if any(_refused(c) for c in causes):
        return DatabaseUnusable(
            url,
            f"nothing accepts connections at {at} (connection refused)",
            "start the database server, or correct the host and port in DATABASE_URL",
        )
    if any(isinstance(c, TimeoutError) for c in causes):
        return DatabaseUnusable(
            url, f"{at} does not answer", "check the host and port in DATABASE_URL, and any firewall in between"
        )
    if parsed.get_backend_name() == "sqlite":
        return DatabaseUnusable(
            url,
            f"the SQLite file {parsed.database} cannot be opened ({_first_line(causes[-1])})",
            "check that its folder exists and is writable by this user, or set DATABASE_URL",
        )
    return DatabaseUnusable(
        url,
        f"connecting failed ({type(causes[-1]).__name__}: {_first_line(causes[-1])})",
        "check DATABASE_URL, that the server runs and that this user may connect",
    )


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc`, the driver's error it wraps, and so on down (innermost last)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = getattr(current, "orig", None) or current.__cause__
    return seen


def _refused(exc: BaseException) -> bool:
    if isinstance(exc, ConnectionRefusedError):
        return True
    # asyncpg trying several addresses (localhost: ::1 and 127.0.0.1) raises one OSError for all.
    return isinstance(exc, OSError) and f"[Errno {errno.ECONNREFUSED}]" in str(exc)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    if text.startswith("(") and ") " in text:  # SQLAlchemy's "(module.Error) message"
        text = text.split(") ", 1)[1]
    return (text.splitlines() or [type(exc).__name__])[0][:200]
