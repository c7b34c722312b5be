"""`python -m bot chat`: talk to the flows in the terminal, before deploying them.

Buttons are shown as numbered options; typing the number presses one. /menu,
/back, /restart, /skip and /language work as in Telegram (while a question wants
typed text or a number, digits are the answer: use /skip to skip it), /start begins again
and /quit (or end of input) stops. Works over a pipe, so tests can drive it.
Lines starting with "  ·" show what the bot would save or forward.
"""
from __future__ import annotations

import sys
from datetime import datetime, timezone
from typing import Any, TextIO

from bot.engine import Ask, Command, FlowSet, SaveAnswer, SetProfile, Text, load_flows, resume, start
from bot.engine.events import End, Event, Forward
from bot.engine.inputs import parse_callback
from bot.render import ENGLISH, OutMessage, Translator, render

COMMANDS = {"/menu": "menu", "/back": "back", "/restart": "restart", "/skip": "skip", "/language": "language"}


def _translator(lang: str) -> Translator:
    """The catalogs' translator for `lang` (read once); English if they cannot be read."""
    from bot.i18n import get_catalogs
    from bot.settings import get_settings

    try:
        return get_catalogs(get_settings()).translator(lang)
    except OSError:  # no locales folder here: the English source texts will do
        return ENGLISH


class Simulator:
    def __init__(self, flowset: FlowSet, lang: str, out: TextIO) -> None:
        self.fs = flowset
        self.lang = lang
        self.tr = _translator(lang)
        self.out = out
        self.buttons: list[str] = []  # callback data by number - 1
        self.typing = False  # the open question wants typed text or a number: digits are answers

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def show(self, events: list[Event]) -> None:
        for e in events:
            if isinstance(e, SetProfile) and e.field == "language" and e.value != self.lang:
                self.lang = e.value
                self.tr = _translator(self.lang)
        for e in events:
            if isinstance(e, Ask):
                self.typing = e.kind in ("text", "number")
            if isinstance(e, SaveAnswer):
                note = "forwarded" if e.forward else "private"
                shown = "(skipped)" if e.skipped else repr(e.value)
                print(f"  · saved {e.name} = {shown} [{note}]", file=self.out)
            elif isinstance(e, SetProfile):
                print(f"  · profile {e.field} = {e.value!r}", file=self.out)
            elif isinstance(e, Forward):
                print(f"  · forwarded to the team ({e.flow}, source {e.source}): {e.answers}", file=self.out)
            elif isinstance(e, End):
                print(f"  · end of flow {e.flow}", file=self.out)
        for msg in render(events, self.tr):
            self.print_message(msg)

    def print_message(self, msg: OutMessage) -> None:
        if msg.edit_of is not None:
            print("(updated)", file=self.out)
        print(msg.text, file=self.out)
        if msg.buttons:
            self.buttons = []
            for row in msg.buttons:
                for label, data in row:
                    self.buttons.append(data)
                    print(f"  [{len(self.buttons)}] {label}", file=self.out)
        print(file=self.out)

    def to_input(self, line: str) -> Any:
        word = line.strip()
        if word in COMMANDS:
            return Command(COMMANDS[word])
        if word.isdigit() and not self.typing and 1 <= int(word) <= len(self.buttons):
            return parse_callback(self.buttons[int(word) - 1])
        return Text(line)


def chat_command(lang: str | None, flow_id: str | None, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    """Run a terminal conversation. 0 at /quit or end of input; 1 when flows are invalid."""
    from bot.settings import get_settings

    settings = get_settings()
    flowset, problems = load_flows(settings.flows_dir)
    if flowset is None:
        for p in problems:
            print(p, file=stdout)
        return 1
    lang = lang or settings.default_language
    first = flow_id or flowset.onboarding_id or (flowset.menu()[0].id if flowset.menu() else None)
    if first is None or flowset.get(first) is None:
        known = ", ".join(sorted(flowset.flows))
        print(f"unknown flow '{flow_id}'; the flows are: {known}", file=stdout)
        return 1
    sim = Simulator(flowset, lang, stdout)
    interactive = stdin.isatty()
    # Starting a flow directly skips onboarding: simulate a youth who agreed, so saves show.
    seed = None if first == flowset.onboarding_id else {"consent": True}
    if seed:
        print("(trying one flow: acting as a youth who has agreed to the consent)\n", file=stdout)
    session, events = start(flowset, first, now=sim.now(), lang=lang, session=seed)
    sim.show(events)
    while True:
        if interactive:
            print("> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line or line.strip() == "/quit":
            return 0
        line = line.rstrip("\n")
        if line.strip() == "/start":
            session, events = start(flowset, first, now=sim.now(), lang=sim.lang, session=session)
        else:
            session, events = resume(flowset, session, sim.to_input(line), now=sim.now())
        sim.show(events)
