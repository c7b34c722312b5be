"""bot.base.memory: the malloc arena cap applies on glibc and is a harmless no-op elsewhere."""

from __future__ import annotations

import subprocess
import sys

from bot.base import memory


def test_limit_arenas_is_applied_on_glibc_and_skipped_elsewhere():
    glibc = memory._glibc() is not None
    # in a child: the cap is process-wide and must not change the test run itself
    code = "from bot.base import memory; print(memory.limit_arenas())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == str(glibc)


def test_limit_arenas_without_glibc_does_nothing(monkeypatch):
    monkeypatch.setattr(memory, "_glibc", lambda: None)
    assert memory.limit_arenas() is False
