"""`python -m bot flows check`: exit codes and output, on broken files, the shipped flows and a
folder without its crisis word list (the validator itself: tests/unit/engine/test_check.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys

from tests.botfixtures import ROOT
from tests.brokenflows import BROKEN_DIR, expectation

SHIPPED = ROOT / "flows"


def test_cli_exit_codes_and_output_for_broken_files():
    picks = [BROKEN_DIR / "unknown_key.yaml", BROKEN_DIR / "syntax_error.yaml"]
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "flows", "check", *map(str, picks)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    for pick in picks:
        position, message = expectation(pick)
        assert f"{pick}:{position}: " in proc.stdout and message in proc.stdout


def test_cli_on_the_shipped_flows_exits_zero():
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "flows", "check", "flows/"], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_cli_refuses_a_flows_folder_without_its_crisis_word_list(tmp_path):
    for flow in SHIPPED.glob("*.yaml"):
        if flow.name != "safeguarding.yaml":
            shutil.copy(flow, tmp_path / flow.name)
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "flows", "check", str(tmp_path)], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stdout.splitlines() == [
        f"{tmp_path / 'safeguarding.yaml'}:1:1: the crisis word list is missing: the bot does not start on a "
        "flows folder without it (copy the shipped flows/safeguarding.yaml here)"
    ]
