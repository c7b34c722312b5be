"""End to end, issue #23 "Urgent cards are claimed": over the fake Bot API, on SQLite and
PostgreSQL, with the clock injected (`Services.clock`) instead of sleeping. An urgent
card nobody takes is re-alerted once, to the group and the escalation chat; a claim
shows on the card and stops the re-alert; two staff pressing at once make one owner;
out of the staffed hours the escalation goes at once, to the chat and to the signed webhook.
All people are invented."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.forwarding.webhook import SIGNATURE_HEADER, verify
from storage.models import Submission
from storage.staff_models import AuditLog
from tests.botfixtures import bot_settings, running_bot
from tests.webhookreceiver import webhook_receiver
from tests.youth import Youth, onboard, settle

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DISTRESS = "I want to die, nobody at the camp cares about me"
REALERT = "⏰ Nobody has taken this urgent card yet"
ROUNDS = 7.0  # seconds: more than one scheduler round (5 s)


def urgent_cards(group):
    return [m for m in group.messages if (m.text or "").startswith("🔴 URGENT")]


def realerts(chat):
    return [m for m in chat.messages if (m.text or "").startswith(REALERT)]


async def until(check, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not check():
        assert loop.time() < end, "timed out"
        await asyncio.sleep(0.2)


def team(fake):
    stina = fake.new_user(first_name="Stina", last_name="Teamlead")
    omar = fake.new_user(first_name="Omar", last_name="Kvällsson")
    group = fake.new_group("Sammanhacket team", members=[stina, omar])
    on_call = fake.new_user(first_name="Jour", last_name="Telefon")
    escalation = fake.new_group("Sammanhacket on call", members=[on_call])
    return group, stina, omar, escalation


def escalating(fake, db_url, tmp_path, group, escalation, **settings):
    """The bot's settings with the team's group and an escalation chat."""
    return bot_settings(fake, db_url, tmp_path, staff_chat_id=group.id, escalation_chat_id=escalation.id, **settings)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def distress(fake, services, name: str) -> None:
    y = Youth.new(fake, services, first_name=name, last_name="Testsson", language_code="en")
    await onboard(y)
    await y.write(DISTRESS)
    await settle(services)


async def test_unclaimed_is_realerted_once_and_a_claim_stops_it(fake_bot_api, tmp_path, db_url):
    group, stina, _, escalation = team(fake_bot_api)
    # staffed all day (the real clock stamps the cards, so the hours must not end mid-test)
    settings = escalating(fake_bot_api, db_url, tmp_path, group, escalation, staffed_hours="mon-sun 00:00-23:59")
    async with running_bot(settings) as services:
        clock = Clock(datetime.now(STOCKHOLM))
        services.clock = clock
        await distress(fake_bot_api, services, "Selam")
        await distress(fake_bot_api, services, "Hawi")
        first, second = urgent_cards(group)
        assert first.keyboard[0][0]["text"] == "🙋 I'll take this"
        # Stina takes the second card: the card says so and gets "Done"
        await stina.press_on(second, "🙋 I'll take this", chat=group)
        await settle(services)
        assert "🙋 Taken by Stina" in second.text and second.keyboard[0][0]["text"] == "✔️ Done"
        # nothing before N minutes
        await asyncio.sleep(ROUNDS)
        assert realerts(group) == [] and realerts(escalation) == []
        clock.now = datetime.now(STOCKHOLM) + timedelta(minutes=11)
        await until(lambda: realerts(group) and realerts(escalation))
        clock.now += timedelta(minutes=30)
        await asyncio.sleep(ROUNDS)
        [again] = realerts(group)
        [escalated] = realerts(escalation)
        first_id = first.text.rsplit("#", 1)[1]
        assert again.text.endswith(f"#{first_id}") and f"#{first_id} " in escalated.text
        assert "die" not in again.text and "die" not in escalated.text  # no youth text in the alerts
        assert again.protected and escalated.protected
        # done with a note, as a reply to the card
        await stina.reply_to(second, "/done talked with the youth, school counsellor tomorrow", chat=group)
        await settle(services)
        assert "✔️ Done: talked with the youth" in second.text
        async with services.sessionmaker() as s:
            actions = list(await s.scalars(select(AuditLog.action).order_by(AuditLog.id)))
            subs = {sub.id: sub for sub in await s.scalars(select(Submission))}
        assert actions == ["urgent.claim", "urgent.done"]
        assert subs[int(first_id)].realerted_at is not None and subs[int(first_id)].claimed_by is None
        assert "sammanbot_urgent_open 1.0" in services.metrics.render().decode()
    assert fake_bot_api.rejected == []


async def test_two_staff_pressing_at_once_make_one_owner(fake_bot_api, tmp_path, db_url):
    group, stina, omar, _ = team(fake_bot_api)
    settings = bot_settings(fake_bot_api, db_url, tmp_path, staff_chat_id=group.id)
    async with running_bot(settings) as services:
        await distress(fake_bot_api, services, "Selam")
        [card] = urgent_cards(group)
        await asyncio.gather(
            stina.press_on(card, "🙋 I'll take this", chat=group), omar.press_on(card, "🙋 I'll take this", chat=group)
        )
        await settle(services)
        async with services.sessionmaker() as s:
            [owner] = list(await s.scalars(select(Submission.claimed_by).where(Submission.urgent.is_(True))))
        assert owner in ("Stina", "Omar")
        assert f"🙋 Taken by {owner}" in card.text
        notices = [c.get("text") for c in fake_bot_api.calls_to("answerCallbackQuery")]
        assert f"Already taken by {owner}." in notices
        assert fake_bot_api.unanswered_callbacks == [] and fake_bot_api.rejected == []


async def test_out_of_hours_the_escalation_goes_at_once(fake_bot_api, tmp_path, db_url):
    group, _, _, escalation = team(fake_bot_api)
    today = datetime.now(STOCKHOLM).date()
    nobody_today = [today, today + timedelta(days=1)]
    settings = escalating(fake_bot_api, db_url, tmp_path, group, escalation, staffed_closed_dates=nobody_today)
    async with running_bot(settings) as services:
        assert not services.settings.staffed.is_open(services.clock())
        await distress(fake_bot_api, services, "Selam")
        await until(lambda: realerts(escalation))
        assert "out of the staffed hours" in realerts(escalation)[0].text
        assert realerts(group) == []  # the group's re-alert waits its minutes
    assert fake_bot_api.rejected == []


async def test_the_escalation_webhook_gets_a_signed_event_without_the_youths_words(fake_bot_api, tmp_path, db_url):
    group, _, _, _ = team(fake_bot_api)
    today = datetime.now(STOCKHOLM).date()
    async with webhook_receiver() as receiver:
        settings = bot_settings(
            fake_bot_api,
            db_url,
            tmp_path,
            staff_chat_id=group.id,
            staffed_closed_dates=[today, today + timedelta(days=1)],
            escalation_webhook=True,
            forward_webhook_url=receiver.url,
            forward_webhook_secret="on-call-secret",
        )
        async with running_bot(settings) as services:
            await distress(fake_bot_api, services, "Selam")
            await until(lambda: receiver.events("urgent.unclaimed"))
            await asyncio.sleep(ROUNDS)  # once: a later round sends nothing more
            [post] = receiver.events("urgent.unclaimed")
            [card] = urgent_cards(group)
    event = post.json
    assert event["id"] == int(card.text.rsplit("#", 1)[1]) and event["out_of_hours"] is True
    assert set(event) == {"event", "id", "category", "age_seconds", "out_of_hours", "created_at"}
    assert "die" not in post.body.decode() and "Selam" not in post.body.decode()
    assert verify(b"on-call-secret", post.body, post.headers[SIGNATURE_HEADER])
    assert fake_bot_api.rejected == []
