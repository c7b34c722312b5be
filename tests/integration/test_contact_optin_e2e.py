"""The contact opt-in end to end over the fake Bot API, on SQLite and PostgreSQL: asked at
the end of onboarding, a yes/no of its own beside consent, stored with its time,
changeable in /menu → Settings, shown in /mydata, gone with /delete. Invented people."""

from __future__ import annotations

from storage.models import Participant
from tests.botfixtures import bot_settings, running_bot
from tests.youth import Youth, count


async def stored(services) -> tuple[bool, object]:
    async with services.sessionmaker() as s:
        p = (await s.execute(Participant.__table__.select())).one()
        return p.contact, p.contact_at


async def test_asked_after_consent_stored_changed_shown_and_erased(fake_bot_api, db_url, tmp_path):
    async with running_bot(bot_settings(fake_bot_api, db_url, tmp_path)) as services:
        y = Youth.new(fake_bot_api, services, first_name="Selam", language_code="ti")
        ti = services.translator("ti")
        await y.start()
        await y.press("ትግርኛ")
        await y.press("16–17")
        replies = await y.press(0)  # consent: yes
        asked = ti.gettext(
            "May we send you a message later, with new questions or news about the ideas? "
            "You can change this at any time in /menu → Settings.",
            "onboarding/contact",
        )
        assert asked.startswith("ደሓር") and replies[-1].text.endswith(asked)
        assert await stored(services) == (False, None)  # nothing before the answer

        await y.press(0)  # yes, the team may write
        contact, since = await stored(services)
        assert contact is True and since is not None
        shown = (await y.command("/mydata"))[-1].text
        assert ti.format("You said we may write to you later: {when}", when=since.date().isoformat()) in shown

        await y.command("/menu")
        await y.press(ti.gettext("Settings", "settings/title"))
        await y.press(1)  # no, not any more
        assert await stored(services) == (False, None)
        shown = (await y.command("/mydata"))[-1].text
        assert ti.gettext("We may not write to you first (change it in /menu → Settings).") in shown

        await y.command("/delete")
        await y.press(0)
        assert await count(services, Participant) == 0  # the yes/no went with everything else


async def test_without_consent_the_question_is_not_asked_and_nothing_is_stored(fake_bot_api, db_url, tmp_path):
    async with running_bot(bot_settings(fake_bot_api, db_url, tmp_path)) as services:
        y = Youth.new(fake_bot_api, services, first_name="Amina", language_code="ar")
        await y.start()
        await y.press("العربية")
        await y.press("16–17")
        await y.press(1)  # no consent: the menu, no contact question
        assert not any("هل يمكننا أن نرسل لك رسالة لاحقًا" in t for t in y.texts())
        await y.command("/menu")
        await y.press("الإعدادات")
        await y.press(0)  # says yes in settings, but gave no consent: nothing may be kept
        assert await stored(services) == (False, None)
