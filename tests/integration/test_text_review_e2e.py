"""A reviewed text reaches youth at once: the whole bot runs (`serve`, as `python -m bot
run`) against the fake Bot API; a translator saves a review on the dashboard over real
HTTP, and the next youth who chooses Tigrinya is greeted with the reviewed words."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
from babel.messages.pofile import read_po

from bot.i18n.catalogs import display_name, po_path
from bot.web.passwords import hash_password
from storage import staff as staff_repo
from tests.botfixtures import bot_settings, running_bot, sqlite_url
from tests.i18nfixtures import draft_locales
from tests.webfixtures import PASSWORD, csrf_of, translation_form
from tests.youth import Youth

WELCOME = ("onboarding/welcome", "Welcome! 👋")
REVIEWED = "ሰላም! እንቋዕ ብደሓን መጻእኩም 👋"


async def test_the_bot_says_the_reviewed_text_right_after_saving(fake_bot_api, tmp_path):
    locales = draft_locales(tmp_path / "locales")
    with po_path(locales, "ti").open("rb") as fh:
        draft = read_po(fh, locale="ti").get(WELCOME[1], context=WELCOME[0]).string
    assert draft != REVIEWED
    settings = bot_settings(fake_bot_api, sqlite_url(tmp_path), tmp_path, locales_dir=locales)
    async with running_bot(settings) as services:
        async with services.sessionmaker.begin() as s:
            await staff_repo.add_staff(
                s,
                name="tesfay",
                role="translator",
                password_hash=hash_password(PASSWORD),
                now=datetime.now(UTC),
                languages=["ti"],
            )
        before = Youth.new(fake_bot_api, services, first_name="Aman", language_code="en")
        await before.start()
        await before.press(display_name("ti"))
        assert any(draft in t for t in before.texts()) and not any(REVIEWED in t for t in before.texts())

        dashboard = f"http://127.0.0.1:{settings.web_port}/staff"
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.get(f"{dashboard}/login") as r:
                login_token = csrf_of(await r.text())
            async with http.post(
                f"{dashboard}/login", data={"name": "tesfay", "password": PASSWORD, "csrf_token": login_token}
            ) as r:
                assert r.status == 200 and str(r.url).endswith("/staff/translations")
            async with http.get(f"{dashboard}/translations/ti", params={"show": "all"}) as r:
                form = translation_form(await r.text(), WELCOME)
            async with http.post(
                f"{dashboard}/translations/ti",
                data={**form, "text": REVIEWED, "action": "review"},
                allow_redirects=False,
            ) as r:
                assert r.status == 303

        after = Youth.new(fake_bot_api, services, first_name="Selam", language_code="en")
        await after.start()
        await after.press(display_name("ti"))
        assert any(REVIEWED in t for t in after.texts()), after.texts()
