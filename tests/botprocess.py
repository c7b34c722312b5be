"""The bot as its own process (`python -m bot run`) pointed at the fake Bot API, a youth
walking through "Share an idea" at their own pace, and the test's own reads of its database."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest_asyncio
from sqlalchemy.ext.asyncio import create_async_engine

from bot.dialogue.services import Runtime
from storage.db import make_sessionmaker
from tests.botfixtures import ROOT, free_port
from tests.youth import Youth

IDEA = "A homework club in the library after school, with volunteers who speak many languages."


class BotProcess:
    """The bot as a child process; `start()` waits until it answers /healthz."""

    def __init__(self, fake, db_url: str, tmp_path, staff_chat_id: int) -> None:
        self.port = free_port()
        self.log = tmp_path / "bot.log"
        os.environ.get("BOT_LOG_COPY") and setattr(self, "log", Path(os.environ["BOT_LOG_COPY"]))
        self.env = dict(
            os.environ,
            TELEGRAM_BOT_TOKEN=fake.token,
            TELEGRAM_API_URL=fake.url,
            DATABASE_URL=db_url,
            VAR_DIR=str(tmp_path / "var"),
            FLOWS_DIR=os.environ.get("TEST_FLOWS_DIR", str(ROOT / "flows")),
            LOCALES_DIR=str(ROOT / "locales"),
            WEB_PORT=str(self.port),
            POLL_TIMEOUT="1",
            STAFF_CHAT_ID=str(staff_chat_id),
            PSEUDONYM_KEY="test-pseudonym-key-not-secret",
            RATE_GLOBAL_PER_S="200",
            RATE_PER_CHAT_PER_S="20",
            RATE_PER_CHAT_BURST="20",
            RATE_GROUP_PER_MIN="6000",  # the fake enforces no limits here; staff cards need not queue
        )
        self.proc: subprocess.Popen | None = None

    async def start(self) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"], cwd=tmp_cwd(self.env), env=self.env, stdout=log, stderr=log
            )
        import aiohttp

        async with aiohttp.ClientSession() as http:
            for _ in range(300):
                if self.proc.poll() is not None:
                    raise RuntimeError(f"bot exited: {self.log.read_text()[-2000:]}")
                try:
                    async with http.get(f"http://127.0.0.1:{self.port}/healthz") as resp:
                        if resp.status in (200, 503):
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise TimeoutError("bot did not start")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    async def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return await asyncio.to_thread(self.proc.wait, 30)


def tmp_cwd(env: dict[str, str]) -> str:
    return env["VAR_DIR"].rsplit("/", 1)[0]


async def through_share_idea(y: Youth, steps: list[str] | None = None) -> None:
    """Each youth goes at their own pace: act, wait for their own next question."""
    for action in steps or [
        "start",
        "English",
        "16–17",
        "Yes",
        "No",
        "Share an idea",
        "School",
        IDEA,
        "Me",
        "Done",
        "Yes",
    ]:
        if action == "start":
            await y.step(y.user.send_command("/start"))
        elif action == IDEA:
            await y.step(y.user.send_text(action))
        else:
            await y.step(y.user.press(action))


@pytest_asyncio.fixture
async def db_handle():
    """The test's own connection to the bot's database, to read what it stored."""
    engines = []

    def make(url: str):
        engine = create_async_engine(url)  # plain reads: no write lock taken (see storage.db)
        engines.append(engine)
        return SimpleNamespace(sessionmaker=make_sessionmaker(engine), runtime=Runtime())

    yield make
    for engine in engines:
        await engine.dispose()
