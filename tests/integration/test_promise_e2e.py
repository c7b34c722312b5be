"""End to end, issue #23 "an honest promise at onboarding": what the bot keeps, that names
and numbers are removed, who reads it, that urgent messages go to the person on duty and
that the team may act on danger — said in the youth's language with the consent question
(so consent is informed) and again by /privacy, which /help and the command menu name.
Every catalog translates the promise: no English in its place."""

from __future__ import annotations

import pytest

from bot.base.settings import LANGUAGES, Settings
from bot.i18n import promise, texts
from bot.i18n.catalogs import Catalogs
from tests.botfixtures import ROOT, bot_settings, running_bot
from tests.dbfixtures import db_url  # noqa: F401
from tests.youth import Youth, onboard

PEOPLE = [("Amal", "ar", "العربية"), ("Senait", "ti", "ትግርኛ")]


def test_every_catalog_translates_the_promise():
    settings = Settings(_env_file=None, locales_dir=ROOT / "locales")
    catalogs = Catalogs.load(settings.locales_dir, list(LANGUAGES), settings.default_language, True)
    for lang in LANGUAGES:
        tr = catalogs.translator(lang)
        for msgid in (*promise.LINES, promise.HELP_HINT):
            assert catalogs.has(lang, msgid), (lang, msgid)
            assert lang == "en" or tr.gettext(msgid) != msgid, (lang, msgid)


@pytest.mark.parametrize(("name", "code", "label"), PEOPLE)
async def test_the_promise_comes_with_consent_and_on_privacy(fake_bot_api, tmp_path, db_url, name, code, label):  # noqa: F811
    async with running_bot(bot_settings(fake_bot_api, db_url, tmp_path)) as services:
        tr = services.translator(code)
        lines = [tr.gettext(msgid) for msgid in promise.LINES]
        assert all(line not in promise.LINES for line in lines)  # the youth's own language
        y = Youth.new(fake_bot_api, services, first_name=name, language_code=code)
        await y.start()
        await y.press(label)
        shown = await y.press("16–17")
        consent = y.question  # the consent question: its message carries the whole promise
        assert consent is not None and consent in shown
        for line in lines:
            assert line in consent.text, line
        await y.press(0)  # agrees, informed
        await y.press(1)

        again = await y.command("/privacy")
        assert len(again) == 1 and all(line in again[0].text for line in lines)
        helped = await y.command("/help")
        assert any(tr.gettext(promise.HELP_HINT) in (m.text or "") for m in helped)
        menu = fake_bot_api.commands[("[('type', 'default')]", code)]
        assert {"command": "privacy", "description": tr.gettext(texts.COMMANDS["privacy"])} in menu
    assert fake_bot_api.rejected == []


async def test_the_scripted_onboarding_still_works(fake_bot_api, tmp_path, db_url):  # noqa: F811
    async with running_bot(bot_settings(fake_bot_api, db_url, tmp_path)) as services:
        y = Youth.new(fake_bot_api, services, first_name="Erik", language_code="en")
        await onboard(y)
        assert y.question is not None and "Share an idea" in str(y.question.keyboard)
