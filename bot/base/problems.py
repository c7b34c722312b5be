"""A problem found in an admin-edited file, reported as `file:line:col: message`; the
"did you mean" hint such messages end with; and the error that stops the bot at start."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int  # 1-based
    col: int  # 1-based
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


def did_you_mean(word: Any, options: Any) -> str:
    """ " (did you mean 'x'?)" when a close match exists, else ""."""
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class StartupError(Exception):
    """The bot cannot start; the message says what to fix (file:line:col lines)."""
