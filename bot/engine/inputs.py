"""Engine inputs: what a youth (or the clock) did, as frozen dataclasses.

Button indexes: for a question with N choices, index 0..N-1 presses a choice,
N is "Done" (multiple choice), N+1 is "Skip" and N+2 is "Menu" (offered after
three wrong tries). Front-ends build callback data "{ask}:{index}".
"""

from __future__ import annotations

from dataclasses import dataclass

COMMANDS = ("restart", "back", "menu", "language", "skip")


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Button:
    ask: int
    choice: int


@dataclass(frozen=True)
class Command:
    name: str  # one of COMMANDS


@dataclass(frozen=True)
class Tick:
    """The clock moved on; `tick()` is the usual way to deliver it."""


Input = Text | Button | Command | Tick


def done_index(n_choices: int) -> int:
    return n_choices


def skip_index(n_choices: int) -> int:
    return n_choices + 1


def menu_index(n_choices: int) -> int:
    return n_choices + 2


def parse_callback(data: str) -> Button | None:
    """ "{ask}:{index}" -> Button; None for anything else (never raises)."""
    ask, sep, index = data.partition(":")
    if not sep or not ask.isdigit() or not index.isdigit():
        return None
    return Button(int(ask), int(index))
