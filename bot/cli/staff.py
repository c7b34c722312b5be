"""`python -m bot staff add NAME --role admin|reviewer|translator [--languages ti,ar]` and
`staff passwd NAME`:
dashboard accounts from the command line.

The password is asked for twice on a terminal (getpass), or read as one line from
stdin with `--password-stdin`; without a terminal and without that option the command
says so and stops (exit 2) rather than wait for input nobody will type. The database is
reached (and migrated) and the name looked up before the password is asked for. The
password never appears in the arguments, the output or the logs.
"""

from __future__ import annotations

from bot.base.invocation import bot_command

import argparse
import asyncio
import getpass
import sys
from datetime import UTC, datetime
from typing import TextIO

from bot.web.passwords import hash_password, password_problem

NO_TERMINAL = 2  # exit status: no terminal to ask on, and --password-stdin not given


class StaffProblem(Exception):
    """Why the command cannot do what was asked; said on stderr, exit 1."""


def read_password(args: argparse.Namespace, stdin: TextIO, stderr: TextIO) -> str | None:
    if args.password_stdin:
        return stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"Password for {args.name}: ")
    if getpass.getpass("Again: ") != first:
        print("the passwords differ", file=stderr)
        return None
    return first


async def _look_up(url: str, name: str, exists: bool) -> None:
    """Reach and migrate the database; StaffProblem unless the account's existence is `exists`."""
    from storage import staff as repo
    from storage.db import make_engine, make_sessionmaker
    from storage.migrate import ensure_schema

    engine = make_engine(url)
    try:
        await ensure_schema(engine)
        async with make_sessionmaker(engine)() as s:
            found = await repo.staff_by_name(s, name) is not None
    finally:
        await engine.dispose()
    if found and not exists:
        raise StaffProblem(f"a staff account named {name!r} exists already")
    if exists and not found:
        raise StaffProblem(f"there is no staff account named {name!r} (create it with `staff add`)")


async def _add(url: str, name: str, role: str, password_hash: str, languages: list[str]) -> None:
    from storage import staff as repo
    from storage.db import make_engine, make_sessionmaker
    from storage.staff import StaffNameTaken

    engine = make_engine(url)
    try:
        now = datetime.now(UTC)
        async with make_sessionmaker(engine).begin() as s:
            await repo.add_staff(s, name=name, role=role, password_hash=password_hash, now=now, languages=languages)
            what = f"{role} ({', '.join(languages)})" if languages else role
            await repo.audit(
                s, staff_name=None, action="staff_add", target=f"staff:{name}", detail=f"{what} (command line)", now=now
            )
    except StaffNameTaken:  # made meanwhile, by the dashboard or another command
        raise StaffProblem(f"a staff account named {name!r} exists already") from None
    finally:
        await engine.dispose()


async def _passwd(url: str, name: str, password_hash: str) -> None:
    """A new password; the account's dashboard sessions end (whoever knew the old one is out)."""
    from storage import staff as repo
    from storage.db import make_engine, make_sessionmaker

    engine = make_engine(url)
    try:
        now = datetime.now(UTC)
        async with make_sessionmaker(engine).begin() as s:
            user = await repo.staff_by_name(s, name)
            if user is None:
                raise StaffProblem(f"there is no staff account named {name!r}")
            await repo.set_password_hash(s, user.id, password_hash)
            await repo.end_sessions(s, user.id)
            await repo.audit(
                s,
                staff_name=None,
                action="staff_password",
                target=f"staff:{name}",
                detail="new password (command line)",
                now=now,
            )
    finally:
        await engine.dispose()


def staff_command(
    args: argparse.Namespace, stdin: TextIO | None = None, stderr: TextIO | None = None, database_url: str | None = None
) -> int:
    """Run `staff add` or `staff passwd`; 0 on success, 1 (2 without a terminal) with a message on stderr."""
    from bot.base.settings import get_settings

    stdin, stderr = stdin or sys.stdin, stderr or sys.stderr
    adding = args.staff_command == "add"
    name = args.name.strip()
    if not 0 < len(name) <= 64:
        print("the name must be 1-64 characters", file=stderr)
        return 1
    if not args.password_stdin and not stdin.isatty():
        print(
            f"no terminal to ask for the password on: give it on standard input with --password-stdin "
            f"(e.g. printf '%s\\n' \"$PASSWORD\" | {bot_command('staff')} {args.staff_command} {name} "
            f"{'--role ' + args.role + ' ' if adding else ''}--password-stdin)",
            file=stderr,
        )
        return NO_TERMINAL
    settings = get_settings()
    url = database_url or settings.database_url
    languages: list[str] = []
    if adding:
        from bot.web.auth import translator_languages

        languages, problem = translator_languages(args.role, getattr(args, "languages", ""), list(settings.languages))
        if problem:
            print(f"--languages: {problem}", file=stderr)
            return 1
    try:
        asyncio.run(_look_up(url, name, exists=not adding))
        password = read_password(args, stdin, stderr)
        if password is None:
            return 1
        if problem := password_problem(password):
            print(problem, file=stderr)
            return 1
        if adding:
            asyncio.run(_add(url, name, args.role, hash_password(password), languages))
        else:
            asyncio.run(_passwd(url, name, hash_password(password)))
    except StaffProblem as exc:
        print(exc, file=stderr)
        return 1
    if adding:
        what = f"{args.role}: {', '.join(languages)}" if languages else args.role
        print(f"staff account {name!r} ({what}) created", file=stderr)
    else:
        print(f"new password set for {name!r}; their dashboard sessions have ended", file=stderr)
    return 0
