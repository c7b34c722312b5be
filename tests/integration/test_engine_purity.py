"""The engine stays pure: no Telegram, aiohttp, SQLAlchemy or clock reads inside it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("telegram", "aiohttp", "sqlalchemy")


def test_importing_the_engine_loads_no_io_libraries():
    code = (
        "import sys, bot.engine, bot.dialogue.render\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]\n"
        "print(','.join(bad))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert proc.stdout.strip() == ""


def test_engine_sources_import_nothing_forbidden_and_read_no_clock():
    for path in (ROOT / "bot" / "engine").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                if isinstance(node, ast.Attribute) and node.attr in ("now", "utcnow", "today", "time"):
                    clock = isinstance(node.value, ast.Name) and node.value.id in ("datetime", "time", "date")
                    assert not clock, path
                continue
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"
