"""Original and translation side by side in the dashboard, in headless Chromium (Debian's
/usr/bin/chromium through Playwright): the Arabic original right to left, the Swedish
translation left to right, beside it; a person's translation added in the page shows
above the machine one. Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import pytest

from tests.browser.chromium import ARTIFACTS, chromium, log_in, needs_chromium, serving
from tests.webfixtures import add_machine_translation, add_staff, make_site, submission

ARABIC_IDEA = "نريد ملعب كرة قدم قريب من السكن للبنات والأولاد"
MACHINE = "idea: Vi vill ha en fotbollsplan nära boendet för flickor och pojkar"
HUMAN = "Vi vill ha en fotbollsplan nära där vi bor, för tjejer och killar."

pytestmark = needs_chromium


@pytest.fixture
async def server(tmp_path):
    site, engine = await make_site(tmp_path)
    await add_staff(site.sessionmaker, "rita", "reviewer")
    async with site.sessionmaker.begin() as s:
        row = submission(language="ar", answers={"topic": "housing", "idea": ARABIC_IDEA})
        s.add(row)
        await s.flush()
        await add_machine_translation(s, row.id, MACHINE.removeprefix("idea: "))
        submission_id = row.id
    async with serving(site.app, engine) as url:
        yield url, submission_id


async def direction(locator) -> str:
    return await locator.evaluate("e => getComputedStyle(e).direction")


async def test_original_and_translation_side_by_side_arabic_right_to_left(server):
    url, submission_id = server
    async with chromium() as browser:
        page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
        await page.goto(f"{url}/login")
        await log_in(page, "rita", "submissions")
        listed = page.locator("p.preview.translated span[dir]")
        assert await listed.inner_text() == MACHINE and await direction(listed) == "ltr"

        await page.goto(f"{url}/submissions/{submission_id}")
        original = page.locator(".original dd", has_text=ARABIC_IDEA)
        machine = page.locator(".translation-text", has_text=MACHINE)
        assert await direction(original) == "rtl" and await direction(machine) == "ltr"
        left, right = await page.locator(".original").bounding_box(), await page.locator(".translations").bounding_box()
        assert left and right and left["x"] + left["width"] <= right["x"]  # beside each other
        assert abs(left["y"] - right["y"]) < 5  # on the same row
        await page.screenshot(path=str(ARTIFACTS / "translations-side-by-side.png"), full_page=True)

        await page.fill("textarea[name=text]", HUMAN)
        await page.click("button:has-text('Add translation')")
        await page.wait_for_url(f"**/submissions/{submission_id}")
        texts = await page.locator(".translation-text").all_inner_texts()
        assert texts == [HUMAN, MACHINE]  # the person's first
        assert "by rita" in await page.locator(".translation.kind-human").inner_text()
        await page.screenshot(path=str(ARTIFACTS / "translations-human-above.png"), full_page=True)
