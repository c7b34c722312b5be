"""How cost grows: the load run's workload (youth pausing as people do, pacing raised) at
several numbers of youth in conversation, on SQLite, on PostgreSQL with one process and
with `--workers 2`, each for the same window of time. Beyond what a set-up can take the
queue grows for as long as a run lasts, so a run offers its load for `window` seconds and
counts what is still unanswered a few seconds later: the table says "saturated" there
instead of a p99 that only measures the run's length.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from bench import load
from bench.common import Results, fmt, percentile
from bench.conversations import Thinking

VARIANTS = (("sqlite", 1), ("postgresql", 1), ("postgresql", 2))
SATURATED = 0.01  # more than this share of actions unanswered: the p99 is not a time


@dataclass
class Cell:
    p99_ms: float | None  # None: saturated
    cpu_per_update_ms: float
    handled_per_s: float
    answered: float  # share of the actions answered

    @classmethod
    def of(cls, res: load.LoadResult, window: float) -> Cell:
        waits = res.latencies + [math.inf] * res.unanswered
        p99 = percentile(waits, 99)
        return cls(
            None if p99 is None or math.isinf(p99) else p99 * 1000,
            res.cpu_per_update_ms,
            len(res.latencies) / window,
            res.answered_share,
        )

    def text(self) -> str:
        wait = f"p99 {fmt(self.p99_ms)} ms" if self.p99_ms is not None else f"saturated ({self.answered:.0%} answered)"
        return f"{wait}; {fmt(self.cpu_per_update_ms)} ms CPU/update; {fmt(self.handled_per_s)} answers/s"


def variant_name(kind: str, workers: int) -> str:
    return f"{kind}, {workers} process{'es' if workers > 1 else ''}"


async def measure(
    r: Results, scales: list[int], kinds: list[str], workdir: Path, think: float, window: float
) -> dict[tuple[int, str], Cell]:
    """Run every scale × variant; rows into `r`, and the cells for the table."""
    cells: dict[tuple[int, str], Cell] = {}
    for n in scales:
        for kind, workers in VARIANTS:
            if kind not in kinds:
                continue
            name = variant_name(kind, workers)
            print(f"[scaling] {n} youth in conversation, {name}, {window:.0f} s", flush=True)
            res = await load.run_sammanbot(kind, n, workdir, Thinking().scaled(think), workers, window=window)
            cell = cells[(n, name)] = Cell.of(res, window)
            sec = f"scaling ({n} youth in conversation)"
            r.add(sec, f"answer time p99 ({name})", cell.p99_ms, "ms", note=f"{cell.answered:.0%} answered")
            r.add(sec, f"CPU per handled update ({name})", cell.cpu_per_update_ms, "ms")
    return cells


def table(cells: dict[tuple[int, str], Cell]) -> str:
    """Markdown: a row per number of youth, a column per set-up."""
    names = list(dict.fromkeys(name for _, name in cells))
    scales = sorted({n for n, _ in cells})
    lines = ["| youth in conversation | " + " | ".join(names) + " |", "| --- |" + " --- |" * len(names)]
    for n in scales:
        row = [cells[(n, name)].text() if (n, name) in cells else "" for name in names]
        lines.append(f"| {n:,} | " + " | ".join(row) + " |")
    return "\n".join(lines)
