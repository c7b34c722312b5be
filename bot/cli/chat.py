"""`python -m bot chat`: talk to the bot in the terminal, before deploying its flows.

It is the real bot: the conversation code Telegram runs (crisis words and helplines,
the commands, kind replies to wrong input), on a throw-away SQLite database in a
temporary folder. Buttons are numbered; typing the number presses one (while a
question wants typed text or a number, digits are the answer: /skip skips). Works over
a pipe, so tests can drive it. Lines starting with "  ·" say what the bot saved, and
"  ┆" lines show a card exactly as the team would see it (anonymised); nothing is sent.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, TextIO

from bot.i18n import texts

if TYPE_CHECKING:  # imported when the chat starts, so `--help` stays quick
    from bot.dialogue.simulation import Shown, Turn

QUIT = "quit"
# The chat's own words for `--help`; the youth's commands are those of Telegram.
FLOW_COMMANDS = {
    "back": "Go back to the previous question",
    "skip": "Skip the question (when it may be skipped)",
    "restart": "Start the current flow again",
}


def commands_help() -> str:
    """The commands the terminal chat understands, for `python -m bot chat --help`."""
    lines = [f"  /{name:<9} {desc}" for name, desc in texts.COMMANDS.items()]
    lines += [f"  /{name:<9} {desc}" for name, desc in FLOW_COMMANDS.items()]
    lines.append(f"  /{QUIT:<9} End the chat (so does the end of input)")
    return "In the chat: type an answer, a button's number, or a command:\n" + "\n".join(lines)


class Screen:
    """Prints what the bot shows, and turns a typed line into a press or a message."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.buttons: list[str] = []  # callback data by number - 1
        self.typing = False

    def show(self, turn: Turn) -> None:
        if turn.typing is not None:
            self.typing = turn.typing
        for item in turn.shown:
            self.print(item)

    def print(self, item: Shown) -> None:
        if item.who == "note":
            print(f"  · {item.text}", file=self.out)
            return
        if item.who == "team":
            print("  · the team would see:", file=self.out)
            for line in item.text.splitlines():
                print(f"  ┆ {line}", file=self.out)
            print(file=self.out)
            return
        if item.updated:
            print("(updated)", file=self.out)
        print(item.text, file=self.out)
        if item.buttons:
            self.buttons = []
            for row in item.buttons:
                for label, data in row:
                    self.buttons.append(data)
                    print(f"  [{len(self.buttons)}] {label}", file=self.out)
        print(file=self.out)

    def pressed(self, line: str) -> str | None:
        """The callback data of the button whose number was typed, if one was."""
        word = line.strip()
        if word.isdigit() and not self.typing and 1 <= int(word) <= len(self.buttons):
            return self.buttons[int(word) - 1]
        return None


def chat_command(lang: str | None, flow_id: str | None, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    """Run a terminal conversation. 0 at /quit or end of input; 1 when the content is invalid."""
    from bot.base.settings import get_settings

    return asyncio.run(_chat(get_settings(), lang, flow_id, stdin, stdout))


async def _chat(settings: Any, lang: str | None, flow_id: str | None, stdin: TextIO, stdout: TextIO) -> int:
    from bot.app.services import build_services
    from bot.base.problems import StartupError
    from bot.dialogue.simulation import simulation_settings
    from storage.migrate import ensure_schema

    with tempfile.TemporaryDirectory(prefix="sammanbot-chat-") as folder:
        url = f"sqlite+aiosqlite:///{folder}/chat.db"
        try:
            services = build_services(simulation_settings(settings, database_url=url))
        except StartupError as exc:
            print(exc, file=stdout)
            return 1
        try:
            fs = services.flowset
            first = flow_id or fs.onboarding_id or (fs.menu()[0].id if fs.menu() else None)
            if first is None or fs.get(first) is None:
                print(f"unknown flow '{flow_id}'; the flows are: {', '.join(sorted(fs.flows))}", file=stdout)
                return 1
            await ensure_schema(services.db)
            return await _talk(services, first, lang, stdin, stdout)
        finally:
            await services.db.dispose()


async def _talk(services: Any, first: str, lang: str | None, stdin: TextIO, stdout: TextIO) -> int:
    from bot.dialogue import simulation
    from bot.dialogue import youth

    screen = Screen(stdout)

    async def act(do: Callable[[Any], Awaitable[Any]]) -> None:
        async with services.sessionmaker.begin() as s:
            conv = await simulation.open_youth(services, s, datetime.now(UTC), lang)
            pressed = await do(conv)
            await conv.close()
        screen.show(simulation.turn(conv, pressed))

    if first != services.flowset.onboarding_id:
        print("(trying one flow: acting as a youth who has agreed to the consent)\n", file=stdout)
    if lang is not None or first != services.flowset.onboarding_id:
        await act(lambda conv: simulation.begin(conv, first, lang or services.settings.default_language))
    else:
        await act(lambda conv: simulation.write(conv, "/start"))
    interactive = stdin.isatty()
    while True:
        if interactive:
            print("> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line or line.strip() == f"/{QUIT}":
            return 0
        line = line.rstrip("\n")
        data = screen.pressed(line)
        if data is not None:
            await act(partial(youth.press, data=data))
        elif line.strip():
            await act(partial(simulation.write, line=line))
