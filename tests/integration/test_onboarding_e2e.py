"""End to end over the fake Bot API (SQLite), issue #22 item 8: nothing starts before
onboarding is finished. /menu (or the Menu button) during onboarding gets a kind
"let us finish this first" and the open question again; after onboarding /menu works;
and a flow run without consent never promises that the team will read it. All people
are invented."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.i18n import promise, texts
from storage.models import Answer, Submission
from tests.botfixtures import bot_settings, running_bot
from tests.youth import Youth, settle, staff_group

IDEA = "A homework club in the library on Tuesdays with volunteers"
PROMISE = "The team will read it without your name."


def sqlite(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/bot.db"


async def count(services, model) -> int:
    async with services.sessionmaker() as s:
        return await s.scalar(select(func.count()).select_from(model))


async def at_the_age_question(fake, services, first_name: str, code: str, language: str) -> Youth:
    y = Youth.new(fake, services, first_name=first_name, language_code=code)
    await y.start()
    await y.press(language)
    return y


async def test_menu_during_onboarding_waits_until_it_is_finished(fake_bot_api, tmp_path):
    group, _ = staff_group(fake_bot_api)
    async with running_bot(bot_settings(fake_bot_api, sqlite(tmp_path), tmp_path, staff_chat_id=group.id)) as services:
        y = await at_the_age_question(fake_bot_api, services, "Hanna", "uk", "Українська")
        age = y.question
        uk = services.translator("uk")
        kind = uk.gettext(texts.FINISH_ONBOARDING_FIRST)
        assert kind != texts.FINISH_ONBOARDING_FIRST  # in the youth's language
        replies = await y.command("/menu")
        question = age.text.splitlines()[-1]  # below the welcome words
        assert [m.text for m in replies] == [f"{kind}\n{question}"] and replies[0].labels == age.labels
        assert not any("💡" in label for m in replies for label in m.labels)  # no menu, no idea flow

        await y.press("16–17")
        consent = y.question
        replies = await y.command("/menu")
        again = replies[-1].text  # the consent question again, with the promise that informs it
        assert again.startswith(f"{kind}\n") and again.endswith(consent.text.splitlines()[-1])
        assert uk.gettext(promise.TITLE) in again
        await y.press(0)  # agree
        await y.press(1)  # no contact later: onboarding is finished
        replies = await y.command("/menu")
        assert any("💡" in label for label in replies[-1].labels)  # now the menu
        await y.press("💡")
        await y.press(0)
        await y.write(IDEA)
        assert uk.gettext("Who would your idea help?", "share_idea/who") in y.last.text
        await settle(services)
        assert fake_bot_api.rejected == [] and fake_bot_api.unanswered_callbacks == []


async def test_the_menu_button_after_wrong_tries_is_not_offered_during_onboarding(fake_bot_api, tmp_path):
    async with running_bot(bot_settings(fake_bot_api, sqlite(tmp_path), tmp_path)) as services:
        y = await at_the_age_question(fake_bot_api, services, "Omid", "en", "English")
        for _ in range(4):
            replies = await y.write("seventeen")
            assert all(texts.MENU not in m.labels for m in replies)
        assert y.question.text.endswith("How old are you?")


async def test_a_flow_without_consent_promises_nothing(fake_bot_api, tmp_path):
    group, _ = staff_group(fake_bot_api)
    async with running_bot(bot_settings(fake_bot_api, sqlite(tmp_path), tmp_path, staff_chat_id=group.id)) as services:
        y = await at_the_age_question(fake_bot_api, services, "Selam", "en", "English")
        await y.press("16–17")
        await y.press("No")  # declines: the menu comes, nothing may be sent
        await y.press("Share an idea")
        await y.press("School")
        await y.write(IDEA)
        await y.press("Done")
        replies = await y.press("Yes")
        said = "\n".join(m.text for m in replies)
        assert PROMISE not in said and texts.NOT_SENT in said
        await settle(services)
        assert await count(services, Submission) == 0 and await count(services, Answer) == 0
        assert group.messages == []
