"""`python -m bot run` as its own process, pointed by TELEGRAM_API_URL at the fake Bot
API: many youth at once, and a SIGKILL in the middle of their conversations."""

from __future__ import annotations

import asyncio
import os
from collections import Counter

from sqlalchemy import select

from storage.models import Answer, Participant, Submission
from tests.botprocess import IDEA, BotProcess, db_handle, through_share_idea  # noqa: F401 (db_handle: fixture)
from tests.youth import Youth, settle


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
    await asyncio.gather(
        *(through_share_idea(y, ["start", "English", "16–17", "Yes", "No", "Share an idea"]) for y in youth)
    )
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
    # An edit sent just before a kill, and not yet written down as sent, is sent again
    # (at least once): Telegram then says "not modified", which the sender takes as done.
    # Anything else refused is a fault.
    assert [r for r in fake_bot_api.rejected if not r[1].startswith("Bad Request: message is not modified")] == []
    print(f"\nSIGKILL test: {len(youth)} youth, answers stored {len(rows)}, lost 0, duplicated 0")
    assert await bot.stop() == 0
