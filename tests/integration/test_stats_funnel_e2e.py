"""The statistics funnel with the real bot: youth onboard through Telegram (the fake
Bot API), and the dashboard the bot serves at /staff/ counts the questions they reached.

Answers before consent are never stored, so a funnel of stored answers said "age 0,
consent 5" when all five had answered the age question (issue #15)."""

from __future__ import annotations

import re

import aiohttp

from tests.botfixtures import bot_settings, running_bot
from tests.youth import Youth, onboard, settle
from tests.webfixtures import PASSWORD, add_staff, csrf_of


async def _funnel(port: int, flow: str) -> list[tuple[str, int]]:
    base = f"http://127.0.0.1:{port}/staff"
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:  # unsafe: an IP address
        login = await (await http.get(f"{base}/login")).text()
        await http.post(f"{base}/login", data={"name": "ada", "password": PASSWORD, "csrf_token": csrf_of(login)})
        page = await http.get(f"{base}/stats")
        assert page.status == 200
        html = await page.text()
    section = html.split(f'id="funnel-{flow}"')[1].split("</section>")[0]
    return [(q, int(n)) for q, n in re.findall(r'<td dir="auto">([^<]+)</td><td class="n">(\d+)</td>', section)]


async def test_funnel_counts_age_and_consent_reached_before_anything_is_stored(fake_bot_api, db_url, tmp_path):
    settings = bot_settings(fake_bot_api, db_url, tmp_path)
    async with running_bot(settings) as services:
        await add_staff(services.sessionmaker, "ada", "reviewer")
        for name in ("Amal", "Bo", "Chen", "Dilan", "Emre"):  # invented youth
            await onboard(Youth.new(fake_bot_api, services, first_name=name, language_code="en"))
        late = Youth.new(fake_bot_api, services, first_name="Farah", language_code="en")
        await late.start()
        await late.press("English")  # leaves at the age question
        await settle(services)
        assert await _funnel(settings.web_port, "onboarding") == [
            ("Which language do you want to use?", 6),
            ("How old are you?", 6),
            ("Is this OK for you?", 5),
            ("May we send you a message later, with new questions or news about the ideas?", 5),
        ]
