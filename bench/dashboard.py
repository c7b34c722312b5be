"""Dashboard pages with many stored submissions (bulk-seeded, with the answers of a
quarter as many conversations for the drop-off statistics), served by the running bot
process at /staff/, logged in with a staff account made via storage/staff.py.
The seeding time reported is that of the submissions alone."""

from __future__ import annotations

import secrets
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from bench.common import bot_proc, database, wait_http, wait_polling
from bench.seed import seed_answers, seed_submissions
from bot.web import csrf
from bot.web.auth import COOKIE, hash_session_id
from bot.web.passwords import hash_password
from storage import staff as staff_repo
from storage.db import make_engine, make_sessionmaker
from tests.fakebotapi.server import FakeBotApi

PAGES = {
    "submissions list": "/staff/submissions",
    "search (text + language)": "/staff/submissions?q=homework+club&language=ar",
    "statistics": "/staff/stats",
    "export CSV (filtered)": "/staff/submissions/export.csv?q=homework+club&language=ar&flow=need",
}
EXPORT_ALL = "/staff/submissions/export.csv"


@dataclass
class DashboardResult:
    kind: str
    submissions: int
    seed_s: float
    healthz_ms: float
    pages_ms: dict[str, float] = field(default_factory=dict)
    export_all_ttfb_ms: float = 0.0
    export_all_s: float = 0.0
    export_all_rows: int = 0


async def _login(url: str) -> str:
    """A reviewer account and a live session; returns the session cookie value."""
    engine = make_engine(url)
    now = datetime.now(UTC)
    session_id = secrets.token_urlsafe(32)
    try:
        async with make_sessionmaker(engine).begin() as s:
            user = await staff_repo.add_staff(
                s,
                name="bench-reviewer",
                role="reviewer",
                password_hash=hash_password(secrets.token_urlsafe(16)),
                now=now,
            )
            await staff_repo.create_session(
                s,
                id_hash=hash_session_id(session_id),
                staff_id=user.id,
                csrf_token=csrf.new_token(),
                now=now,
                expires_at=now + timedelta(hours=8),
            )
    finally:
        await engine.dispose()
    return session_id


async def _time_get(http: aiohttp.ClientSession, url: str, repeat: int) -> float:
    """Median ms of a full GET (body read), after one warm-up."""
    times = []
    for i in range(repeat + 1):
        t = time.perf_counter()
        async with http.get(url, allow_redirects=False) as resp:
            await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"GET {url}: {resp.status}")
        if i:
            times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


async def run_dashboard(kind: str, n: int, workdir: Path, repeat: int = 3) -> DashboardResult:
    fake = FakeBotApi()
    await fake.start()
    try:
        async with database(kind, workdir) as url:
            await seed_answers(url, max(1, n // 4))
            t = time.perf_counter()
            await seed_submissions(url, n)
            seed_s = time.perf_counter() - t
            session_id = await _login(url)
            proc = bot_proc(fake, url, workdir / f"dash-{kind}")
            try:
                proc.start()
                base = f"http://127.0.0.1:{proc.port}"  # type: ignore[attr-defined]
                await wait_http(f"{base}/healthz", proc)
                await wait_polling(fake, proc)
                result = DashboardResult(kind, n, seed_s, 0.0)
                timeout = aiohttp.ClientTimeout(total=3600)
                async with aiohttp.ClientSession(cookies={COOKIE: session_id}, timeout=timeout) as http:
                    result.healthz_ms = await _time_get(http, f"{base}/healthz", repeat)
                    for name, path in PAGES.items():
                        result.pages_ms[name] = await _time_get(http, base + path, repeat)
                    t = time.perf_counter()
                    async with http.get(base + EXPORT_ALL) as resp:
                        first = await resp.content.readany()
                        result.export_all_ttfb_ms = (time.perf_counter() - t) * 1000
                        lines = first.count(b"\n")
                        async for chunk in resp.content.iter_any():
                            lines += chunk.count(b"\n")
                    result.export_all_s = time.perf_counter() - t
                    result.export_all_rows = max(0, lines - 1)
                return result
            finally:
                await proc.stop()
    finally:
        await fake.stop()
