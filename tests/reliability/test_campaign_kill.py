"""A campaign of 2,000 recipients with `python -m bot run` SIGKILLed in the middle of
sending it, on PostgreSQL: after the restart it goes on where it stopped, every youth's
turn is taken exactly once (one started recipient row, one poll started), and every youth
gets the poll. Prints its figures: a message in flight at the moment of the kill is sent
again by the next process (the outbox delivers at least once, and the Bot API has no
idempotency key), so "sent twice" is at most the sender's in-flight window. Invented people."""

from __future__ import annotations

import os

from bot.telegram.client import SEND_CONCURRENCY
from tests.botprocess import BotProcess, db_handle  # noqa: F401 (db_handle: fixture)
from tests.campaignseed import campaign_done, opted_in_youth, polls_received, turns_taken
from tests.reliability.helpers import wait_until
from tests.youth import settle

N = int(os.environ.get("CAMPAIGN_KILL_YOUTH", 2000))


async def test_sigkill_mid_campaign_resumes_and_takes_each_turn_once(fake_bot_api, pg_url, tmp_path, db_handle):
    group = fake_bot_api.new_group("Sammanhacket team")
    chats = await opted_in_youth(pg_url, fake_bot_api, N)
    bot = BotProcess(fake_bot_api, pg_url, tmp_path, group.chat.id)
    db = db_handle(pg_url)

    await bot.start()
    await wait_until(lambda: polls_received(fake_bot_api).total() >= N // 4, 300, "a quarter of the campaign sent")
    bot.kill()
    at_kill_started = (await turns_taken(db.sessionmaker)).total()
    at_kill_sent = polls_received(fake_bot_api).total()
    await bot.start()

    await wait_until(lambda: campaign_done(db.sessionmaker), 300, "the campaign to be done")
    await settle(db, timeout=300)
    assert await bot.stop() == 0

    per_youth = await turns_taken(db.sessionmaker)
    received = polls_received(fake_bot_api)
    sent_twice = sum(n - 1 for n in received.values())
    print(
        f"\n[reliability] SIGKILL mid-campaign ({N} recipients): started at the kill {at_kill_started}, "
        f"polls sent at the kill {at_kill_sent}, turns taken {sum(per_youth.values())}, "
        f"youth reached {len(received)}, sent twice {sent_twice}"
    )
    assert len(per_youth) == N and set(per_youth.values()) == {1}  # each turn exactly once
    assert set(received) == set(chats)  # nobody missed
    assert sent_twice <= SEND_CONCURRENCY  # only what was in flight at the kill
    assert fake_bot_api.rejected == []
