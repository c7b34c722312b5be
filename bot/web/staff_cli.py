"""`python -m bot staff add NAME --role admin|reviewer`: create a dashboard account.

The password is asked for twice on a terminal (getpass), or read as one line from
stdin when stdin is not a terminal or `--password-stdin` is given. It never appears
in the arguments, the output or the logs.
"""
from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from datetime import UTC, datetime
from typing import TextIO

from bot.web.passwords import hash_password, password_problem


def read_password(args: argparse.Namespace, stdin: TextIO, stderr: TextIO) -> str | None:
    if args.password_stdin or not stdin.isatty():
        return stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"Password for {args.name}: ")
    if getpass.getpass("Again: ") != first:
        print("the passwords differ", file=stderr)
        return None
    return first


async def _add(url: str, name: str, role: str, password_hash: str) -> None:
    from storage import staff as repo
    from storage.db import make_engine, make_sessionmaker
    from storage.migrate import ensure_schema

    engine = make_engine(url)
    try:
        await ensure_schema(engine)
        now = datetime.now(UTC)
        async with make_sessionmaker(engine).begin() as s:
            await repo.add_staff(s, name=name, role=role, password_hash=password_hash, now=now)
            await repo.audit(s, staff_name=None, action="staff_add", target=f"staff:{name}",
                             detail=f"{role} (command line)", now=now)
    finally:
        await engine.dispose()


def staff_command(args: argparse.Namespace, stdin: TextIO | None = None, stderr: TextIO | None = None,
                  database_url: str | None = None) -> int:
    """Run `staff add`; 0 on success, 1 with a message on stderr otherwise."""
    from bot.settings import get_settings
    from storage.staff import StaffNameTaken

    stdin, stderr = stdin or sys.stdin, stderr or sys.stderr
    name = args.name.strip()
    if not 0 < len(name) <= 64:
        print("the name must be 1-64 characters", file=stderr)
        return 1
    password = read_password(args, stdin, stderr)
    if password is None:
        return 1
    if problem := password_problem(password):
        print(problem, file=stderr)
        return 1
    try:
        asyncio.run(_add(database_url or get_settings().database_url, name, args.role, hash_password(password)))
    except StaffNameTaken:
        print(f"a staff account named {name!r} exists already", file=stderr)
        return 1
    print(f"staff account {name!r} ({args.role}) created", file=stderr)
    return 0
