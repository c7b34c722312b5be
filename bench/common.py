"""Shared pieces of the benchmarks: processes (the bot, the echo bot), /proc readings,
databases (SQLite files, throw-away PostgreSQL databases), percentiles, result rows.

Every person in here is invented; no real data is used anywhere.
"""

from __future__ import annotations

import asyncio
import bisect
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from tests.dbfixtures import PG_ADMIN_DSN, fresh_pg_url

ROOT = Path(__file__).resolve().parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")

# Pacing raised far above what the load needs: Pacer waits are then ~0 and the
# latency measured is handling, not Telegram's limits (reported apart).
NO_PACING = {"RATE_GLOBAL_PER_S": "100000", "RATE_PER_CHAT_PER_S": "1000", "RATE_PER_CHAT_BURST": "1000"}


# -- results -----------------------------------------------------------------


@dataclass
class Row:
    section: str
    measure: str
    value: float | None
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)  # markdown after the notes (e.g. a table)

    def add(self, *args: Any, **kwargs: Any) -> Row:
        row = Row(*args, **kwargs)
        self.rows.append(row)
        print(
            f"  {row.section}: {row.measure} = {fmt(row.value)} {row.unit}"
            + (f" (baseline {fmt(row.baseline)}, x{row.ratio:.2f})" if row.ratio is not None else ""),
            flush=True,
        )
        return row


def fmt(value: float | None) -> str:
    if value is None:
        return "—"
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


# -- /proc -------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (and its reaped children), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime + cutime + cstime) / CLK_TCK


def tree_cpu_seconds(pid: int) -> float:
    """cpu_seconds of a process and of its live descendants (`--workers N` children)."""
    total = cpu_seconds(pid)
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                total += tree_cpu_seconds(int(child))
            except FileNotFoundError:  # gone meanwhile: its time went to our cutime
                pass
    return total


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS (now) and VmHWM (peak RSS) in MiB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return out


def machine() -> dict[str, str]:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(row.split()[1]) for row in Path("/proc/meminfo").read_text().splitlines() if row.startswith("MemTotal")
    )
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown (not a git checkout)"
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    if dirty.returncode == 0 and dirty.stdout.strip():
        commit += " (with uncommitted changes)"
    return {
        "cpu": model,
        "cores": str(os.cpu_count()),
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "load": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
        "python": sys.version.split()[0],
        "commit": commit,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


# -- processes ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    """A child process (the bot or the echo bot) talking to the fake Bot API."""

    def __init__(self, argv: list[str], env: dict[str, str], workdir: Path, name: str) -> None:
        self.argv = argv
        self.env = env
        self.workdir = workdir
        self.log = workdir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.started_at = time.time()
            self.proc = subprocess.Popen(self.argv, cwd=self.workdir, env=self.env, stdout=log, stderr=log)

    def check_alive(self) -> None:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.argv} exited {self.proc.returncode}: {self.log.read_text()[-3000:]}")

    async def stop(self) -> int:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.terminate()
        try:
            return await asyncio.to_thread(self.proc.wait, 60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return await asyncio.to_thread(self.proc.wait, 10)


def bot_proc(
    fake: Any,
    db_url: str,
    workdir: Path,
    *,
    staff_chat_id: int | None = None,
    flows_dir: Path | None = None,
    extra: dict[str, str] | None = None,
) -> Proc:
    port = free_port()
    env = dict(
        os.environ,
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_URL=fake.url,
        DATABASE_URL=db_url,
        VAR_DIR=str(workdir / "var"),
        FLOWS_DIR=str(flows_dir or ROOT / "flows"),
        LOCALES_DIR=str(ROOT / "locales"),
        WEB_HOST="127.0.0.1",
        WEB_PORT=str(port),
        POLL_TIMEOUT="10",
        PSEUDONYM_KEY="bench-pseudonym-key-not-secret",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    if staff_chat_id is not None:
        env["STAFF_CHAT_ID"] = str(staff_chat_id)
    env.update(extra or {})
    proc = Proc([sys.executable, "-m", "bot", "run"], env, workdir, "bot")
    proc.port = port  # type: ignore[attr-defined]
    return proc


def echo_proc(fake: Any, workdir: Path) -> Proc:
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_URL=fake.url, PYTHONPATH=str(ROOT))
    return Proc([sys.executable, "-m", "bench.echo_bot"], env, workdir, "echo")


async def wait_polling(fake: Any, proc: Proc, timeout: float = 120.0) -> float:
    """Wait until the process has made its first getUpdates call; returns that moment."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        proc.check_alive()
        for method, _params, at in fake.calls:
            if method == "getUpdates" and at >= proc.started_at:
                return at
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{proc.argv} did not poll: {proc.log.read_text()[-2000:]}")


async def wait_http(url: str, proc: Proc, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            proc.check_alive()
            try:
                async with http.get(url) as resp:
                    if resp.status in (200, 503):
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise TimeoutError(f"{url} did not answer")


async def wait_quiet(fake: Any, seconds: float = 1.5, timeout: float = 600.0) -> None:
    """Wait until the bot made no call but getUpdates for `seconds`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        last = next((at for method, _p, at in reversed(fake.calls) if method != "getUpdates"), 0.0)
        if time.time() - last >= seconds:
            return
        await asyncio.sleep(0.2)
    raise TimeoutError("the bot never went quiet")


def calls_by_chat(
    calls: list[tuple[str, dict[str, Any], float]], since: int = 0, methods: frozenset[str] | None = None
) -> dict[int, list[float]]:
    """Arrival times of calls per chat_id (sorted)."""
    out: dict[int, list[float]] = {}
    for method, params, at in calls[since:]:
        chat = params.get("chat_id") if isinstance(params, dict) else None
        if isinstance(chat, int) and (methods is None or method in methods):
            out.setdefault(chat, []).append(at)
    for times in out.values():
        times.sort()
    return out


def first_after(times: list[float], t: float) -> float | None:
    i = bisect.bisect_left(times, t)
    return times[i] if i < len(times) else None


# -- databases ---------------------------------------------------------------


async def pg_available() -> bool:
    import asyncpg

    try:
        conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    except (OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


@asynccontextmanager
async def database(kind: str, workdir: Path) -> AsyncIterator[str]:
    """A fresh, empty, migrated database: an SQLite file, or a throw-away PostgreSQL db."""
    from storage.migrate import ensure_schema

    if kind == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.db"
        url = f"sqlite+aiosqlite:///{path}"
        await ensure_schema(url)
        try:
            yield url
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    async with fresh_pg_url() as url:  # the test suite's throw-away databases
        await ensure_schema(url)
        yield url


@asynccontextmanager
async def running_echo(fake: Any, workdir: Path, settle: float = 0.5) -> AsyncIterator[Proc]:
    """The echo bot, polling the fake and past its start-up calls; stopped afterwards."""
    proc = echo_proc(fake, workdir)
    try:
        proc.start()
        await wait_polling(fake, proc)
        await asyncio.sleep(settle)
        yield proc
    finally:
        await proc.stop()
