"""RSS of the bot process with many stored participants and sessions (bulk-seeded):
idle after start-up, and peak (VmHWM) after a small conversation load."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from bench.common import NO_PACING, bot_proc, database, memory_mb, running_echo, wait_polling, wait_quiet
from bench.conversations import Trace, echo_chat, share_idea
from bench.seed import seed_participants
from tests.fakebotapi.server import FakeBotApi


@dataclass
class MemoryResult:
    participants: int
    idle_mb: float
    peak_mb: float
    echo_idle_mb: float
    echo_peak_mb: float


async def run_memory(n_participants: int, n_youth: int, workdir: Path, kind: str = "sqlite") -> MemoryResult:
    fake = FakeBotApi()
    await fake.start()
    group = fake.new_group("Sammanhacket team")
    try:
        async with database(kind, workdir) as url:
            await seed_participants(url, n_participants)
            proc = bot_proc(fake, url, workdir / f"mem-{kind}", staff_chat_id=group.chat.id, extra=NO_PACING)
            try:
                proc.start()
                await wait_polling(fake, proc)
                await wait_quiet(fake, 2.0)
                idle = memory_mb(proc.pid)["VmRSS"]
                users = [fake.new_user(first_name=f"Mem{i}", language_code="en") for i in range(n_youth)]
                await asyncio.gather(*(share_idea(u, Trace(u.id)) for u in users))
                await wait_quiet(fake, 1.0)
                peak = memory_mb(proc.pid)["VmHWM"]
            finally:
                await proc.stop()
        async with running_echo(fake, workdir / "mem-echo", settle=1.0) as echo:
            echo_idle = memory_mb(echo.pid)["VmRSS"]
            users = [fake.new_user(first_name=f"MemEcho{i}", language_code="en") for i in range(n_youth)]
            await asyncio.gather(*(echo_chat(u, Trace(u.id), 10) for u in users))
            echo_peak = memory_mb(echo.pid)["VmHWM"]
    finally:
        await fake.stop()
    return MemoryResult(n_participants, idle, peak, echo_idle, echo_peak)
