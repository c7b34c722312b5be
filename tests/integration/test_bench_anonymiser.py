"""`python -m bench.anonymiser` measures this branch against `main` in one run and
writes its section into the report without touching the rest. No timing is asserted."""

from __future__ import annotations

import subprocess

import pytest

from bench import anonymiser
from tests.botfixtures import ROOT


def test_section_is_written_between_its_markers(tmp_path):
    has_main = subprocess.run(["git", "rev-parse", "--verify", "main"], cwd=ROOT, capture_output=True).returncode == 0
    if not has_main:
        pytest.skip("no `main` branch in this checkout to compare with")
    out = tmp_path / "RESULTS.md"
    out.write_text("# Benchmark results\n\nkept\n", encoding="utf-8")
    assert anonymiser.main(["--repeat", "1", "--out", str(out)]) == 0
    assert anonymiser.main(["--repeat", "1", "--out", str(out)]) == 0  # replaced, not added twice
    report = out.read_text(encoding="utf-8")
    assert report.startswith("# Benchmark results\n\nkept\n")
    assert report.count(anonymiser.BEGIN) == 1 and report.count(anonymiser.END) == 1
    assert "| time per 1,000 sentences |" in report and "×" in report
    assert "held out, this branch" in report and "corpus (tuning), baseline" in report
