"""Presses on the staff group's cards, end to end against the fake Bot API: a button
acts only on its own card, ids no database holds are refused like unknown ones, and
getChatMember (who may press) runs outside any database transaction, so a slow
Telegram holds up no youth."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.telegram import chat_members
from storage.models import Inbox, Submission
from tests.botfixtures import bot_settings, running_bot, sqlite_url
from tests.logcapture import capture_logs
from tests.integration.test_forwarding_e2e import share_idea
from tests.youth import Youth, settle

HUGE = "99999999999999999999"
NOT_THIS_CARD = "This button does not belong to this card."
OUT_OF_DATE = "This card is out of date."
HANG = 15.0  # getChatMember's delay at the fake; far longer than a youth's answer takes


def team(fake: Any) -> tuple[Any, Any]:
    lead = fake.new_user(first_name="Stina", last_name="Teamlead", language_code="en")
    return fake.new_group("Sammanhacket team", members=[lead]), lead


def cards(group: Any) -> list[Any]:
    return [m for m in group.messages if (m.text or "").startswith("💡 ")]


async def statuses(services: Any) -> dict[int, str]:
    async with services.sessionmaker() as s:
        return dict((await s.execute(select(Submission.id, Submission.status))).all())


def last_notice(fake: Any) -> str | None:
    return fake.calls_to("answerCallbackQuery")[-1].get("text")


async def two_ideas(fake: Any, services: Any) -> None:
    for name, idea in (
        ("Amina", "Homework help in the library after school."),
        ("Bilal", "A football team for girls and boys who just came here."),
    ):
        youth = Youth.new(fake, services, first_name=name, language_code="en")
        await share_idea(youth, idea)
        await youth.press("No")


async def press(fake: Any, services: Any, lead: Any, group: Any, data: str, card: Any) -> str | None:
    """A press with any (possibly forged) data on a card; the notice it was answered with."""
    await lead.press_data(data, card, chat=group)
    await settle(services)
    return last_notice(fake)


async def no_failed_updates(services: Any) -> bool:
    async with services.sessionmaker() as s:
        return not await s.scalar(select(func.count()).select_from(Inbox).where(Inbox.status == "failed"))


async def test_a_button_acts_only_on_its_own_card(fake_bot_api, tmp_path):
    group, lead = team(fake_bot_api)
    settings = bot_settings(
        fake_bot_api, sqlite_url(tmp_path), tmp_path, staff_chat_id=group.chat.id, rate_group_per_min=600.0
    )
    async with running_bot(settings) as services:
        await two_ideas(fake_bot_api, services)
        first, second = cards(group)
        one, two = (int(card.text.rsplit("#", 1)[1]) for card in (first, second))
        # the second card's button pressed on the first card, and the other way round: refused
        assert await press(fake_bot_api, services, lead, group, f"s:{two}:archived", first) == NOT_THIS_CARD
        assert await press(fake_bot_api, services, lead, group, f"s:{one}:shortlisted", second) == NOT_THIS_CARD
        assert await press(fake_bot_api, services, lead, group, f"s:{one}:nonsense", first) == OUT_OF_DATE
        assert (first.edit_count, second.edit_count) == (0, 0)
        assert await statuses(services) == {one: "new", two: "new"}
        # the card's own button works
        await lead.press_on(first, "Archive", chat=group)
        await settle(services)
        assert last_notice(fake_bot_api) is None
        assert "Status: archived 🗄 (by Stina)" in first.text and f"#{one}" in first.text
        assert second.edit_count == 0 and await statuses(services) == {one: "archived", two: "new"}
        assert fake_bot_api.unanswered_callbacks == [] and fake_bot_api.rejected == []


async def test_huge_ids_in_callback_data_are_ignored(fake_bot_api, db_url, tmp_path):
    group, lead = team(fake_bot_api)
    settings = bot_settings(fake_bot_api, db_url, tmp_path, staff_chat_id=group.chat.id, rate_group_per_min=600.0)
    with capture_logs() as logs:
        async with running_bot(settings) as services:
            await two_ideas(fake_bot_api, services)
            first, _second = cards(group)
            for data in (f"s:{HUGE}:archived", f"s:{HUGE}{HUGE}:reviewed", f"s:{2**63}:archived"):
                assert await press(fake_bot_api, services, lead, group, data, first) == NOT_THIS_CARD
            assert first.edit_count == 0 and set((await statuses(services)).values()) == {"new"}

            # a youth's buttons with numbers no column holds: stale presses, as any other
            youth = Youth.new(fake_bot_api, services, first_name="Cira", language_code="en")
            await youth.start()
            question = youth.question
            ask = question.keyboard[0][0]["callback_data"].split(":")[0]
            for data in (f"{HUGE}:0", f"{ask}:{HUGE}", f"{HUGE}:{HUGE}"):
                await youth.user.press_data(data, question)
                await settle(services)
            await youth.press("English")  # the real button still works
            assert "How old are you?" in youth.last.text

            # and the group goes on: its next press is handled
            await lead.press_on(first, "Reviewed", chat=group)
            await settle(services)
            assert "Status: reviewed ✅ (by Stina)" in first.text
            assert await no_failed_updates(services)
            assert fake_bot_api.unanswered_callbacks == [] and fake_bot_api.rejected == []
    assert "Traceback" not in logs.text and "OverflowError" not in logs.text


async def idle_transactions(db_url: str, older_than: float) -> int:
    """PostgreSQL: connections of the bot's database idle inside a transaction for a while."""
    url = make_url(db_url).set(drivername="postgresql")
    conn = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        return await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state LIKE 'idle in transaction%' AND now() - state_change > make_interval(secs => $1)",
            older_than,
        )
    finally:
        await conn.close()


async def test_a_slow_get_chat_member_holds_up_no_youth(fake_bot_api, db_url, tmp_path, monkeypatch):
    monkeypatch.setattr(chat_members, "TIMEOUT", HANG * 4)  # the press waits it out
    group, lead = team(fake_bot_api)
    settings = bot_settings(fake_bot_api, db_url, tmp_path, staff_chat_id=group.chat.id, rate_group_per_min=600.0)
    async with running_bot(settings) as services:
        amina = Youth.new(fake_bot_api, services, first_name="Amina", language_code="en")
        await share_idea(amina, "Homework help in the library after school.")
        await amina.press("No")
        (card,) = cards(group)
        bilal = Youth.new(fake_bot_api, services, first_name="Bilal", language_code="en")
        await bilal.start()

        fake_bot_api.faults.timeout_next(1, seconds=HANG, method="getChatMember", deliver=True)
        loop = asyncio.get_running_loop()
        asked_at = loop.time()
        await lead.press_on(card, "Shortlist", chat=group)
        while not fake_bot_api.calls_to("getChatMember"):
            await asyncio.sleep(0.05)
        # while Telegram takes its time, another youth is answered as usual
        await bilal.step(bilal.user.press("English"))
        await bilal.step(bilal.user.press("16–17"))
        assert card.edit_count == 0 and fake_bot_api.unanswered_callbacks, (
            "the youth was answered only once the press was done"
        )
        if db_url.startswith("postgresql"):
            await asyncio.sleep(max(0.0, asked_at + HANG / 3 - loop.time()))
            assert await idle_transactions(db_url, older_than=HANG / 6) == 0, (
                "a transaction stayed open during the call"
            )
        # and the press goes through once Telegram answers
        await settle(services, timeout=HANG * 4)
        assert card.edit_count == 1 and "Status: shortlisted ⭐ (by Stina)" in card.text
        assert set((await statuses(services)).values()) == {"shortlisted"}
        assert fake_bot_api.unanswered_callbacks == [] and fake_bot_api.rejected == []
