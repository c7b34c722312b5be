"""`python -m bot flows check [PATH…]`: the flows and the crisis word list, checked
together, every problem as `file:line:col: message`; exit 1 when there is any."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from bot.engine.load import check_paths
from bot.base.problems import Problem
from bot.safeguarding import validate_lexicon

LEXICON_FILE = "safeguarding.yaml"
MISSING_LEXICON = (
    "the crisis word list is missing: the bot does not start on a flows folder without it "
    "(copy the shipped flows/safeguarding.yaml here)"
)


def _lexicons(paths: list[str]) -> tuple[list[str], list[Path], list[Problem]]:
    """Split the arguments into flow paths and crisis word lists; a flows folder without
    its crisis word list is a problem (the bot does not start on one)."""
    flows: list[str] = []
    lexicons: list[Path] = []
    missing: list[Problem] = []
    for arg in paths:
        p = Path(arg)
        if p.is_file() and p.name == LEXICON_FILE:
            lexicons.append(p)
            continue
        flows.append(arg)
        if p.is_dir():
            if (p / LEXICON_FILE).is_file():
                lexicons.append(p / LEXICON_FILE)
            else:
                missing.append(Problem(str(p / LEXICON_FILE), 1, 1, MISSING_LEXICON))
    return flows, lexicons, missing


def check_command(paths: list[str], out: TextIO | None = None) -> int:
    out = out or sys.stdout
    if not paths:
        from bot.base.settings import get_settings

        paths = [str(get_settings().flows_dir)]
    flow_paths, lexicons, lexicon_problems = _lexicons(paths)
    n_flows, problems = check_paths(flow_paths) if flow_paths else (0, [])
    for path in lexicons:
        lexicon_problems += validate_lexicon(path)
    problems = sorted(set(problems) | set(lexicon_problems))
    for problem in problems:
        print(problem, file=out)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    extra = f" and {len(lexicons)} crisis word list(s)" if lexicons else ""
    print(f"ok: {n_flows} flow file(s){extra} checked", file=out)
    return 0
