"""Eight languages end to end: every shipped flow in every language through the real bot,
the language picker, /language mid-flow, and right-to-left isolation.

A youth is driven by button index or by the language's display name, never by an
English label, and each non-English session is searched for English source texts.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

from babel.messages.pofile import read_po
from sqlalchemy import select

from bot.i18n import replies, texts
from bot.i18n.catalogs import DOMAIN, FSI, PDI, Catalogs, language_choices
from storage.models import Participant, Submission
from tests.botfixtures import bot_settings, running_bot
from tests.youth import Youth

IDEA = "A homework club in the library after school, with volunteers."
MORE = "Most evenings I sit alone in my room."
HELPS = "A group that meets on weekends."
COMMENT = "Good food and I met new friends."
AGE_16_17, YES, NO = 2, 0, 1  # button indexes (flows/onboarding.yaml, yes/no questions)
SCHOOL, ME, DONE = 0, 0, 5  # share_idea: first area, first "who", then "Done" after 5 choices
FEELING_ALONE, NOT_GOOD = 5, 3  # need/hardest and workshop_feedback/rating
# What Telegram clients send for a language, where it is not our code (Dari is "fa").
TELEGRAM_CODES = {"fa_AF": "fa"}


def _placeholder_free(text: str) -> str:
    return ".+?".join(re.escape(part) for part in re.split(r"\{[A-Za-z_]\w*\}", text))


def english_sources(catalogs: Catalogs, lang: str) -> Iterator[tuple[str, re.Pattern[str]]]:
    """Every English source text (the extractor's template: flows and the bot's own
    strings) that `lang` translates differently, as a pattern that finds it verbatim
    (placeholders filled with anything) as whole words."""
    with (catalogs.locales_dir / f"{DOMAIN}.pot").open("rb") as fh:
        template = read_po(fh)
    for message in template:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
        if not catalogs.has(lang, msgid, message.context):
            continue  # no entry: the fallback is logged (and counted) instead
        found = catalogs.lookup(lang, msgid, message.context)
        if (found[0] if isinstance(found, tuple) else found) == msgid:
            continue  # the same in both languages ("16–17")
        yield msgid, re.compile(rf"(?<!\w){_placeholder_free(msgid)}(?!\w)")


def shown(fake, youth: Youth) -> list[str]:
    """Everything the bot ever showed this youth, edits and redrawn keyboards included:
    message texts and button labels, from the calls the fake Bot API received."""
    out: list[str] = []
    for method in ("sendMessage", "editMessageText"):
        for call in fake.calls_to(method):
            if call.get("chat_id") != youth.user.id:
                continue
            out.append(call.get("text") or "")
            for row in (call.get("reply_markup") or {}).get("inline_keyboard", []):
                out.extend(button["text"] for button in row)
    return out


def staff_settings(fake, tmp_path):
    lead = fake.new_user(first_name="Stina", last_name="Teamlead")
    group = fake.new_group("Sammanhacket team", members=[lead])
    return bot_settings(
        fake, f"sqlite+aiosqlite:///{tmp_path}/bot.db", tmp_path, staff_chat_id=group.chat.id, rate_group_per_min=600.0
    )  # 24 staff cards, unpaced


async def onboard(y: Youth, name: str) -> None:
    await y.step(y.user.send_command("/start"))
    await y.step(y.user.press(name))
    await y.step(y.user.press(AGE_16_17))
    await y.step(y.user.press(YES))
    await y.step(y.user.press(NO))  # the contact opt-in


async def every_flow(y: Youth, name: str, menu: list[str]) -> None:
    """Onboarding, then each menu flow to its end (contact_permission inside two of them)."""
    await onboard(y, name)
    steps = [
        y.user.press(menu.index("share_idea")),
        y.user.press(SCHOOL),
        y.user.send_text(IDEA),
        y.user.press(ME),
        y.user.press(DONE),
        y.user.press(YES),
        y.user.send_command("/menu"),
        y.user.press(menu.index("need")),
        y.user.press(FEELING_ALONE),
        y.user.send_text(MORE),
        y.user.send_text(HELPS),
        y.user.press(NO),
        y.user.send_command("/menu"),
        y.user.press(menu.index("workshop_feedback")),
        y.user.press(NOT_GOOD),
        y.user.send_text("3"),
        y.user.send_text(COMMENT),
    ]
    for action in steps:
        await y.step(action)


async def test_every_flow_in_every_language_shows_no_english(fake_bot_api, tmp_path):
    settings = staff_settings(fake_bot_api, tmp_path)
    names = dict(language_choices(settings))
    async with running_bot(settings) as services:
        menu = [f.id for f in services.flowset.menu()]
        youth = {
            lang: Youth.new(fake_bot_api, services, first_name=f"Test{i}", language_code=TELEGRAM_CODES.get(lang, lang))
            for i, lang in enumerate(settings.languages)
        }
        await asyncio.gather(*(every_flow(y, names[lang], menu) for lang, y in youth.items()))

        assert fake_bot_api.rejected == []
        async with services.sessionmaker() as s:
            subs = (await s.scalars(select(Submission))).all()
        for lang, y in youth.items():
            mine = {sub.flow_id: sub.answers for sub in subs if sub.language == lang}
            assert set(mine) == {"share_idea", "need", "workshop_feedback"}, lang
            assert mine["share_idea"]["followup_ok"] is True and mine["need"]["followup_ok"] is False
            tr = services.translator(lang)
            seen = "\n".join(shown(fake_bot_api, y))
            for msgid, context in [
                ("Thank you for sharing your idea! 🌟", "share_idea/thanks"),
                ("You are not alone. 💛", "need/support"),
                ("Thank you for telling us. We will try to make the next workshop better.", "workshop_feedback/sorry"),
            ]:
                assert tr.gettext(msgid, context) in seen, (lang, context)
            if lang == "en":
                # the search finds English where there is some, placeholders filled in
                english = "\n".join(shown(fake_bot_api, y))
                found = {m for m, pattern in english_sources(services.catalogs, "ar") if pattern.search(english)}
                assert {"{topic} – good choice!", "Thank you! 🙏", "Me"} <= found
                continue
            leaks = [msgid for msgid, pattern in english_sources(services.catalogs, lang) if pattern.search(seen)]
            assert leaks == [], lang


async def test_telegram_language_code_preselects_the_language(fake_bot_api, tmp_path):
    settings = staff_settings(fake_bot_api, tmp_path)
    names = dict(language_choices(settings))
    async with running_bot(settings) as services:
        for code, lang in [("ar", "ar"), ("fa-AF", "fa_AF"), ("uk-UA", "uk"), ("de", settings.default_language)]:
            y = Youth.new(fake_bot_api, services, first_name="Test", language_code=code)
            await y.start()
            picker = y.question
            tr = services.translator(lang)
            assert picker.text == tr.gettext("Hi! Which language do you want to use?", "onboarding/language")
            marked = [label for label in picker.labels if label.startswith("✅")]
            assert marked == [f"✅ {names[lang]}"], code
            # keeping the offered language goes on in it
            await y.press(marked[0])
            assert tr.gettext("How old are you?", "onboarding/age") in y.question.text


async def test_language_command_mid_flow_asks_the_same_question_in_the_new_language(fake_bot_api, tmp_path):
    settings = staff_settings(fake_bot_api, tmp_path)
    names = dict(language_choices(settings))
    async with running_bot(settings) as services:
        sv, uk = services.translator("sv"), services.translator("uk")
        y = Youth.new(fake_bot_api, services, first_name="Test", language_code="sv")
        await onboard(y, names["sv"])
        await y.press([f.id for f in services.flowset.menu()].index("share_idea"))
        area = ("What is your idea about?", "share_idea/area")
        assert sv.gettext(*area) in y.question.text

        await y.command("/language")
        assert y.question.text == sv.gettext(texts.LANGUAGE_PROMPT)
        await y.press(names["uk"])
        assert y.question.text.split("\n") == [uk.gettext(texts.LANGUAGE_CHANGED), uk.gettext(*area)]
        assert y.question.labels[0] == uk.gettext("School 🏫", "share_idea/area/school")

        await y.press(SCHOOL)  # the flow goes on where it was, in Ukrainian
        topic = f"{uk.gettext('School 🏫', 'share_idea/area/school')}"
        assert uk.format("{topic} – good choice!", "share_idea/idea", topic=topic) in y.last.text
        async with services.sessionmaker() as s:
            assert (await s.scalars(select(Participant.language))).all() == ["uk"]


async def test_arabic_texts_isolate_latin_answers_and_numbers(fake_bot_api, tmp_path):
    settings = staff_settings(fake_bot_api, tmp_path)
    async with running_bot(settings) as services:
        ar = services.translator("ar")
        menu = [f.id for f in services.flowset.menu()]
        y = Youth.new(fake_bot_api, services, first_name="Test", language_code="ar")
        await onboard(y, dict(language_choices(settings))["ar"])
        await y.press(menu.index("workshop_feedback"))
        await y.press(NOT_GOOD)
        await y.write("99")  # out of range: the limits are shown inside the Arabic text
        reask = y.last.text
        assert f"{FSI}1{PDI}" in reask and f"{FSI}50{PDI}" in reask
        assert reask.startswith(ar.gettext(texts.REASONS["out_of_range"]).split("{")[0])

        await y.command("/menu")
        await y.press(menu.index("share_idea"))
        await y.press(SCHOOL)
        label = ar.gettext("School 🏫", "share_idea/area/school")
        assert f"{FSI}{label}{PDI}" in y.last.text  # {topic}: a translated label, isolated too
        await y.write(IDEA)
        await y.command("/mydata")
        data = y.last.text
        assert data.startswith(ar.gettext(replies.MYDATA_HEADER))
        assert f"{FSI}{IDEA}{PDI}" in data  # the youth's Latin answer inside Arabic text
