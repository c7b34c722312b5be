"""storage.campaigns: the campaign step's look reads outside the write transaction, so
the write marks only recipients still queued and not offered since (a turn taken in
between is not offered again), on SQLite and PostgreSQL. Invented youth only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import campaigns
from storage.db import make_engine, make_sessionmaker
from tests.campaignseed import opted_in_youth
from tests.dbfixtures import db_url  # noqa: F401

AGAIN = timedelta(seconds=30)


async def test_a_turn_taken_between_the_look_and_the_write_is_not_offered_again(fake_bot_api, db_url):
    await opted_in_youth(db_url, fake_bot_api, 2, prefix="Looked")
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    now = datetime.now(UTC)
    try:
        async with sessions() as s:
            assert await campaigns.any_due(s, now)
        async with sessions.begin() as s:
            assert len(await campaigns.expand_due(s, now)) == 1
        async with sessions() as s:
            assert not await campaigns.any_due(s, now)
            looked = await campaigns.offerable(s, now, 10, again_after=AGAIN)
        assert len(looked) == 2
        (taken, _), (waiting, _) = looked
        async with sessions.begin() as s:  # the worker takes that one's turn meanwhile
            assert await campaigns.settle(s, taken, "started", now)
        async with sessions.begin() as s:
            assert await campaigns.mark_offered(s, [taken, waiting], now, again_after=AGAIN) == {waiting}
        async with sessions.begin() as s:  # offered just now: not again within AGAIN
            assert await campaigns.offerable(s, now, 10, again_after=AGAIN) == []
            assert await campaigns.mark_offered(s, [waiting], now, again_after=AGAIN) == set()
        later = now + AGAIN + timedelta(seconds=1)
        async with sessions() as s:
            assert [r for r, _ in await campaigns.offerable(s, later, 10, again_after=AGAIN)] == [waiting]
    finally:
        await engine.dispose()
