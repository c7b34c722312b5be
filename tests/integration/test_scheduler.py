"""Reminders and expiry (bot.telegram.scheduler) end to end, and the returning youth's
"continue where you left off / start over" choice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.i18n import texts
from storage.models import Outbox, Session
from tests.botfixtures import bot_with_staff_group
from tests.youth import Youth, onboard, settle


async def _age_session(services, by: timedelta) -> None:
    """Pretend the youth's last answer was `by` ago (the engine reads last_input_at)."""
    async with services.sessionmaker() as s, s.begin():
        for row in (await s.scalars(select(Session))).all():
            state = dict(row.state)
            state["last_input_at"] = (datetime.fromisoformat(state["last_input_at"]) - by).isoformat()
            row.state = state
            row.tick_at = datetime.now(UTC) - timedelta(seconds=1)


async def _tick(services) -> None:
    if await services.runtime.scheduler.queue_ticks(datetime.now(UTC)):
        services.runtime.worker.poke()
    await settle(services)


async def test_reminder_once_then_expiry_and_back_to_the_menu(fake_bot_api, tmp_path):
    async with bot_with_staff_group(fake_bot_api, tmp_path) as (services, group):
        y = Youth.new(fake_bot_api, services, first_name="Hana", language_code="en")
        await onboard(y)
        await y.press("Share an idea")
        await y.press("Work")
        before = len(y.user.messages)
        await _age_session(services, timedelta(hours=25))  # share_idea: remind_after 1d
        await _tick(services)
        new = [m.text for m in y.user.messages[before:]]
        assert new == ["You started to share an idea. Do you want to finish? Just answer the last question."]
        await _tick(services)  # a reminder comes once
        assert len(y.user.messages) == before + 1
        async with services.sessionmaker() as s:
            reminder = await s.scalar(select(Outbox).where(Outbox.method == "sendMessage").order_by(Outbox.id.desc()))
            assert reminder.priority == 2  # behind interactive answers in the sender's queue
        await _age_session(services, timedelta(days=3))  # expires_after 3d
        await _tick(services)
        assert y.last.text == texts.EXPIRED
        await y.write("hello again")
        assert "What would you like to do?" in y.last.text


async def test_returning_youth_chooses_continue_or_start_over(fake_bot_api, tmp_path):
    async with bot_with_staff_group(fake_bot_api, tmp_path) as (services, group):
        y = Youth.new(fake_bot_api, services, first_name="Ivo", language_code="en")
        await onboard(y)
        await y.press("Tell us what you need")
        await y.press("Money")
        await y.start()
        assert texts.RESUME_OR_RESTART in y.last.text
        await y.press(texts.CONTINUE)
        assert "Can you tell us a bit more?" in y.last.text  # the open question, asked again
        await y.start()
        await y.press(texts.START_OVER)
        assert "What is hardest for you right now?" in y.question.text


async def test_forward_abandoned_sends_what_was_answered_when_a_run_expires(fake_bot_api, tmp_path):
    from storage.models import Submission

    async with bot_with_staff_group(fake_bot_api, tmp_path, forward_abandoned=True) as (services, group):
        y = Youth.new(fake_bot_api, services, first_name="Jana", language_code="en")
        await onboard(y)
        await y.press("Share an idea")
        await y.press("Health")
        await _age_session(services, timedelta(days=4))
        await _tick(services)
        async with services.sessionmaker() as s:
            subs = (await s.scalars(select(Submission))).all()
        assert [(sub.flow_id, sub.answers) for sub in subs] == [("share_idea", {"topic": "health"})]
        assert any("Share an idea" in (m.text or "") for m in group.messages)
