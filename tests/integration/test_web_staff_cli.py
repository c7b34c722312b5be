"""`python -m bot staff add`: accounts from the command line, passwords never echoed."""

from __future__ import annotations

import asyncio
import io

from bot.cli.main import _parser
from bot.web.passwords import verify_password
from bot.cli.staff import staff_command
from storage import staff as repo
from storage.db import make_engine, make_sessionmaker


class Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


async def _stored(url: str, name: str):
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as s:
            return await repo.staff_by_name(s, name)
    finally:
        await engine.dispose()


def _run(url: str, argv: list[str], stdin: str) -> tuple[int, str]:
    err = io.StringIO()
    code = staff_command(_parser().parse_args(argv), stdin=Pipe(stdin), stderr=err, database_url=url)
    return code, err.getvalue()


def test_staff_add_reads_the_password_from_stdin_and_hashes_it(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    code, out = _run(url, ["staff", "add", "ada", "--role", "admin", "--password-stdin"], "a long secret pass\n")
    assert code == 0 and "a long secret pass" not in out
    user = asyncio.run(_stored(url, "ada"))
    assert user.role == "admin" and user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, "a long secret pass")
    code, out = _run(url, ["staff", "add", "ada", "--role", "reviewer", "--password-stdin"], "another long pass\n")
    assert code == 1 and "exists already" in out
    code, out = _run(url, ["staff", "add", "bo", "--role", "reviewer", "--password-stdin"], "short\n")
    assert code == 1 and "at least" in out
    assert asyncio.run(_stored(url, "bo")) is None


def test_staff_add_makes_a_translator_for_the_languages_given(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    argv = ["staff", "add", "tesfay", "--role", "translator", "--password-stdin"]
    code, out = _run(url, argv, "a long secret pass\n")
    assert code == 1 and "a translator needs at least one language" in out
    code, out = _run(url, [*argv, "--languages", "ti,xx"], "a long secret pass\n")
    assert code == 1 and "xx: not a language to review here" in out
    code, out = _run(url, [*argv, "--languages", "ti,ar"], "a long secret pass\n")
    assert code == 0 and "(translator: ti, ar) created" in out
    user = asyncio.run(_stored(url, "tesfay"))
    assert user.role == "translator" and user.language_list == ("ti", "ar")
    code, out = _run(
        url, ["staff", "add", "rita", "--role", "reviewer", "--languages", "ti", "--password-stdin"], "x\n"
    )
    assert code == 1 and "only a translator takes languages" in out
