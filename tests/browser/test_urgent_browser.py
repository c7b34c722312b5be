"""The Urgent page in headless Chromium at a phone-sized viewport, on the real bot (the
fake Bot API behind it): a youth writes crisis words, the urgent card reaches the team's
group, a reviewer finds it under "Open" on the dashboard, takes it — the card in the group
is redrawn "Taken by …" and is no longer open — closes it with a note, and sees the week's
figures. Invented people."""

from __future__ import annotations

from playwright.async_api import expect

from tests.botfixtures import bot_settings, running_bot
from tests.browser.chromium import ARTIFACTS, chromium, log_in, needs_chromium
from tests.webfixtures import add_staff
from tests.youth import Youth, onboard, settle, staff_group

pytestmark = needs_chromium

PHONE = {"width": 390, "height": 844}


async def test_take_and_close_an_urgent_card_from_a_phone(fake_bot_api, tmp_path):
    group, _ = staff_group(fake_bot_api)
    settings = bot_settings(fake_bot_api, f"sqlite+aiosqlite:///{tmp_path}/bot.db", tmp_path, staff_chat_id=group.id)
    async with running_bot(settings) as services:
        await add_staff(services.sessionmaker, "rita", "reviewer")
        youth = Youth.new(fake_bot_api, services, first_name="Hawi", last_name="Testsson", language_code="en")
        await onboard(youth)
        await youth.write("I want to die, nobody at the camp cares about me")
        await settle(services)
        [card] = [m for m in group.messages if (m.text or "").startswith("🔴 URGENT")]
        card_id = card.text.rsplit("#", 1)[1]
        base = f"http://127.0.0.1:{settings.web_port}/staff"
        async with chromium() as browser:
            page = await (await browser.new_context(viewport=PHONE)).new_page()
            await page.goto(f"{base}/urgent")
            await log_in(page, "rita", "urgent")
            opened = page.locator(f"#open .urgent-card[data-id='{card_id}']")
            await expect(opened).to_contain_text("self_harm")
            assert "die" not in await page.inner_text("main")  # the page shows no text of the youth
            await page.screenshot(path=str(ARTIFACTS / "urgent-open-phone.png"), full_page=True)
            await opened.locator('button:has-text("I\'ll take this")').click()
            taken = page.locator(f"#claimed .urgent-card[data-id='{card_id}']")
            await expect(taken).to_contain_text("Taken by rita")
            await expect(page.locator("#open .urgent-card")).to_have_count(0)
            await settle(services)
            assert "🙋 Taken by rita" in card.text and card.keyboard[0][0]["text"] == "✔️ Done"
            await taken.locator("input[name=note]").fill("called the youth's contact person")
            await taken.locator("button:has-text('Done')").click()
            done = page.locator(f"#done .urgent-card[data-id='{card_id}']")
            await expect(done).to_contain_text("called the youth's contact person")
            await expect(page.locator("#weeks tbody tr")).to_have_count(1)
            await page.screenshot(path=str(ARTIFACTS / "urgent-done-phone.png"), full_page=True)
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], "the page scrolls sideways on a phone"
        await settle(services)
        assert "✔️ Done: called the youth's contact person" in card.text
    assert fake_bot_api.rejected == []
