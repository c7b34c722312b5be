"""End to end, issue "Safeguarding": a distress message mid-flow gets the helplines in
the same update, the staff one urgent card (which says what kind of crisis and what was
written, anonymised, never who), and the flow goes on; the 'talk to a person' button; /help and
the safe word at any moment; helplines in Arabic and Dari. All people are invented.
"""

from __future__ import annotations

from typing import Any

from bot.i18n.staffed import TALK_SENT
from bot.dialogue.crisis import TALK_DATA
from tests.botfixtures import bot_settings, running_bot
from tests.youth import Youth, onboard, settle, staff_group

FIRST, LAST, USERNAME = "Nardos", "Habtemariam", "nardos_kanelbulle"
DISTRESS = "I want to die, nobody at the camp cares about me"
SAFE_WORD = "Paraply"
IDEA_QUESTION = "Now tell us your idea in your own words"


def sqlite(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/bot.db"


def help_texts(services: Any, lang: str) -> tuple[str, str]:
    """(the help message without its closing line about the team's hours, its button's
    label) as the translator gives them for `lang`."""
    tr = services.translator(lang)
    *body, (button_context, button_msgid, _) = services.lexicon.help_contexts()
    return "\n\n".join(tr.gettext(msgid, context) for context, msgid, _ in body), tr.gettext(
        button_msgid, button_context
    )


def helps(messages: list[Any], services: Any, lang: str = "en") -> list[Any]:
    """The help messages among `messages`, checked to carry the 'talk to a person' button."""
    text, button = help_texts(services, lang)
    found = [m for m in messages if (m.text or "").startswith(text)]
    assert all(m.labels == [button] and m.keyboard[0][0]["callback_data"] == TALK_DATA for m in found)
    return found


def urgent_cards(group: Any) -> list[Any]:
    return [m for m in group.messages if (m.text or "").startswith("🔴 URGENT")]


def assert_anonymous(card: Any, *written: str) -> None:
    for secret in (FIRST, LAST, USERNAME, *written):
        assert secret.casefold() not in card.text.casefold(), secret


async def to_idea_question(y: Youth) -> None:
    await onboard(y)
    await y.press("Share an idea")
    await y.press("School")
    assert IDEA_QUESTION in y.last.text


async def test_distress_mid_flow_helps_at_once_alerts_once_and_goes_on(fake_bot_api, tmp_path):
    group, _ = staff_group(fake_bot_api)
    async with running_bot(bot_settings(fake_bot_api, sqlite(tmp_path), tmp_path, staff_chat_id=group.id)) as services:
        y = Youth.new(fake_bot_api, services, first_name=FIRST, last_name=LAST, username=USERNAME, language_code="en")
        await to_idea_question(y)
        replies = await y.write(DISTRESS)  # one update
        assert len(helps(replies, services)) == 1
        assert "116 111" in replies[0].text and "90101" in replies[0].text
        assert "Who would your idea help?" in replies[-1].text  # and the flow went on
        cards = urgent_cards(group)
        assert len(cards) == 1 and "self_harm" in cards[0].text
        assert f"written: {DISTRESS}" in cards[0].text  # what set it off, anonymised (no name in it)
        assert_anonymous(cards[0])

        await y.press("Me")
        await y.press("Done")
        await y.press("No")
        assert "Thank you for sharing your idea" in " ".join(y.texts())
        await settle(services)
        assert len(urgent_cards(group)) == 1  # still one: finishing the flow alerts no one again
        assert any("💡 Share an idea" in (m.text or "") for m in group.messages)
        assert fake_bot_api.rejected == []


async def test_separate_safeguarding_chat_and_talk_to_a_person(fake_bot_api, tmp_path):
    group, _ = staff_group(fake_bot_api)
    counsellor = fake_bot_api.new_user(first_name="Karin", last_name="Kurator")
    guard = fake_bot_api.new_group("Sammanhacket safeguarding", members=[counsellor])
    settings = bot_settings(
        fake_bot_api, sqlite(tmp_path), tmp_path, staff_chat_id=group.id, safeguarding_chat_id=guard.id
    )
    async with running_bot(settings) as services:
        y = Youth.new(fake_bot_api, services, first_name=FIRST, last_name=LAST, username=USERNAME, language_code="en")
        await onboard(y)
        written = "My stepdad hits me when he is drunk"
        [help_message] = helps(await y.write(written), services)
        assert len(urgent_cards(guard)) == 1 and "abuse" in urgent_cards(guard)[0].text
        assert group.messages == []  # the staff group sees none of it

        _, button = help_texts(services, "en")
        replies = await y._after(y.user.press_on(help_message, button))  # the menu came again below it
        assert replies[-1].text.startswith(services.translator("en").gettext(TALK_SENT))
        await settle(services)
        cards = urgent_cards(guard)  # the press raised the card it had (no second card)
        assert len(cards) == 1 and "ASKED TO TALK TO SOMEONE NOW" in cards[0].text and "abuse" in cards[0].text
        alerts = [m for m in guard.messages if (m.text or "").startswith("⚠️ ASKED TO TALK")]
        assert cards[0].protected and alerts[0].protected
        assert len(alerts) == 1 and alerts[0].text.endswith(cards[0].text.rsplit("\n", 1)[1])  # "#id"
        for card in cards + alerts:
            assert_anonymous(card, str(y.user.id))
        assert f"written: {written}" in cards[0].text
        assert group.messages == []
        assert fake_bot_api.rejected == [] and fake_bot_api.unanswered_callbacks == []


async def test_help_and_safe_word_at_any_moment_leave_the_flow_where_it_was(fake_bot_api, tmp_path):
    group, _ = staff_group(fake_bot_api)
    settings = bot_settings(fake_bot_api, sqlite(tmp_path), tmp_path, staff_chat_id=group.id, safe_word=SAFE_WORD)
    async with running_bot(settings) as services:
        y = Youth.new(fake_bot_api, services, first_name=FIRST, language_code="en")
        await onboard(y)
        await y.press("Share an idea")
        area = y.question  # a question with buttons
        edits = area.edit_count
        replies = await y.command("/help")
        assert len(helps(replies, services)) == 1 and len(replies) == 2  # a word about the bot, the help
        assert area.edit_count == edits and area.keyboard  # not answered, still open
        await y._after(y.user.press_on(area, "School"))  # its buttons still work
        assert IDEA_QUESTION in y.last.text

        for word in ("/help", SAFE_WORD, SAFE_WORD.upper() + " "):  # folded like the phrases
            replies = await (y.command(word) if word.startswith("/") else y.write(word))
            assert len(helps(replies, services)) == 1
            assert not any(IDEA_QUESTION in m.text or "Who would" in m.text for m in replies)
        replies = await y.write("A library homework club with volunteers on Tuesdays")
        assert "Who would your idea help?" in replies[-1].text  # the idea step was still open
        assert urgent_cards(group) == []  # asking for help is not a crisis card
        assert fake_bot_api.rejected == []


async def test_helplines_in_arabic_and_dari(fake_bot_api, tmp_path):
    group, _ = staff_group(fake_bot_api)
    async with running_bot(bot_settings(fake_bot_api, sqlite(tmp_path), tmp_path, staff_chat_id=group.id)) as services:
        english, _ = help_texts(services, "en")
        languages = list(services.flowset.get("onboarding").steps["language"].languages)
        cases = [
            ("ar", "Rami", "ar", "أريد أن أموت، لا أحد يهتم بي"),
            ("fa_AF", "Wahid", "fa", "دیگر نمیتوانم، میخواهم بمیرم"),
        ]
        for lang, first, code, distress in cases:
            y = Youth.new(fake_bot_api, services, first_name=first, language_code=code)
            await y.start()
            await y.press(languages.index(lang))
            await y.press(2)  # 16–17
            await y.press(0)  # agree
            before = len(urgent_cards(group))
            replies = await y.write(distress)
            text, button = help_texts(services, lang)
            assert text != english and button != help_texts(services, "en")[1]  # really translated
            assert len(helps(replies, services, lang)) == 1, lang
            assert len(urgent_cards(group)) == before + 1
            card = urgent_cards(group)[-1]
            assert "self_harm" in card.text and f"· {lang}" in card.text
            assert f"written: {distress}" in card.text and first not in card.text
        assert fake_bot_api.rejected == []


async def test_after_the_helplines_the_open_question_comes_again_gently(fake_bot_api, tmp_path):
    from bot.i18n import texts

    group, _ = staff_group(fake_bot_api)
    async with running_bot(bot_settings(fake_bot_api, sqlite(tmp_path), tmp_path, staff_chat_id=group.id)) as services:
        y = Youth.new(fake_bot_api, services, first_name=FIRST, language_code="sv")
        await y.start()
        await y.press("Svenska")
        age = y.question
        replies = await y.write("Jag vill dö, ingen bryr sig om mig")  # a question that wants a button
        sv = services.translator("sv")
        assert len(helps(replies, services, "sv")) == 1 and replies[0] is helps(replies, services, "sv")[0]
        assert not any(sv.gettext(texts.REASONS["use_buttons"]) in (m.text or "") for m in replies)
        again = replies[-1]
        question = age.text.splitlines()[-1]  # below the welcome words
        assert again.text == f"{sv.gettext(texts.AFTER_HELP)}\n{question}" and again.labels == age.labels
        await y.press("16–17")  # the question asked again is the live one
        assert sv.gettext("Is this OK for you?", "onboarding/consent") in y.last.text
        assert len(urgent_cards(group)) == 1
        assert fake_bot_api.rejected == []
