"""`python -m bot anonymize [--name NAME]…`: anonymise stdin, print the result;
`python -m bot anonymize --score [--misses]`: score it on the project's corpora."""

from __future__ import annotations

from typing import TextIO

from bot.privacy.anonymizer import anonymize
from bot.privacy.score import score_command

__all__ = ["anonymize_command", "score_command"]


def anonymize_command(names: list[str], stdin: TextIO, stdout: TextIO) -> int:
    stdout.write(anonymize(stdin.read(), names=names))
    stdout.flush()
    return 0
