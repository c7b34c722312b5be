"""What the running bot does not import: modules only some features need stay unloaded
until used (Alembic on an up-to-date database, openpyxl until a spreadsheet download)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from storage.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import asyncio, sys
import bot.app.run, bot.web.app, bot.web.system  # what `python -m bot run` imports
from storage.migrate import ensure_schema, newest_revision
print(asyncio.run(ensure_schema(sys.argv[1])) == (newest_revision(), newest_revision()))
print(sorted({m.split(".")[0] for m in sys.modules} & {"alembic", "mako", "openpyxl"}))
"""


def test_start_up_on_an_up_to_date_database_leaves_alembic_and_openpyxl_unloaded(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    result = subprocess.run([sys.executable, "-c", PROBE, url], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["True", "[]"]
