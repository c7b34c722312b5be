"""How a person types one of the bot's commands on this machine, for the hints it prints.

The hints name the Python that is running now: `.venv/bin/python -m bot …` after `make
install`, since a bare `python -m bot …` would use a Python without the bot's packages.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def python() -> str:
    """The running interpreter as a person would type it here."""
    exe = Path(sys.executable)
    try:
        relative = exe.relative_to(Path.cwd())
    except ValueError:
        relative = None
    if relative is not None:
        return str(relative)
    on_path = shutil.which(exe.name)
    if on_path and os.path.samefile(on_path, exe):
        return exe.name
    return str(exe)


def bot_command(words: str) -> str:
    """`<python> -m bot <words>`, e.g. bot_command("staff add NAME --role admin")."""
    return f"{python()} -m bot {words}"
