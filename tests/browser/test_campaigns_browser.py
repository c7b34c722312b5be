"""The Campaigns page in headless Chromium, on the real bot (the fake Bot API behind it):
an admin composes a poll, previews it per language, targets Arabic and Tigrinya, sees the
exact number of recipients, creates and sends it, watches it go out on its status page
(it refreshes itself), and opens the results once the youth answered, at a phone-sized
viewport and on a desktop one; a reviewer sees the results but no buttons. An admin also
writes one question with choices (no flow file) in Swedish, Arabic and Tigrinya, sees
Ukrainian fall back, then leaves it out, is refused with the form kept, creates and sends
it, and reads its results. Invented people."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.async_api import expect

from tests.botfixtures import bot_settings, running_bot
from tests.browser.chromium import ARTIFACTS, chromium, log_in, needs_chromium
from tests.webfixtures import add_staff
from tests.youth import opted_in, settle, staff_group

pytestmark = needs_chromium


VIEWPORTS = pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 900}])


async def log_in_at_campaigns(page, base: str, name: str) -> None:
    await page.goto(f"{base}/campaigns")
    await log_in(page, name, "campaigns")


@dataclass
class Scene:
    services: Any
    browser: Any
    page: Any  # ada's, an admin, on the Campaigns page
    base: str
    youth: list[Any]
    tag: str  # in screenshots' names


@asynccontextmanager
async def campaigns_page(fake, tmp_path, viewport, *people: tuple[str, str, str]) -> AsyncIterator[Scene]:
    """The running bot with opted-in youth, and Chromium at its Campaigns page, logged in
    as the admin ada (rita is a reviewer)."""
    group, _ = staff_group(fake)
    settings = bot_settings(fake, f"sqlite+aiosqlite:///{tmp_path}/bot.db", tmp_path, staff_chat_id=group.id)
    async with running_bot(settings) as services:
        await add_staff(services.sessionmaker, "ada", "admin")
        await add_staff(services.sessionmaker, "rita", "reviewer")
        youth = await opted_in(fake, services, *people)
        base = f"http://127.0.0.1:{settings.web_port}/staff"
        async with chromium() as browser:
            page = await (await browser.new_context(viewport=viewport)).new_page()
            await log_in_at_campaigns(page, base, "ada")
            yield Scene(services, browser, page, base, youth, "phone" if viewport["width"] < 500 else "desktop")
        await settle(services)


@VIEWPORTS
async def test_compose_preview_target_send_watch_and_results(fake_bot_api, tmp_path, viewport):
    people = ("Amal", "ar", "العربية"), ("Senait", "ti", "ትግርኛ"), ("Erik", "sv", "Svenska")
    async with campaigns_page(fake_bot_api, tmp_path, viewport, *people) as scene:
        services, browser, page, base, tag = scene.services, scene.browser, scene.page, scene.base, scene.tag
        amal, senait, erik = scene.youth
        await page.fill("input[name=name]", "Homework club")
        await page.select_option("select[name=flow]", "poll_homework_club")
        await page.check("input[name=language][value=ar]")
        await page.check("input[name=language][value=ti]")
        await page.click("button:has-text('Count recipients')")
        assert await page.inner_text("#recipients") == "2"  # Erik (Swedish) is not targeted
        preview = await page.inner_text("#per-language")
        assert "هل ستذهب؟" in preview and "ምኸድካ ዶ?" in preview
        await page.screenshot(path=str(ARTIFACTS / f"campaign-compose-{tag}.png"), full_page=True)
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        await page.click("button:has-text('Create')")
        await page.wait_for_url("**/campaigns/1")
        assert await page.inner_text("#state") == "draft"
        await page.click("button:has-text('Send now')")
        await page.wait_for_url("**/campaigns/1")
        # the page refreshes itself while the campaign goes out
        await expect(page.locator("#state")).to_have_text("done", timeout=60_000)
        await settle(services)
        ar, ti = services.translator("ar"), services.translator("ti")
        await amal.press(ar.gettext("👍 Yes", "poll_homework_club/would_go/yes"))
        await senait.press(ti.gettext("🤔 Maybe", "poll_homework_club/would_go/maybe"))
        assert not any("ምኸድካ" in t or "Skulle du gå" in t for t in erik.texts())
        await asyncio.gather(amal.press(0), senait.press(0))  # skip the why: the answers go in
        await settle(services)

        await page.reload()
        results = await page.inner_text("#results")
        assert "👍 Yes\t1\t50%" in results and "🤔 Maybe\t1\t50%" in results, results
        assert "2" in await page.inner_text("#progress")
        await page.click("button:has-text('Send the results back')")
        await page.wait_for_url("**/campaigns/1")
        assert "Results sent" in await page.inner_text("#results")
        await page.screenshot(path=str(ARTIFACTS / f"campaign-results-{tag}.png"), full_page=True)
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        reviewer = await (await browser.new_context(viewport=viewport)).new_page()
        await log_in_at_campaigns(reviewer, base, "rita")
        await reviewer.click("a:has-text('Homework club')")
        assert "👍 Yes" in await reviewer.inner_text("#results")
        assert await reviewer.locator("button:has-text('Send')").count() == 0
        assert await reviewer.locator("form[action$='/campaigns']").count() == 0  # no compose form
        await settle(services)
        *_, results, chart = amal.user.messages
        assert "50" in results.text and chart.kind == "photo"  # the results and their chart reached the youth
        assert fake_bot_api.rejected == []


async def fill_question(page, lang: str, question: str, choices: list[str], why: str) -> None:
    details = page.locator("details", has=page.locator(f"textarea[name=question_{lang}]"))
    if await details.get_attribute("open") is None:
        await details.locator("summary").click()
    await page.fill(f"textarea[name=question_{lang}]", question)
    await page.fill(f"textarea[name=choices_{lang}]", "\n".join(choices))
    await page.fill(f"input[name=why_{lang}]", why)


async def per_language_row(page, lang: str) -> str:
    return await page.locator("#per-language tr", has=page.locator(f"td:text-is('{lang}')")).inner_text()


@VIEWPORTS
async def test_write_one_question_preview_leave_out_send_and_results(fake_bot_api, tmp_path, viewport):
    people = ("Amal", "ar", "العربية"), ("Senait", "ti", "ትግርኛ"), ("Olena", "uk", "Українська")
    async with campaigns_page(fake_bot_api, tmp_path, viewport, *people) as scene:
        services, page, tag = scene.services, scene.page, scene.tag
        amal, senait, olena = scene.youth
        await page.fill("input[name=name]", "Library on Saturdays")
        await fill_question(page, "sv", "Vill du att biblioteket öppnar på lördagar?", ["👍 Ja"], "Varför?")
        for lang in ("ar", "ti", "uk"):
            await page.check(f"input[name=language][value={lang}]")
        await page.click("button:has-text('Create')")
        assert "needs at least 2" in await page.inner_text("p.error")  # refused, the form kept:
        assert await page.input_value("textarea[name=question_sv]") == "Vill du att biblioteket öppnar på lördagar?"
        await fill_question(page, "sv", "Vill du att biblioteket öppnar på lördagar?", ["👍 Ja", "👎 Nej"], "Varför?")
        await fill_question(page, "ar", "هل تريد أن تفتح المكتبة أيام السبت؟", ["👍 نعم", "👎 لا"], "لماذا؟")
        await fill_question(page, "ti", "ቤተ-መጻሕፍቲ ቀዳም ክኽፈት ትደሊ ዶ?", ["👍 እወ", "👎 ኣይፋል"], "ስለምንታይ?")

        await page.click("button:has-text('Count recipients')")
        assert await page.inner_text("#recipients") == "3"
        assert "هل تريد أن تفتح المكتبة أيام السبت؟" in await per_language_row(page, "ar")
        assert "ቤተ-መጻሕፍቲ" in await per_language_row(page, "ti")
        ar = await per_language_row(page, "ar")  # and what follows, as Amal will see it:
        assert "لماذا؟" in ar and "شكرًا لمشاركتك!" in ar
        uk = await per_language_row(page, "uk")
        assert "falls back" in uk and "Vill du att biblioteket" in uk
        await page.check("input[name=leave_out]")
        await page.click("button:has-text('Count recipients')")
        assert await page.inner_text("#recipients") == "2"
        assert "left out: no translation (1 youth get nothing)" in await per_language_row(page, "uk")
        await page.screenshot(path=str(ARTIFACTS / f"campaign-question-{tag}.png"), full_page=True)
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        await page.click("button:has-text('Create')")
        await page.wait_for_url("**/campaigns/1")
        assert "Vill du att biblioteket" in await page.inner_text("dl.facts")
        await page.click("button:has-text('Send now')")
        await expect(page.locator("#state")).to_have_text("done", timeout=60_000)
        await settle(services)
        await amal.press("👍 نعم")
        await senait.press("👎 ኣይፋል")
        await asyncio.gather(amal.press(0), senait.press(0))
        await settle(services)
        assert not any("Vill du att biblioteket" in t for t in olena.texts())  # left out

        await page.reload()
        results = await page.inner_text("#results")
        assert "👍 Ja\t1\t50%" in results and "👎 Nej\t1\t50%" in results, results
        await page.screenshot(path=str(ARTIFACTS / f"campaign-question-results-{tag}.png"), full_page=True)
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert fake_bot_api.rejected == []
