"""Start-up time to the first handled update (the bot and the echo bot, each a fresh
process with a /start already waiting), and flow reload time with 50 flow files."""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path

import yaml

from bench.common import ROOT, bot_proc, calls_by_chat, database, echo_proc, Proc
from bot.engine.registry import FlowRegistry
from tests.fakebotapi.server import FakeBotApi


async def _first_answer(fake: FakeBotApi, proc: Proc, chat_id: int, timeout: float = 120.0) -> float:
    import asyncio

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        proc.check_alive()
        times = calls_by_chat(fake.calls).get(chat_id)
        if times:
            return times[0] - proc.started_at
        await asyncio.sleep(0.01)
    raise TimeoutError("no first answer")


async def startup_once(which: str, workdir: Path) -> float:
    fake = FakeBotApi()
    await fake.start()
    user = fake.new_user(first_name="Early", language_code="en")
    try:
        if which == "echo":
            await user.send_text("hello")
            proc = echo_proc(fake, workdir / "start-echo")
            proc.start()
            try:
                return await _first_answer(fake, proc, user.id)
            finally:
                await proc.stop()
        async with database("sqlite", workdir) as url:
            await user.send_command("/start")
            proc = bot_proc(fake, url, workdir / "start-bot")
            proc.start()
            try:
                return await _first_answer(fake, proc, user.id)
            finally:
                await proc.stop()
    finally:
        await fake.stop()


async def run_startup(workdir: Path, repeat: int) -> tuple[float, float]:
    """Median seconds to the first answer: (sammanbot, echo)."""
    bot = [await startup_once("bot", workdir) for _ in range(repeat)]
    echo = [await startup_once("echo", workdir) for _ in range(repeat)]
    return statistics.median(bot), statistics.median(echo)


def write_flows(folder: Path, count: int) -> list[Path]:
    """`count` valid flow files: the shipped flows plus renamed copies of "Share an idea"."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    shipped = sorted(p for p in (ROOT / "flows").glob("*.yaml"))
    for path in shipped:
        target = folder / path.name
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        if path.name != "safeguarding.yaml":
            written.append(target)
    source = (ROOT / "flows" / "share_idea.yaml").read_text(encoding="utf-8")
    n = 0
    while len(written) < count:
        n += 1
        text = re.sub(r"^id: share_idea$", f"id: share_idea_copy_{n:02d}", source, flags=re.M)
        text = re.sub(r"^title: (.*)$", rf"title: \1 (copy {n})", text, count=1, flags=re.M)
        target = folder / f"share_idea_copy_{n:02d}.yaml"
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def run_reload(folder: Path, count: int, repeat: int) -> tuple[float, float, list[str]]:
    """Median ms of FlowRegistry.reload() over `count` flows, and of a bare yaml.safe_load of
    the same files (the parse floor); plus the problems the reload found."""
    files = write_flows(folder, count)
    registry = FlowRegistry(folder)
    problems = [str(p) for p in registry.reload()]
    loaded = len(registry.current.flows) if registry.current and hasattr(registry.current, "flows") else None
    if loaded is not None and loaded < count:
        problems.append(f"only {loaded} of {count} flows loaded")
    reloads, parses = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        registry.reload()
        reloads.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        for f in files:
            yaml.safe_load(f.read_text(encoding="utf-8"))
        parses.append((time.perf_counter() - t) * 1000)
    return statistics.median(reloads), statistics.median(parses), problems
