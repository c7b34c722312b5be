"""`python -m bot …` as a child process, as a person at a terminal would run it.

The child gets a bare environment (no settings of the test run leak in), runs in an
empty folder (no `.env` is read) and its own VAR_DIR; `command()` waits for it to end,
`Running` reads a long-running one (`run`) line by line.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.botfixtures import ROOT

KEEP = ("PATH", "HOME", "LANG", "TMPDIR", "TEST_POSTGRES_DSN")


def cli_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    return (
        {k: v for k, v in os.environ.items() if k in KEEP}
        | {
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/var/bot.db",
            "VAR_DIR": str(tmp_path / "var"),
            "FLOWS_DIR": str(ROOT / "flows"),
            "LOCALES_DIR": str(ROOT / "locales"),
            "PSEUDONYM_KEY": "test-pseudonym-key-not-secret",
        }
        | settings
    )


def command(
    argv: list[str], env: dict[str, str], cwd: Path, stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot *argv` to its end; stdin is a pipe holding `stdin`, or /dev/null."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        env=env,
        cwd=cwd,
        text=True,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        timeout=timeout,
    )


def chat_process(
    lang: str, lines: list[str], args: tuple[str, ...] | list[str] = (), locales: str = "locales"
) -> subprocess.CompletedProcess[str]:
    """`python -m bot chat --lang LANG` fed `lines`, the shipped flows and the catalogs in `locales`."""
    env = {**os.environ, "FLOWS_DIR": str(ROOT / "flows"), "LOCALES_DIR": str(ROOT / locales)}
    return subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--lang", lang, *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def run_chat(lang: str, lines: list[str], args: tuple[str, ...] | list[str] = ()) -> str:
    """`chat_process`'s output; it must end well."""
    proc = chat_process(lang, lines, args)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout


class Running:
    """A `python -m bot run` child whose output (stdout and stderr together) is read as it comes."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []

    @classmethod
    async def start(cls, argv: list[str], env: dict[str, str], cwd: Path) -> Running:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *argv,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        return cls(proc)

    async def wait_for(self, text: str, count: int = 1, timeout: float = 120) -> None:
        """Read lines until `count` of them hold `text` (fails if the child ends first)."""
        async with asyncio.timeout(timeout):
            while sum(text in line for line in self.lines) < count:
                line = await self.proc.stdout.readline()
                if not line:
                    raise AssertionError(f"the bot ended before saying {text!r}:\n" + "".join(self.lines))
                self.lines.append(line.decode())

    async def stop(self, timeout: float = 60) -> int:
        """SIGTERM, then the rest of the output; the exit status."""
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(timeout):
            rest, _ = await self.proc.communicate()
        self.lines += rest.decode().splitlines(keepends=True)
        return self.proc.returncode

    @property
    def output(self) -> str:
        return "".join(self.lines)
