"""The command line as a person meets it (`python -m bot …` as a child process):
`--version`, a help text for every command, action and option, `run --help` naming
where the web app listens and the no-token mode, and staff accounts: `staff passwd`,
passwords typed twice at a terminal or given with `--password-stdin`, and a clear
stop (exit 2) when there is no terminal to ask on."""

from __future__ import annotations

import argparse
import os
import re
import select
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import aiohttp
import pytest

from bot.base.invocation import bot_command
from bot.cli.main import _parser
from tests.botfixtures import free_port
from tests.clirun import Running, cli_env, command
from tests.webfixtures import csrf_of

OLD, NEW = "the old long password", "a brand new long password"


def test_version_comes_from_the_package_metadata(tmp_path):
    done = command(["--version"], cli_env(tmp_path), tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"sammanbot {metadata.version('sammanbot')}\n", "")


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(path, parser, {subcommand: its help}) for the parser and every subcommand below it."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    helps = {c.dest: c.help for sub in subs for c in sub._choices_actions}
    yield path, parser, helps
    for sub in subs:
        for name, child in sub.choices.items():
            yield from _commands(child, (*path, name))


def _words(text: str) -> str:
    return " ".join(text.split())


def test_every_command_action_and_option_has_a_help_text(tmp_path):
    walked = list(_commands(_parser()))
    paths = {path for path, _, _ in walked}
    assert {("run",), ("i18n", "status"), ("db", "upgrade"), ("staff", "passwd"), ("export",)} <= paths
    env = cli_env(tmp_path)
    for path, parser, subcommand_helps in walked:
        done = command([*path, "--help"], env, tmp_path)
        assert done.returncode == 0 and done.stderr == "", path
        shown = _words(done.stdout)
        assert parser.description, f"`{' '.join(path)}` has no description"
        for name, text in subcommand_helps.items():
            assert text, f"`{' '.join((*path, name))}` has no help text"
            assert _words(f"{name} {text}") in shown, (path, name)
        for action in parser._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            assert action.help, f"`{' '.join(path)}` {action.option_strings or action.dest} has no help text"
            assert _words(action.help) in shown, (path, action.dest)


def test_run_help_names_where_it_listens_and_the_mode_without_a_token(tmp_path):
    shown = _words(command(["run", "--help"], cli_env(tmp_path), tmp_path).stdout)
    assert "The web app listens on WEB_HOST:WEB_PORT (default 127.0.0.1:8080)" in shown
    assert "the staff dashboard at /staff/ and the web chat simulator at /staff/simulator" in shown
    assert "Without it, only the simulator and the dashboard run (no Telegram)" in shown
    assert "TELEGRAM_BOT_TOKEN" in shown and "WEBHOOK_URL" in shown


@pytest.mark.parametrize("argv", [["staff", "add", "ada", "--role", "admin"], ["staff", "passwd", "ada"]])
def test_without_a_terminal_the_password_must_come_with_password_stdin(argv, tmp_path, monkeypatch):
    done = command(argv, cli_env(tmp_path), tmp_path)  # stdin: /dev/null, no terminal
    role = "--role admin " if "--role" in argv else ""
    monkeypatch.chdir(tmp_path)  # the hint names this Python as typed from where the command ran
    staff = bot_command("staff")
    assert (done.returncode, done.stdout, done.stderr) == (
        2,
        "",
        (
            "no terminal to ask for the password on: give it on standard input with --password-stdin "
            f"(e.g. printf '%s\\n' \"$PASSWORD\" | {staff} {argv[1]} ada {role}--password-stdin)\n"
        ),
    )
    assert not (tmp_path / "var" / "bot.db").exists()  # stopped before anything


def test_passwd_names_an_unknown_account_before_asking_for_a_password(tmp_path):
    done = command(["staff", "passwd", "nobody", "--password-stdin"], cli_env(tmp_path), tmp_path, stdin=NEW + "\n")
    assert (done.returncode, done.stderr) == (
        1,
        "there is no staff account named 'nobody' (create it with `staff add`)\n",
    )
    done = command(["staff", "passwd", "nobody", "--password-stdin"], cli_env(tmp_path), tmp_path, stdin="short\n")
    assert done.returncode == 1 and "no staff account" in done.stderr


class Terminal:
    """`python -m bot …` on a pseudo-terminal, as when a person types at it."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.master, slave = os.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", *argv],
            env=env,
            cwd=cwd,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
        )
        os.close(slave)
        self.seen = ""

    def expect(self, text: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            assert time.monotonic() < deadline, f"no {text!r} in {self.seen!r}"
            if select.select([self.master], [], [], 1)[0]:
                try:
                    self.seen += os.read(self.master, 1024).decode(errors="replace")
                except OSError:  # the child closed the terminal
                    assert text in self.seen, f"no {text!r} in {self.seen!r}"

    def type(self, line: str) -> None:
        os.write(self.master, (line + "\n").encode())

    def wait(self) -> int:
        code = self.proc.wait(120)
        os.close(self.master)
        return code


def test_passwords_are_asked_twice_at_a_terminal_and_never_shown(tmp_path):
    env = cli_env(tmp_path)
    term = Terminal(["staff", "add", "ada", "--role", "admin"], env, tmp_path)
    term.expect("Password for ada: ")
    term.type(OLD)
    term.expect("Again: ")
    term.type(OLD)
    term.expect("staff account 'ada' (admin) created")
    assert term.wait() == 0

    term = Terminal(["staff", "passwd", "ada"], env, tmp_path)
    term.expect("Password for ada: ")
    term.type(NEW)
    term.expect("Again: ")
    term.type(NEW + " but typed differently")
    term.expect("the passwords differ")
    assert term.wait() == 1
    assert OLD not in term.seen and NEW not in term.seen

    term = Terminal(["staff", "passwd", "ada"], env, tmp_path)
    term.expect("Password for ada: ")
    term.type(NEW)
    term.expect("Again: ")
    term.type(NEW)
    term.expect("new password set for 'ada'; their dashboard sessions have ended")
    assert term.wait() == 0
    assert NEW not in term.seen


async def _log_in(http: aiohttp.ClientSession, base: str, password: str) -> int:
    async with http.get(f"{base}/staff/login") as page:
        token = csrf_of(await page.text())
    async with http.post(
        f"{base}/staff/login", allow_redirects=False, data={"name": "ada", "password": password, "csrf_token": token}
    ) as answer:
        return answer.status


async def _signed_in(http: aiohttp.ClientSession, base: str) -> bool:
    async with http.get(f"{base}/staff/submissions", allow_redirects=False) as page:
        return page.status == 200


async def test_passwd_replaces_the_password_and_ends_the_accounts_sessions(tmp_path):
    port = free_port()
    env = cli_env(tmp_path, WEB_PORT=str(port))
    done = command(["staff", "add", "ada", "--role", "reviewer", "--password-stdin"], env, tmp_path, stdin=OLD + "\n")
    assert done.returncode == 0, done.stderr
    bot = await Running.start(["run"], env, tmp_path)
    try:
        await bot.wait_for("Dashboard: ")
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as before:
            assert await _log_in(before, base, OLD) == 303
            assert await _signed_in(before, base)
            done = command(["staff", "passwd", "ada", "--password-stdin"], env, tmp_path, stdin=NEW + "\n")
            assert (done.returncode, done.stdout, done.stderr) == (
                0,
                "",
                "new password set for 'ada'; their dashboard sessions have ended\n",
            )
            assert not await _signed_in(before, base)  # logged out by the new password
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as after:
            assert await _log_in(after, base, OLD) == 401
            assert await _log_in(after, base, NEW) == 303
            assert await _signed_in(after, base)
    finally:
        assert await bot.stop() == 0, bot.output
    assert not re.search(f"{OLD}|{NEW}", bot.output)


def test_no_command_shows_them_all_and_a_typo_gets_the_closest(tmp_path):
    bare = command([], cli_env(tmp_path), tmp_path)
    assert bare.returncode == 2 and "Traceback" not in bare.stderr
    for name in ("run", "chat", "flows", "doctor", "demo", "staff", "export"):
        assert name in bare.stderr
    typo = command(["runn"], cli_env(tmp_path), tmp_path)
    assert typo.returncode == 2
    assert typo.stderr.startswith("python -m bot: there is no command 'runn' (did you mean 'run'?). The commands: run,")
