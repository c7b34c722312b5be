"""`python -m bot anonymize [--name NAME]…`: anonymise stdin, print the result."""
from __future__ import annotations

from typing import TextIO

from .anonymizer import anonymize


def anonymize_command(names: list[str], stdin: TextIO, stdout: TextIO) -> int:
    stdout.write(anonymize(stdin.read(), names=names))
    stdout.flush()
    return 0
