"""Many invented youth who consented and said yes to being contacted, written straight to
the database (with a user each in the fake Bot API), and a poll campaign to all of them
sent now: for the campaign reliability tests and the campaign benchmark; and what the tests
count afterwards (turns taken, polls received)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from storage import campaigns
from storage.db import make_engine, make_sessionmaker
from storage.migrate import ensure_schema
from storage.models import Campaign, CampaignRecipient, Chat, Participant

POLL = "poll_homework_club"
QUESTION = "Would you go?"  # the poll's question, as English youth see it


async def opted_in_youth(url: str, fake: Any, n: int, *, prefix: str = "Poll") -> list[int]:
    """n youth (chat ids returned) and one campaign of POLL to all of them, sent now."""
    users = [fake.new_user(first_name=f"{prefix}{i}", language_code="en") for i in range(n)]
    now = datetime.now(UTC)
    await ensure_schema(url)
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine).begin() as s:
            rows = [
                dict(
                    key=f"k{u.id}",
                    pseudonym=f"p{u.id}",
                    salt=None,
                    language="en",
                    consent=True,
                    consent_at=now,
                    contact=True,
                    contact_at=now,
                    created_at=now,
                    updated_at=now,
                    last_seen_at=now,
                    stopped=False,
                    is_test=False,
                )
                for u in users
            ]
            ids = (await s.execute(insert(Participant).returning(Participant.id), rows)).scalars().all()
            await s.execute(
                insert(Chat), [dict(participant_id=p, chat_id=u.id) for p, u in zip(ids, users, strict=True)]
            )
            c = await campaigns.create(
                s, name="Homework club", flow_id=POLL, audience={}, scheduled_at=None, created_by="ada", now=now
            )
            await campaigns.move(s, c.id, "send", now)
    finally:
        await engine.dispose()
    return [u.id for u in users]


async def turns_taken(sessionmaker: Any) -> Counter[int]:
    """Participant id -> how many campaign turns were started for them."""
    async with sessionmaker() as s:
        ids = await s.scalars(select(CampaignRecipient.participant_id).where(CampaignRecipient.status == "started"))
        return Counter(ids.all())


def polls_received(fake: Any) -> Counter[int]:
    """Chat id -> how many times the poll's question was sent there."""
    return Counter(p["chat_id"] for p in fake.calls_to("sendMessage") if QUESTION in (p.get("text") or ""))


async def campaign_done(sessionmaker: Any) -> bool:
    async with sessionmaker() as s:
        return await s.scalar(select(Campaign.status)) == "done"
