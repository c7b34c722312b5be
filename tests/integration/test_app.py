"""End to end: the whole bot (`bot.app.run.serve`) against the fake Bot API over real HTTP,
on SQLite and PostgreSQL, in polling and webhook mode."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.i18n import texts
from storage.models import Answer, Inbox, Outbox, Participant, Submission
from tests.botfixtures import bot_settings, bot_with_staff_group, free_port, running_bot
from tests.youth import Youth, count, onboard, settle, staff_group

MODES = ["polling", "webhook"]


def settings_for(fake, db_url, tmp_path, mode, group, **extra):
    if mode == "webhook":
        port = free_port()
        extra.update(web_port=port, webhook_url=f"http://127.0.0.1:{port}/telegram/webhook")
    return bot_settings(fake, db_url, tmp_path, staff_chat_id=group.chat.id, **extra)


@pytest.mark.parametrize("mode", MODES)
async def test_every_shipped_flow(fake_bot_api, db_url, tmp_path, mode):
    group, _ = staff_group(fake_bot_api)
    settings = settings_for(fake_bot_api, db_url, tmp_path, mode, group)
    async with running_bot(settings) as services:
        # Share an idea
        amina = Youth.new(fake_bot_api, services, first_name="Amina", language_code="en")
        await onboard(amina)
        assert "What would you like to do?" in amina.last.text
        await amina.press("Share an idea")
        await amina.press("School")
        await amina.write("Homework help in the library after school, with volunteers.")
        await amina.press("My friends")
        await amina.press("Done")
        await amina.press("Yes")
        assert "Great! If they have a question" in " ".join(amina.texts())

        # Tell us what you need (skips the optional question)
        bilal = Youth.new(fake_bot_api, services, first_name="Bilal", language_code="en")
        await onboard(bilal)
        await bilal.press("Tell us what you need")
        await bilal.press("Feeling alone")
        await bilal.press("Skip")
        await bilal.write("A group to meet other young people on weekends.")
        assert any("You are not alone" in t for t in bilal.texts())
        await bilal.press("No")

        # How was the workshop? from a QR code deep link
        cira = Youth.new(fake_bot_api, services, first_name="Cira", language_code="en")
        await cira.start("workshop-malmo")
        await cira.press("English")
        await cira.press("18–21")
        await cira.press(0)  # agreed
        await cira.press("No")  # no contact later: the workshop's flow starts by itself after onboarding
        await cira.press("Great")
        await cira.write("2")
        await cira.write("The food was good and I met new friends.")
        assert "See you next time" in cira.last.text

        # Under 13: nothing saved, help shown
        dani = Youth.new(fake_bot_api, services, first_name="Dani", language_code="en")
        await dani.start()
        await dani.press("English")
        await dani.press("Under 13")
        assert any("116 111" in t for t in dani.texts())

        await settle(services)
        assert fake_bot_api.rejected == []
        assert fake_bot_api.unanswered_callbacks == []
        async with services.sessionmaker() as s:
            subs = (await s.scalars(select(Submission).order_by(Submission.id))).all()
            flows = [sub.flow_id for sub in subs]
            assert flows.count("share_idea") == 1 and flows.count("need") == 1
            assert flows.count("workshop_feedback") == 1
            feedback = next(sub for sub in subs if sub.flow_id == "workshop_feedback")
            assert feedback.source == "workshop-malmo"
            idea = next(sub for sub in subs if sub.flow_id == "share_idea")
            assert idea.answers["topic"] == "school" and idea.answers["followup_ok"] is True
            dani_row = await s.scalar(select(Participant).where(Participant.age_band == "under_13"))
            assert dani_row is not None
            assert (
                await s.scalar(select(func.count()).select_from(Answer).where(Answer.participant_id == dani_row.id))
                == 0
            )
        cards = [m.text for m in group.messages]
        assert len([c for c in cards if "Share an idea" in c]) == 1
        assert all("Amina" not in c and "Bilal" not in c for c in cards)


async def test_kind_answers_and_bad_presses(fake_bot_api, tmp_path):
    async with bot_with_staff_group(fake_bot_api, tmp_path) as (services, group):
        y = Youth.new(fake_bot_api, services, first_name="Elif", language_code="en")
        await onboard(y)
        for kind in ("voice", "photo", "sticker", "location", "contact"):
            replies = await y.send(kind)
            assert "Please write it in text" in replies[-1].text
        first_menu = y.question
        await y.press("Share an idea")
        # an old keyboard and a forged one change nothing and are answered gently
        await y._after(y.user.press_on(first_menu.message_id, 0)) if first_menu.keyboard else None
        await y._after(y.user.press_data("999:0"))
        await y._after(y.user.press_data("garbage" * 9))
        assert "What is your idea about?" in y.question.text
        # a group that adds the bot is told it works in private chats only, and left
        other = fake_bot_api.new_group("Football friends", members=[y.user])
        await y._after(y.user.send_text("hello bot", chat=other))
        # groups have no chosen language: the default one (sv) is used
        assert other.messages[-1].text == services.translator("sv").gettext(texts.PRIVATE_ONLY)
        assert "leaveChat" in fake_bot_api.calls_per_method()
        # the same update delivered twice is handled once
        update = {
            "update_id": 900_001,
            "message": {
                "message_id": 77,
                "date": 1_700_000_000,
                "text": "/menu",
                "chat": {"id": y.user.id, "type": "private", "first_name": "Elif"},
                "from": {"id": y.user.id, "is_bot": False, "first_name": "Elif"},
            },
        }
        fake_bot_api.push_update(dict(update))
        fake_bot_api.push_update(dict(update))
        # and an update python-telegram-bot cannot parse is kept as failed, not retried forever
        kind_before = y.texts().count(texts.PLEASE_USE_TEXT)
        fake_bot_api.push_update({"update_id": 900_002, "message": {"text": "no ids", "chat": {"id": y.user.id}}})
        await y.write("still here")
        assert y.texts().count(texts.PLEASE_USE_TEXT) == kind_before + 1  # the unreadable one too
        assert await count(services, Inbox, Inbox.update_id == 900_001) == 1
        assert await count(services, Inbox, Inbox.update_id == 900_002, Inbox.status == "failed") == 1
        assert await count(services, Inbox, Inbox.payload.is_not(None)) == 0  # raw updates redacted
        assert fake_bot_api.rejected == []


async def test_held_at_429_delivers_everything_in_order(fake_bot_api, tmp_path):
    async with bot_with_staff_group(fake_bot_api, tmp_path) as (services, group):
        youth = [Youth.new(fake_bot_api, services, first_name=f"Test{i}", language_code="en") for i in range(5)]
        for y in youth:
            await onboard(y)
        fake_bot_api.faults.hold_429(seconds=3, retry_after=1)
        for y in youth:
            await y.user.send_command("/menu")
            await y.user.send_command("/help")
        await settle(services, timeout=60)
        assert fake_bot_api.count_429 > 0
        for y in youth:
            texts = y.texts()
            menu_at = max(i for i, t in enumerate(texts) if "What would you like to do?" in t)
            help_at = max(i for i, t in enumerate(texts) if "I am Sammanbot" in t)
            assert menu_at < help_at  # per-chat order kept through the retries
        assert await count(services, Outbox, Outbox.status != "sent") == 0


async def test_delete_and_mydata(fake_bot_api, tmp_path):
    async with bot_with_staff_group(fake_bot_api, tmp_path) as (services, group):
        y = Youth.new(fake_bot_api, services, first_name="Farid", language_code="en")
        await onboard(y)
        mine = await y.command("/mydata")
        assert "This is what we have saved about you" in mine[-1].text
        await y.command("/delete")
        await y.press(0)
        assert "Everything we had saved about you is deleted" in y.last.text
        assert await count(services, Participant) == 0
        assert await count(services, Answer) == 0


async def test_other_updates_commands_and_a_blocked_bot(fake_bot_api, tmp_path):
    async with bot_with_staff_group(fake_bot_api, tmp_path) as (services, group):
        y = Youth.new(fake_bot_api, services, first_name="Goran", language_code="uk")
        await onboard(y, language=0)
        # commands are published in every language (Telegram takes two-letter codes)
        published = {params.get("language_code") for params in fake_bot_api.calls_to("setMyCommands")}
        assert {None, "sv", "en", "ar", "fa", "ps", "so", "ti", "uk"} <= published
        # edited messages and channel posts are handled without error and without a reply
        chat = {"id": y.user.id, "type": "private", "first_name": "Goran"}
        sender = {"id": y.user.id, "is_bot": False, "first_name": "Goran"}
        fake_bot_api.push_update(
            {
                "edited_message": {
                    "message_id": 5,
                    "date": 1,
                    "edit_date": 2,
                    "chat": chat,
                    "from": sender,
                    "text": "fixed",
                }
            }
        )
        fake_bot_api.push_update(
            {
                "channel_post": {
                    "message_id": 6,
                    "date": 1,
                    "text": "news",
                    "chat": {"id": -1001, "type": "channel", "title": "News"},
                }
            }
        )
        before = len(y.user.messages)
        await settle(services)
        assert len(y.user.messages) == before
        assert await count(services, Inbox, Inbox.status == "failed") == 0
        # the youth blocks the bot: the next send gets 403 and they are marked stopped
        await y.user.block_bot()
        await settle(services)
        async with services.sessionmaker() as s:
            assert (await s.scalar(select(Participant))).stopped is True
        assert fake_bot_api.rejected == []
