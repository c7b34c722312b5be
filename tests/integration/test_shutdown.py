"""SIGTERM while updates are in flight (`python -m bot run` as a subprocess): the bot
stops taking updates, finishes those it holds, flushes the outbox, exits 0; after a
restart every update is answered exactly once."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from storage.models import Inbox
from tests.botprocess import BotProcess, db_handle  # noqa: F401 - db_handle is a fixture
from tests.youth import Youth, settle

N_YOUTH = 12


async def inbox_count(db, *where) -> int:
    async with db.sessionmaker() as s:
        return await s.scalar(select(func.count()).select_from(Inbox).where(*where)) or 0


async def until_stored(db, n: int, timeout: float = 60.0) -> None:
    """Wait until the bot has committed at least `n` updates to its inbox."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while await inbox_count(db) < n:
        if loop.time() > deadline:
            raise TimeoutError(f"the bot did not take {n} updates")
        await asyncio.sleep(0.02)


async def test_sigterm_with_updates_in_flight_loses_and_repeats_nothing(fake_bot_api, tmp_path, db_handle):
    url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    group = fake_bot_api.new_group("Sammanhacket team")
    bot = BotProcess(fake_bot_api, url, tmp_path, group.chat.id)
    await bot.start()
    db = db_handle(url)
    youth = [Youth.new(fake_bot_api, db, first_name="Teen", language_code="en") for _ in range(N_YOUTH)]

    for round_no, act in enumerate(
        [lambda y: y.user.send_command("/start"), lambda y: y.user.press("English")], start=1
    ):
        stored = await inbox_count(db)
        for y in youth:
            await act(y)
        await until_stored(db, stored + 1)  # the bot has some of them: stop it now
        assert await bot.stop() == 0
        log = bot.log.read_text()
        assert log.count("SIGTERM received: stopping") == round_no
        assert log.count("flushed ") == round_no
        await bot.start()
        await settle(db, timeout=120)

    control = Youth.new(fake_bot_api, db, first_name="Teen", language_code="en")
    await control.start()
    await control.press("English")
    try:
        expected = control.texts()
        assert len(expected) >= 2
        for y in youth:
            assert y.texts() == expected, "a youth got an answer twice, or none"
        assert await inbox_count(db) == 2 * (N_YOUTH + 1)
        assert await inbox_count(db, Inbox.status != "done") == 0
        assert fake_bot_api.updates.pending_count == 0
        assert fake_bot_api.rejected == []
    finally:
        assert await bot.stop() == 0
