"""The broken flow files in tests/broken_flows/: the first line of each says where its one
problem is and what it says (`# expect: LINE:COL: message`)."""

from __future__ import annotations

from pathlib import Path

BROKEN_DIR = Path(__file__).resolve().parent / "broken_flows"
BROKEN = sorted(BROKEN_DIR.glob("*.yaml"))


def expectation(path: Path) -> tuple[str, str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    position, message = first.removeprefix("# expect: ").split(": ", 1)
    return position, message
