"""End to end, issue #23 "Telegram's own surfaces": at start-up the bot sets its
description and short description in every language (and the default) through the
outbox, over the fake Bot API, in each language's own words (no English in their place),
the name where a language writes it in its own script, and the menu button (the commands);
`doctor` checks the catalogs have them. A restart sends none of it again unless a text
changed."""

from __future__ import annotations

import shutil

from bot.app.profile import telegram_language
from bot.base.settings import LANGUAGES, Settings
from bot.cli.doctor import OK, WARN, check_profile
from bot.i18n.profile import DESCRIPTION, NAME, SHORT_DESCRIPTION
from bot.i18n.cli import read_catalog, write_catalog
from tests.botfixtures import ROOT, bot_settings, running_bot, sqlite_url
from tests.youth import settle


async def test_descriptions_are_set_in_every_language(fake_bot_api, tmp_path):
    async with running_bot(bot_settings(fake_bot_api, sqlite_url(tmp_path), tmp_path)) as services:
        await settle(services)
    got = fake_bot_api.descriptions
    for lang in LANGUAGES:
        code = telegram_language(lang)
        description, short = got[("description", code)], got[("short_description", code)]
        assert "116 111" in description and "116 111" in short
        if lang != "en":
            assert description != DESCRIPTION and short != SHORT_DESCRIPTION, lang
    assert got[("description", "")] == got[("description", "sv")]  # no language: the default one
    # the name where a language writes it in its own script, the default name without one
    names = {code: name for (field, code), name in got.items() if field == "name"}
    assert names[""] == "Sammanbot"
    assert set(names) == {"", "ar", "fa", "ps", "ti", "uk"}, names  # sv, en, so keep the default
    assert names["uk"] == "Самманбот" and all(name != "Sammanbot" for code, name in names.items() if code)
    assert fake_bot_api.menu_buttons == {None: {"type": "commands"}}  # the menu button opens the commands
    assert fake_bot_api.rejected == []


PROFILE_METHODS = ("setMyCommands", "setMyDescription", "setMyShortDescription", "setMyName", "setChatMenuButton")


def profile_call_count(fake) -> int:
    return sum(len(fake.calls_to(method)) for method in PROFILE_METHODS)


async def test_a_restart_sends_only_what_changed(fake_bot_api, tmp_path):
    settings = bot_settings(fake_bot_api, sqlite_url(tmp_path), tmp_path)
    async with running_bot(settings) as services:
        await settle(services)
    first = profile_call_count(fake_bot_api)
    assert first >= 3 * (len(LANGUAGES) + 1)  # commands, both descriptions: each language and the default
    async with running_bot(settings) as services:
        await settle(services)
    assert profile_call_count(fake_bot_api) == first  # nothing changed, nothing sent
    # a changed text (the Somali short description) is sent again, alone
    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", locales)
    po = locales / "so" / "LC_MESSAGES" / "messages.po"
    catalog = read_catalog(po, "so")
    catalog[SHORT_DESCRIPTION].string = "Sammanbot: fikradaada, luqaddaada. BRIS 116 111"
    write_catalog(po, catalog)
    async with running_bot(settings.model_copy(update={"locales_dir": locales})) as services:
        await settle(services)
    assert profile_call_count(fake_bot_api) == first + 1
    assert fake_bot_api.descriptions[("short_description", "so")].startswith("Sammanbot: fikradaada")
    assert fake_bot_api.rejected == []


def test_doctor_finds_a_catalog_without_the_descriptions(tmp_path):
    settings = Settings(_env_file=None, locales_dir=ROOT / "locales")
    found = check_profile(settings, list(LANGUAGES))
    assert found.level == OK and "own script for ar, fa_AF, ps, ti, uk" in found.detail
    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", locales)
    po = locales / "so" / "LC_MESSAGES" / "messages.po"
    catalog = read_catalog(po, "so")
    catalog[SHORT_DESCRIPTION].string = ""  # the Somali one untranslated
    write_catalog(po, catalog)
    finding = check_profile(settings.model_copy(update={"locales_dir": locales}), list(LANGUAGES))
    assert finding.level == WARN and "not translated for so" in finding.detail
    catalog[SHORT_DESCRIPTION].string = "Gaaban"  # translated again, but the name taken out
    catalog.delete(NAME)
    write_catalog(po, catalog)
    finding = check_profile(settings.model_copy(update={"locales_dir": locales}), list(LANGUAGES))
    assert finding.level == WARN and "name is not in the catalog for so" in finding.detail
