"""The Campaigns page in headless Chromium, on the real bot (the fake Bot API behind it):
an admin composes a poll, previews it per language, targets Arabic and Tigrinya, sees the
exact number of recipients, creates and sends it, watches it go out on its status page
(it refreshes itself), and opens the results once the youth answered, at a phone-sized
viewport and on a desktop one; a reviewer sees the results but no buttons. Invented people."""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import expect

from tests.botfixtures import bot_settings, running_bot
from tests.browser.chromium import ARTIFACTS, chromium, log_in, needs_chromium
from tests.webfixtures import add_staff
from tests.youth import opted_in, settle, staff_group

pytestmark = needs_chromium


async def log_in_at_campaigns(page, base: str, name: str) -> None:
    await page.goto(f"{base}/campaigns")
    await log_in(page, name, "campaigns")


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 900}])
async def test_compose_preview_target_send_watch_and_results(fake_bot_api, tmp_path, viewport):
    group, _ = staff_group(fake_bot_api)
    settings = bot_settings(fake_bot_api, f"sqlite+aiosqlite:///{tmp_path}/bot.db", tmp_path, staff_chat_id=group.id)
    async with running_bot(settings) as services:
        await add_staff(services.sessionmaker, "ada", "admin")
        await add_staff(services.sessionmaker, "rita", "reviewer")
        amal, senait, erik = await opted_in(
            fake_bot_api, services, ("Amal", "ar", "العربية"), ("Senait", "ti", "ትግርኛ"), ("Erik", "sv", "Svenska")
        )
        base = f"http://127.0.0.1:{settings.web_port}/staff"
        tag = "phone" if viewport["width"] < 500 else "desktop"
        async with chromium() as browser:
            page = await (await browser.new_context(viewport=viewport)).new_page()
            await log_in_at_campaigns(page, base, "ada")
            await page.fill("input[name=name]", "Homework club")
            await page.select_option("select[name=flow]", "poll_homework_club")
            await page.check("input[name=language][value=ar]")
            await page.check("input[name=language][value=ti]")
            await page.click("button:has-text('Count recipients')")
            assert await page.inner_text("#recipients") == "2"  # Erik (Swedish) is not targeted
            preview = await page.inner_text("ul.preview")
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
