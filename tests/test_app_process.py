"""`python -m bot run` as its own process, pointed by TELEGRAM_API_URL at the fake Bot
API: many youth at once, and a SIGKILL in the middle of their conversations."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest_asyncio
from sqlalchemy import select

from sqlalchemy.ext.asyncio import create_async_engine

from bot.dialogue.services import Runtime
from storage.db import make_sessionmaker
from storage.models import Answer, Participant, Submission
from tests.botfixtures import ROOT, free_port
from tests.youth import Youth, settle

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
    for action in steps or ["start", "English", "16–17", "Yes", "Share an idea", "School", IDEA, "Me", "Done", "Yes"]:
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


async def test_fifty_youth_at_once(fake_bot_api, tmp_path, db_handle):
    url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    group = fake_bot_api.new_group("Sammanhacket team")
    bot = BotProcess(fake_bot_api, url, tmp_path, group.chat.id)
    await bot.start()
    try:
        db = db_handle(url)
        youth = [
            Youth.new(fake_bot_api, db, first_name=f"Youth{i}", language_code="en")
            for i in range(int(os.environ.get("N_YOUTH", 50)))
        ]
        await asyncio.gather(*(through_share_idea(y) for y in youth))
        await settle(db, timeout=240)
        assert fake_bot_api.rejected == []
        async with db.sessionmaker() as s:
            subs = (await s.scalars(select(Submission).where(Submission.flow_id == "share_idea"))).all()
        assert len(subs) == 50
        assert len([m for m in group.messages if "Share an idea" in (m.text or "")]) == 50
        assert all("Great! If they have a question" in " ".join(y.texts()) for y in youth)
    finally:
        assert await bot.stop() == 0


async def test_sigkill_mid_conversation_loses_and_duplicates_nothing(fake_bot_api, tmp_path, db_handle):
    url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    group = fake_bot_api.new_group("Sammanhacket team")
    bot = BotProcess(fake_bot_api, url, tmp_path, group.chat.id)
    await bot.start()
    db = db_handle(url)
    youth = [
        Youth.new(fake_bot_api, db, first_name=f"Kid{i}", language_code="en")
        for i in range(int(os.environ.get("SIGKILL_YOUTH", 50)))
    ]
    await asyncio.gather(*(through_share_idea(y, ["start", "English", "16–17", "Yes", "Share an idea"]) for y in youth))
    # Everyone presses "School" and writes their idea; the bot dies in the middle of it.
    for y in youth:
        await y.user.press("School")
    await asyncio.sleep(0.3)
    bot.kill()
    await bot.start()
    await settle(db, timeout=240)
    for y in youth:
        await y.user.send_text(IDEA)
    await asyncio.sleep(0.2)
    bot.kill()
    await bot.start()
    await settle(db, timeout=240)
    # every conversation can go on to the end
    await asyncio.gather(*(through_share_idea(y, ["Me", "Done", "Yes"]) for y in youth))
    await settle(db, timeout=240)
    async with db.sessionmaker() as s:
        rows = (await s.execute(select(Answer.participant_id, Answer.name))).all()
        participants = (await s.scalars(select(Participant))).all()
        subs = (await s.scalars(select(Submission).where(Submission.flow_id == "share_idea"))).all()
    per = Counter(rows)
    assert len(participants) == len(youth)
    assert all(n == 1 for n in per.values()), "an answer was stored twice"
    for p in participants:
        for name in ("topic", "idea", "helps", "followup_ok"):
            assert per[(p.id, name)] == 1, f"{name} missing for a participant"
    assert len(subs) == len(youth)
    assert fake_bot_api.rejected == []
    print(f"\nSIGKILL test: {len(youth)} youth, answers stored {len(rows)}, lost 0, duplicated 0")
    assert await bot.stop() == 0
