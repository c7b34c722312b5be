"""End to end, issue #23 "A person is really there": over the fake Bot API, on SQLite
and PostgreSQL, a youth in distress outside the staffed hours is told when the team is
next there beside the helplines, and so is one who presses "talk to a person"; inside
the hours they are told how soon. The clock the hours are judged by is injected
(`Services.clock`). All people are invented."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.dialogue.crisis import TALK_DATA
from bot.i18n.staffed import HELP_NOW, TALK_SENT
from tests.botfixtures import bot_settings, running_bot
from tests.youth import Youth, onboard, settle, staff_group

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SATURDAY_NIGHT = datetime(2026, 11, 28, 2, 0, tzinfo=STOCKHOLM)
WEDNESDAY_MORNING = datetime(2026, 11, 25, 10, 0, tzinfo=STOCKHOLM)
NNBSP = "\u202f"  # CLDR's narrow no-break space before AM/PM
DISTRESS = "I want to die, nobody at the camp cares about me"


async def _help_and_talk(fake_bot_api, tmp_path, db_url, now: datetime, **overrides) -> tuple[str, str, list]:
    """(the crisis answer, the reply to 'talk to a person', the urgent cards) at `now`."""
    group, _ = staff_group(fake_bot_api)
    settings = bot_settings(fake_bot_api, db_url, tmp_path, staff_chat_id=group.id, **overrides)
    async with running_bot(settings) as services:
        services.clock = lambda: now
        y = Youth.new(fake_bot_api, services, first_name="Selam", last_name="Tesfay", language_code="en")
        await onboard(y)
        [help_message] = [m for m in await y.write(DISTRESS) if "116 111" in (m.text or "")]
        assert help_message.keyboard[0][0]["callback_data"] == TALK_DATA
        talk = await y._after(y.user.press_on(help_message, 0))
        [reply] = [m for m in talk if (m.text or "").startswith(TALK_SENT)]
        await settle(services)
    cards = [m for m in group.messages if (m.text or "").startswith("🔴 URGENT")]
    assert fake_bot_api.rejected == []
    return help_message.text, reply.text, cards


async def test_outside_the_hours_the_youth_is_told_the_next_staffed_time(fake_bot_api, tmp_path, db_url):
    help_text, reply, cards = await _help_and_talk(fake_bot_api, tmp_path, db_url, SATURDAY_NIGHT)
    next_time = "The team reads messages Mon–Fri 9:00 AM–5:00 PM. Next time: Mon, November 30, 9:00 AM.".replace(
        " AM", NNBSP + "AM"
    ).replace(" PM", NNBSP + "PM")
    assert "116 111" in help_text and "Nobody from the team is here right now. " + next_time in help_text
    assert next_time in reply and HELP_NOW in reply and "112" in reply
    assert "soon" not in reply and "here now" not in reply
    assert len(cards) == 1 and "ASKED TO TALK TO SOMEONE NOW" in cards[0].text  # the press raised the card


async def test_closed_dates_move_the_next_time(fake_bot_api, tmp_path, db_url):
    _, reply, _ = await _help_and_talk(
        fake_bot_api, tmp_path, db_url, SATURDAY_NIGHT, staffed_closed_dates=["2026-11-30"]
    )
    assert f"Next time: Tue, December 1, 9:00{NNBSP}AM." in reply


async def test_inside_the_hours_the_youth_is_told_how_soon(fake_bot_api, tmp_path, db_url):
    help_text, reply, _ = await _help_and_talk(
        fake_bot_api, tmp_path, db_url, WEDNESDAY_MORNING, staffed_answer_minutes=30
    )
    now = "Someone from the team is here now and usually answers within 30 minutes."
    assert now in help_text and now in reply and HELP_NOW in reply
