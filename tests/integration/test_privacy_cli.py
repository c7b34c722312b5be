"""`python -m bot anonymize`: stdin in, anonymised text out."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from bot.cli.anonymize import anonymize_command

ROOT = Path(__file__).resolve().parents[2]


def test_anonymize_command_in_process():
    out = io.StringIO()
    text = "Hej, jag heter Linnea. Ring 070-174 06 05 kl 17:30.\nLinn är min kompis.\n"
    assert anonymize_command(["Linn"], io.StringIO(text), out) == 0
    assert out.getvalue() == "Hej, jag heter [NAME]. Ring [PHONE] kl 17:30.\n[NAME] är min kompis.\n"


def test_python_m_bot_anonymize():
    result = subprocess.run(
        [sys.executable, "-m", "bot", "anonymize", "--name", "Kalle", "--name", "@kalle_b"],
        input="Kalle (@kalle_b) bor på Storgatan 12, mejl k@example.com, buss 4.\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    assert result.stdout == "[NAME] ([USERNAME]) bor på [ADDRESS], mejl [EMAIL], buss 4.\n"


def test_python_m_bot_anonymize_score_prints_recall_per_type_and_language():
    result = subprocess.run(
        [sys.executable, "-m", "bot", "anonymize", "--score"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    out = result.stdout
    assert "corpus (tuning)" in out and "held out" in out
    header = next(line for line in out.splitlines() if line.startswith("recall"))
    assert header.split()[1:] == ["sv", "en", "ar", "fa_AF", "ps", "so", "ti", "uk", "all"]
    assert any(line.startswith("NAME ") for line in out.splitlines())
    assert "clean sentences altered:" in out


def test_score_reports_an_unreadable_corpus_as_file_line_col(tmp_path):
    out = io.StringIO()
    from bot.privacy.score import score_command

    assert score_command(out, corpus=tmp_path) == 1
    assert out.getvalue().startswith(f"{tmp_path}:0:0: cannot read the corpus")
