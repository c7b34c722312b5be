"""The Translations page in headless Chromium at phone size: an Arabic translator finds
the safety-critical texts first, types right to left, is told exactly what to fix, and
saves a review. Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from bot.i18n.catalogs import po_path
from tests.browser.chromium import ARTIFACTS, chromium, log_in, needs_chromium, serving
from tests.i18nfixtures import draft_locales
from tests.webfixtures import add_staff, make_site

pytestmark = needs_chromium

HELP_TEXT = "Thank you for telling me."  # the start of the crisis answer (safeguarding/help/text)
TEAM_ASKS = "The team asks: {question}"
ONLY_TEAM_ASKS = re.compile(r"English:\s*" + re.escape(TEAM_ASKS) + r"\s*$")  # not a text that quotes it
REVIEWED = "الفريق يسأل: {question}"


@pytest.fixture
async def server(tmp_path):
    site, engine = await make_site(tmp_path, locales_dir=draft_locales(tmp_path / "locales"))
    await add_staff(site.sessionmaker, "layla", "translator", languages=("ar",))
    async with serving(site.app, engine) as url:
        yield url, site


async def test_an_arabic_translator_reviews_on_a_phone(server):
    url, site = server
    async with chromium() as browser:
        page = await (await browser.new_context(viewport={"width": 390, "height": 844})).new_page()
        await page.goto(f"{url}/login")
        await log_in(page, "layla", "translations")
        await page.click("a[href='/translations/ar']")
        await page.wait_for_url("**/translations/ar")
        await page.screenshot(path=str(ARTIFACTS / "translations-ar-phone.png"), full_page=True)
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # fits a phone
        first = page.locator("li.text").first
        assert "safety-critical" in await first.inner_text()  # safety-critical texts come first
        assert await page.locator("li.text", has_text=HELP_TEXT).count() == 1

        entry = page.locator("li.text", has=page.locator("p.source", has_text=ONLY_TEAM_ASKS))
        box = entry.locator("textarea[name=text]")
        assert await box.evaluate("e => getComputedStyle(e).direction") == "rtl"
        assert await box.get_attribute("lang") == "ar"
        await box.fill("الفريق يسأل: {سؤال}")
        await entry.locator("button[value=review]").click()
        problem = page.locator("li.text .error", has_text="{question}")
        await problem.wait_for()
        assert "lacks the placeholder {question}" in await problem.inner_text()
        await page.screenshot(path=str(ARTIFACTS / "translations-ar-problem-phone.png"), full_page=True)

        entry = page.locator("li.text", has=page.locator("p.source", has_text=ONLY_TEAM_ASKS))
        await entry.locator("textarea[name=text]").fill(REVIEWED)
        await entry.locator("button[value=review]").click()
        await page.locator("li.text [role=status]", has_text="saved").wait_for()
    with po_path(site.settings.locales_dir, "ar").open("rb") as fh:
        message = read_po(fh, locale="ar").get(TEAM_ASKS)
    assert message.string == REVIEWED and not message.fuzzy
