"""The benchmark runs (tiny scale) so it cannot rot: `python -m bench --smoke` as a
subprocess prints the table and writes a report with every figure filled in.
No timing is asserted: only that each measurement produced a number."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.botfixtures import ROOT

MEASURES = [
    "echo bot: CPU per Bot API call",
    "CPU per handled update",
    "CPU per Bot API call",
    "answer time p50",
    "answer time p99",
    "answer → next question p50",
    "answer → next question p99",
    "messages sent per second",
    "429s received",
    "time until every youth answered",
    "messages sent per second while it went out",
    "chatting youth's answer time p99",
    "idle RSS",
    "peak RSS",
    "submissions list",
    "search (text + language)",
    "statistics",
    "export CSV (filtered)",
    "process start → first answer",
    "flow reload, 50 flows",
]


def test_bench_smoke_produces_the_table(tmp_path):
    out = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(out)],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = out.read_text(encoding="utf-8")
    for text in (done.stdout, report):
        assert "| section | measure | value | baseline (same run) | ratio | target | met |" in text
    assert "cores" in report and "commit" in report
    rows = [line for line in report.splitlines() if line.startswith("| ") and "---" not in line][1:]
    for measure in MEASURES:
        found = [r for r in rows if f"| {measure}" in r]
        assert found, f"no row for {measure!r}"
        for row in found:
            value = row.split("|")[3].strip()
            assert value and value[0] != "—", f"no figure in {row}"
    assert any("| sqlite" in r or "(sqlite" in r for r in rows)
