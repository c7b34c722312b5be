"""End to end over real HTTP (the fake Bot API and the fake LibreTranslate), on SQLite
and PostgreSQL: a finished idea's card goes out at once, and is edited with its machine
translation when that arrives; a language the provider lacks is labelled on the card and
never sent; a provider that is down delays translations, loses none and sends none
twice; only anonymised text reaches the provider; a person's `/tr` shows above.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from sqlalchemy import func, select

from storage.staff_models import AuditLog
from storage.translation_models import FollowupTranslation, Translation, TranslationJob
from tests.botfixtures import bot_settings, running_bot
from tests.fakelibretranslate.server import FakeLibreTranslate
from tests.integration.test_forwarding_e2e import share_idea as shared
from tests.youth import Youth, settle, staff_group

ARABIC = "أنا Amina Yusufzai، أريد مساعدة في الواجبات المدرسية في المكتبة بعد المدرسة، اتصلوا بي على 0701234567"
ARABIC_CLEAN = "أنا [NAME]، أريد مساعدة في الواجبات المدرسية في المكتبة بعد المدرسة، اتصلوا بي على [PHONE]"
TIGRINYA = "ኣነ Amina እየ። ኣብ ቤት ንባብ ድሕሪ ትምህርቲ ሓገዝ ናይ ገዛ ስራሕ ንደሊ፣ ደውሉለይ 0701234567"
PLANTED = ("Amina", "Yusufzai", "amina_y2009", "0701234567")


def settings(fake: Any, lt: FakeLibreTranslate, db_url: str, tmp_path: Any, group: Any, **more: Any) -> Any:
    return bot_settings(
        fake, db_url, tmp_path, staff_chat_id=group.chat.id, translate_url=lt.url, rate_group_per_min=600.0, **more
    )


async def share_idea(y: Youth, idea: str) -> None:
    await shared(y, idea)
    await y.press("No")  # no follow-up questions


async def translated(services: Any, timeout: float = 60.0) -> None:
    """Wait until no translation job waits (to be made, or to be shown on its card), nor
    a follow-up message to translate."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        async with services.sessionmaker() as s:
            waiting = await s.scalar(
                select(func.count(TranslationJob.id)).where(
                    (TranslationJob.status == "pending") | TranslationJob.card.is_(True)
                )
            ) + await s.scalar(
                select(func.count(FollowupTranslation.id)).where(FollowupTranslation.status == "pending")
            )
        if not waiting:
            break
        assert loop.time() < deadline, f"{waiting} translation jobs still wait"
        await asyncio.sleep(0.05)
    await settle(services)


async def jobs(services: Any) -> list[TranslationJob]:
    async with services.sessionmaker() as s:
        return list((await s.scalars(select(TranslationJob).order_by(TranslationJob.id))).all())


async def machine_rows(services: Any) -> list[Translation]:
    async with services.sessionmaker() as s:
        return list((await s.scalars(select(Translation).order_by(Translation.id))).all())


def cards(group: Any) -> list[Any]:
    return [m for m in group.messages if (m.text or "").startswith("💡 Share an idea")]


async def test_arabic_card_then_translation_tigrinya_labelled_never_sent(
    fake_bot_api, fake_libretranslate, db_url, tmp_path
):
    group, lead = staff_group(fake_bot_api)
    async with running_bot(settings(fake_bot_api, fake_libretranslate, db_url, tmp_path, group)) as services:
        amina = Youth.new(fake_bot_api, services, first_name="Amina", last_name="Yusufzai", username="amina_y2009")
        await share_idea(amina, ARABIC)
        await settle(services)
        (card,) = cards(group)
        assert ARABIC_CLEAN in card.text  # the card went out at once, with the original
        await translated(services)

        assert "🌐 ar→sv · machine (libretranslate):" in card.text and f"idea: [ar→sv] {ARABIC_CLEAN}" in card.text
        assert card.edit_count == 1 and len(cards(group)) == 1
        assert fake_libretranslate.texts() == [ARABIC_CLEAN]  # only the anonymised answer left the machine
        for sent in fake_libretranslate.texts():
            assert not any(private in sent for private in PLANTED)
        (row,) = await machine_rows(services)
        assert (row.kind, row.provider, row.source, row.target) == ("machine", "libretranslate", "ar", "sv")
        assert row.answers == {"idea": f"[ar→sv] {ARABIC_CLEAN}"}

        # the same text again (another youth, whose own name is taken out) is not sent again
        bilal = Youth.new(fake_bot_api, services, first_name="Bilal")
        await share_idea(bilal, ARABIC.replace("Amina Yusufzai", "Bilal"))
        await translated(services)
        assert fake_libretranslate.texts() == [ARABIC_CLEAN]
        assert f"idea: [ar→sv] {ARABIC_CLEAN}" in cards(group)[1].text

        # Tigrinya: the stock engine has none; labelled on the card, never sent
        sara = Youth.new(fake_bot_api, services, first_name="Sara")
        await share_idea(sara, TIGRINYA)
        await translated(services)
        ti_card = cards(group)[2]
        assert "🌐 ti→sv: no machine translation — reply /tr <text> to add one" in ti_card.text
        assert fake_libretranslate.texts() == [ARABIC_CLEAN]
        assert [j.status for j in await jobs(services)] == ["done", "done", "unsupported"]

        # a person translates it: /tr as a reply to the card, shown on the card, in the audit log
        await lead.reply_to(ti_card, "/tr I am [NAME]. I want homework help in the library after school.", chat=group)
        await settle(services)
        assert "🌐 ti→sv · human (by Stina):\nI am [NAME]. I want homework help" in ti_card.text
        assert "no machine translation" not in ti_card.text
        assert group.messages[-1].text == "Translation saved (by Stina). The card shows it."
        async with services.sessionmaker() as s:
            audit = (await s.scalars(select(AuditLog).where(AuditLog.action == "translation"))).one()
            assert (audit.staff_name, audit.detail) == ("Stina", "sv via telegram")
            assert "homework" not in (audit.detail or "")
        assert fake_bot_api.rejected == []


async def test_provider_down_for_a_while_every_translation_arrives_once(
    fake_bot_api, fake_libretranslate, db_url, tmp_path
):
    fake_libretranslate.down = True
    group, _lead = staff_group(fake_bot_api)
    ideas = [
        "مكتبة مفتوحة في المساء للطلاب الجدد",
        "Хочу футбольну команду для дівчат після школи",
        "کلاس زبان سویدنی برای مادران در کتابخانه",
    ]
    s = settings(fake_bot_api, fake_libretranslate, db_url, tmp_path, group, translate_second_target="en")
    async with running_bot(s) as services:
        for n, idea in enumerate(ideas):
            await share_idea(Youth.new(fake_bot_api, services, first_name=f"Youth{n}"), idea)
        await settle(services)
        assert len(cards(group)) == 3 and all("machine translation on its way" in c.text for c in cards(group))

        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while not all(j.attempts >= 2 for j in await jobs(services)):  # each tried (at least) twice meanwhile
            assert loop.time() < deadline
            await asyncio.sleep(0.05)
        async with aiohttp.ClientSession() as http:
            base = f"http://127.0.0.1:{services.settings.web_port}"
            async with http.get(f"{base}/healthz") as resp:
                health = await resp.json()
            async with http.get(f"{base}/metrics") as resp:
                metrics = await resp.text()
        assert health["translations"]["backlog"] == 6 and health["status"] == "ok"
        assert "sammanbot_translation_backlog 6.0" in metrics
        assert 'sammanbot_translations_total{outcome="error"}' in metrics
        assert await machine_rows(services) == []

        recovered_at = len(fake_libretranslate.received)
        fake_libretranslate.down = False
        await translated(services)

        after = [(r.q, r.target) for r in fake_libretranslate.received[recovered_at:]]
        assert sorted(after) == sorted((idea, target) for idea in ideas for target in ("sv", "en"))  # once each
        rows = await machine_rows(services)
        assert (
            sorted((r.submission_id, r.target) for r in rows) == sorted({(r.submission_id, r.target) for r in rows})
            and len(rows) == 6
        )
        for card, idea in zip(cards(group), ideas, strict=True):
            source = {"م": "ar", "Х": "uk", "ک": "fa_AF"}[idea[0]]
            code = {"fa_AF": "fa"}.get(source, source)
            assert f"🌐 {source}→sv · machine (libretranslate):\nidea: [{code}→sv] {idea}" in card.text
            assert f"idea: [{code}→en] {idea}" in card.text and "on its way" not in card.text
        assert len(cards(group)) == 3 and fake_bot_api.rejected == []
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/metrics") as resp:
                assert 'sammanbot_translations_total{outcome="ok"} 6.0' in await resp.text()


async def test_followup_question_and_answer_through_machine_translation(
    fake_bot_api, fake_libretranslate, db_url, tmp_path
):
    from bot.i18n import replies
    from bot.i18n.catalogs import language_choices
    from tests.integration.test_languages_e2e import AGE_16_17, DONE, ME, NO, SCHOOL, YES

    group, lead = staff_group(fake_bot_api)
    s = settings(fake_bot_api, fake_libretranslate, db_url, tmp_path, group)
    async with running_bot(s) as services:
        menu = [f.id for f in services.flowset.menu()]
        layla = Youth.new(fake_bot_api, services, first_name="Layla", language_code="ar")
        await layla.command("/start")
        await layla.press(dict(language_choices(s))["ar"])
        for press in (AGE_16_17, YES, NO, menu.index("share_idea"), SCHOOL):  # NO: not contacted first
            await layla.press(press)
        await layla.write("ملعب كرة قدم للبنات")
        for press in (ME, DONE, YES):  # YES: the team may ask a follow-up question
            await layla.press(press)
        await translated(services)
        (card,) = cards(group)

        await lead.reply_to(card, "Which school do you go to? /Stina", chat=group)
        await settle(services)
        assert group.messages[-1].text.startswith("Sent for machine translation into ar")
        await translated(services)
        ar = services.translator("ar")
        asked = layla.texts()[-2:]
        expected = ar.format(
            replies.TEAM_ASKS_MACHINE,
            question="[en→ar] Which school do you go to? /[NAME]",
            original="Which school do you go to? /[NAME]",
        )
        assert asked == [expected, ar.gettext(replies.TEAM_ASKS_HINT)]
        assert "Stina" not in " ".join(fake_libretranslate.texts())

        await layla.write("مدرسة قريبة من المحطة، رقمي 0701234567")
        await translated(services)
        answer, translation = group.messages[-2:]
        assert answer.text.startswith("↩️ ") and "0701234567" not in answer.text
        assert translation.reply_to_message_id == card.message_id
        sub_id = card.text.rsplit("#", 1)[1]
        assert (
            translation.text
            == f"🌐 ar→sv · machine (libretranslate):\n[ar→sv] مدرسة قريبة من المحطة، رقمي [PHONE]\n#{sub_id}"
        )
        assert not any("0701234567" in t for t in fake_libretranslate.texts())
