"""The pseudonym key file when several bot processes start together: one key for all.

Forks processes, so it is in the integration tier; the rest of the key file's tests are in
tests/unit/privacy/test_pseudonym.py.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from bot.base.settings import Settings
from bot.privacy.pseudonym import load_or_create_key


def _load_in_child(var_dir: str, start, out) -> None:
    start.wait()
    out.put(load_or_create_key(Settings(var_dir=Path(var_dir), _env_file=None)).hex())


def test_processes_starting_together_agree_on_one_key(tmp_path):
    ctx = multiprocessing.get_context("fork")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_load_in_child, args=(str(tmp_path / "var"), start, out)) for _ in range(4)]
    for p in procs:
        p.start()
    start.set()
    keys = {out.get(timeout=60) for _ in procs}
    for p in procs:
        p.join()
    assert len(keys) == 1
    assert bytes.fromhex(keys.pop()) == load_or_create_key(
        Settings(var_dir=tmp_path / "var", pseudonym_key=None, _env_file=None)
    )
