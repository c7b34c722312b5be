"""A campaign on PostgreSQL under two more failures than a SIGKILL of the only process:
two worker processes sharing the send (the one holding the sender lock SIGKILLed mid-way,
the other takes over), and the database itself restarted mid-campaign. Either way every
youth's turn is taken exactly once (one started recipient row), every youth gets the poll,
and "sent twice" is at most the sender's in-flight window (the outbox delivers at least
once). Invented people."""

from __future__ import annotations

import asyncio
import os

from bot.telegram.client import SEND_CONCURRENCY
from tests.botprocess import BotProcess, db_handle  # noqa: F401 (db_handle: fixture)
from tests.campaignseed import campaign_done, opted_in_youth, polls_received, turns_taken
from tests.reliability.helpers import Deployment, PrivatePostgres, wait_until
from tests.youth import settle

N = int(os.environ.get("CAMPAIGN_PG_YOUTH", 400))


async def _finish_and_check(what: str, db, fake, chats: list[int]) -> None:
    await wait_until(lambda: campaign_done(db.sessionmaker), 90, "the campaign to be done")
    await settle(db, timeout=90)
    per_youth = await turns_taken(db.sessionmaker)
    received = polls_received(fake)
    sent_twice = received.total() - len(received)
    print(
        f"\n[reliability] {what} ({N} recipients): turns taken {per_youth.total()}, "
        f"youth reached {len(received)}, sent twice {sent_twice}"
    )
    assert len(per_youth) == N and set(per_youth.values()) == {1}  # each turn exactly once
    assert set(received) == set(chats)  # nobody missed
    assert sent_twice <= SEND_CONCURRENCY  # only what was in flight at the failure


async def test_two_workers_send_one_campaign_through_a_sigkill_of_the_sender(fake_bot_api, pg_url, tmp_path, db_handle):
    group = fake_bot_api.new_group("Sammanhacket team")
    chats = await opted_in_youth(pg_url, fake_bot_api, N)
    deployment = Deployment(fake_bot_api, pg_url, tmp_path, group.chat.id, workers=2)
    db = db_handle(pg_url)
    await deployment.start()
    try:
        await wait_until(lambda: polls_received(fake_bot_api).total() >= N // 4, 90, "a quarter sent")
        await deployment.kill_worker(await deployment.sender_pid(db.sessionmaker))
        await _finish_and_check("two workers, the sender SIGKILLed", db, fake_bot_api, chats)
        senders = {pid for method, pid in deployment.sends if method == "sendMessage"}
    finally:
        assert await deployment.stop() == 0
    assert len(senders) >= 2  # the send was handed over to another process
    assert [r for r in fake_bot_api.rejected if "message is not modified" not in r[1]] == []


async def test_postgresql_restarted_mid_campaign_resumes(fake_bot_api, tmp_path, db_handle):
    pg = PrivatePostgres().init()
    pg.start()
    try:
        group = fake_bot_api.new_group("Sammanhacket team")
        chats = await opted_in_youth(pg.url, fake_bot_api, N)
        bot = BotProcess(fake_bot_api, pg.url, tmp_path, group.chat.id)
        await bot.start()
        await wait_until(lambda: polls_received(fake_bot_api).total() >= N // 4, 90, "a quarter sent")
        await asyncio.to_thread(pg.stop)
        stopped_at = polls_received(fake_bot_api).total()
        await asyncio.sleep(2)  # the bot finds the database gone (not an assertion on time)
        await asyncio.to_thread(pg.start)
        db = db_handle(pg.url)  # a fresh connection, after the restart
        await _finish_and_check(f"PostgreSQL restarted at {stopped_at} polls sent", db, fake_bot_api, chats)
        assert await bot.stop() == 0
        assert "Traceback" not in bot.log.read_text()
    finally:
        pg.destroy()
    assert fake_bot_api.rejected == []
