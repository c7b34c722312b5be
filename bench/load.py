"""CPU per update / per Bot API call, and answer latency, with N youth at once.

The same workload shape runs against the bare PTB echo bot (the framework floor) and
against Sammanbot on SQLite and on PostgreSQL; the bot runs as its own process and
its CPU time is read from /proc before and after the workload. Youth pause as people
do before each action (`Thinking`), so the latency is what a youth waits at that
many conversations at once, not the queue of a saturated machine.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bench.common import (
    NO_PACING,
    bot_proc,
    calls_by_chat,
    cpu_seconds,
    database,
    running_echo,
    tree_cpu_seconds,
    percentile,
    wait_polling,
    wait_quiet,
)
from bench.conversations import SHARE_IDEA, Thinking, Trace, answer_times, echo_chat, share_idea
from tests.fakebotapi.server import FakeBotApi

VISIBLE = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup", "sendPhoto", "sendDocument"})


@dataclass
class LoadResult:
    name: str
    youth: int
    updates: int
    calls: int  # Bot API calls but getUpdates
    cpu_s: float
    wall_s: float
    latencies: list[float]
    handled_p: dict[str, float] | None = None  # the bot's own /metrics histogram (arrival -> queued)
    unanswered: int = 0  # actions with no answer by the end of a windowed run

    @property
    def answered_share(self) -> float:
        return len(self.latencies) / max(1, len(self.latencies) + self.unanswered)

    @property
    def cpu_per_update_ms(self) -> float:
        return 1000 * self.cpu_s / max(1, self.updates)

    @property
    def cpu_per_call_ms(self) -> float:
        return 1000 * self.cpu_s / max(1, self.calls)

    def p(self, q: float) -> float | None:
        v = percentile(self.latencies, q)
        return None if v is None else v * 1000


def _count_calls(fake: FakeBotApi, since: int) -> int:
    return sum(1 for method, _p, _t in fake.calls[since:] if method != "getUpdates")


async def run_echo(n_youth: int, messages: int, workdir: Path, thinking: Thinking) -> LoadResult:
    fake = FakeBotApi()
    await fake.start()
    try:
        async with running_echo(fake, workdir / "echo") as proc:
            users = [fake.new_user(first_name=f"Echo{i}", language_code="en") for i in range(n_youth)]
            traces = [Trace(u.id) for u in users]
            since = len(fake.calls)
            cpu0, t0 = cpu_seconds(proc.pid), time.monotonic()
            await asyncio.gather(
                *(
                    echo_chat(u, t, messages, thinking.pauses(i))
                    for i, (u, t) in enumerate(zip(users, traces, strict=True))
                )
            )
            await wait_quiet(fake, 1.0)
            cpu1, wall = cpu_seconds(proc.pid), time.monotonic() - t0
        lat = answer_times(traces, calls_by_chat(fake.calls, since, VISIBLE))
        return LoadResult("echo", n_youth, n_youth * messages, _count_calls(fake, since), cpu1 - cpu0, wall, lat)
    finally:
        await fake.stop()


async def _act(youth: list[Any], window: float | None, grace: float) -> None:
    """Run the youths' conversations to the end, or for `window` seconds: then they stop
    acting, and after `grace` seconds whatever was not answered stays unanswered."""
    tasks = [asyncio.ensure_future(c) for c in youth]
    if window is None:
        await asyncio.gather(*tasks)
        return
    _, pending = await asyncio.wait(tasks, timeout=window)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    await asyncio.sleep(grace)
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]


async def run_sammanbot(
    kind: str,
    n_youth: int,
    workdir: Path,
    thinking: Thinking,
    workers: int = 1,
    *,
    window: float | None = None,
    grace: float = 5.0,
) -> LoadResult:
    """The bot (`--workers N` when more than one) under N youth; CPU of all its processes.
    With `window`, youth act for that many seconds only (the scaling table: beyond what
    the bot can take, the queue would grow for as long as the run lasts)."""
    fake = FakeBotApi()
    await fake.start()
    group = fake.new_group("Sammanhacket team")
    async with database(kind, workdir) as url:
        proc = bot_proc(
            fake, url, workdir / f"bot-{kind}-{n_youth}-{workers}", staff_chat_id=group.chat.id, extra=NO_PACING
        )
        if workers > 1:
            proc.argv += ["--workers", str(workers)]
        try:
            proc.start()
            await wait_polling(fake, proc)
            await wait_quiet(fake, 1.0)  # start-up calls (setMyCommands, ...) done
            users = [fake.new_user(first_name=f"Youth{i}", language_code="en") for i in range(n_youth)]
            traces = [Trace(u.id) for u in users]
            since = len(fake.calls)
            spy = _profiler(proc.pid, workdir / f"profile-{kind}.txt")
            cpu0, t0 = tree_cpu_seconds(proc.pid), time.monotonic()
            youth = [
                share_idea(u, t, pause=thinking.pauses(i)) for i, (u, t) in enumerate(zip(users, traces, strict=True))
            ]
            await _act(youth, window, grace)
            if window is None:
                await wait_quiet(fake, 1.5)  # staff cards and the last edits
            cpu1, wall = tree_cpu_seconds(proc.pid), time.monotonic() - t0
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                await asyncio.to_thread(spy.wait, 60)
            if fake.rejected:
                raise RuntimeError(f"the fake rejected calls: {fake.rejected[:3]}")
            lat = answer_times(traces, calls_by_chat(fake.calls, since, VISIBLE))
            handled = await _metrics_quantiles(f"http://127.0.0.1:{proc.port}/metrics")  # type: ignore[attr-defined]
            actions = sum(len(t.pushed) for t in traces)
            return LoadResult(
                f"sammanbot-{kind}",
                n_youth,
                len(lat) if window is not None else n_youth * len(SHARE_IDEA),
                _count_calls(fake, since),
                cpu1 - cpu0,
                wall,
                lat,
                handled,
                unanswered=actions - len(lat),
            )
        finally:
            await proc.stop()
            await fake.stop()


async def _metrics_quantiles(url: str) -> dict[str, float] | None:
    """p50/p95/p99 (bucket upper bounds, ms) of sammanbot_answer_latency_seconds."""
    try:
        async with aiohttp.ClientSession() as http, http.get(url) as resp:
            text = await resp.text()
    except aiohttp.ClientError:
        return None
    buckets = [
        (float(le), float(v))
        for le, v in re.findall(r'sammanbot_answer_latency_seconds_bucket\{le="([^"]+)"\} (\S+)', text)
    ]
    if not buckets or buckets[-1][1] == 0:
        return None
    total = buckets[-1][1]
    out = {}
    for q in (50, 95, 99):
        bound = next(le for le, count in buckets if count >= total * q / 100)
        out[f"p{q}"] = bound * 1000
    return out


def _profiler(pid: int, out: Path) -> subprocess.Popen[bytes] | None:
    """With BENCH_PROFILE=1, py-spy samples the bot's CPU during the workload (collapsed stacks)."""
    if os.environ.get("BENCH_PROFILE") != "1" or not shutil.which("py-spy"):
        return None
    print(f"  profiling pid {pid} with py-spy -> {out}", flush=True)
    return subprocess.Popen(
        [
            "py-spy",
            "record",
            "--pid",
            str(pid),
            "--format",
            "raw",
            "--rate",
            "50",
            "--output",
            str(out),
            "--nonblocking",
            "--gil",  # only samples holding the GIL: CPU, not waiting
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
