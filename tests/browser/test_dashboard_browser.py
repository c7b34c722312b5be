"""The dashboard in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

A reviewer's and an admin's everyday path, with no JavaScript in the pages: log in,
filter, change status, tag, export, open a flow diagram, chat in the simulator, and
read Arabic right to left. Screenshots go to test-artifacts/browser/.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from tests.browser.chromium import ARTIFACTS, chromium, log_in, needs_chromium, serving
from tests.webfixtures import add_staff, make_site, submission

ARABIC_IDEA = "نريد ملعب كرة قدم قريب من السكن"

pytestmark = needs_chromium


@pytest.fixture
async def server(tmp_path):
    site, engine = await make_site(tmp_path)
    await add_staff(site.sessionmaker, "ada", "admin")
    async with site.sessionmaker.begin() as s:
        s.add_all(
            [
                submission(language="ar", answers={"topic": "housing", "idea": ARABIC_IDEA}),
                submission(
                    language="en", answers={"topic": "school", "idea": '<b>bold</b><script>alert("x")</script>'}
                ),
                submission(
                    language="uk",
                    answers={"topic": "school", "idea": "Більше спорту"},
                    urgent=True,
                    category="distress",
                ),
            ]
        )
    async with serving(site.app, engine) as url:
        yield url


@pytest.fixture
async def page():
    async with chromium() as browser:
        context = await browser.new_context(accept_downloads=True, viewport={"width": 390, "height": 844})
        pg = await context.new_page()
        dialogs: list[str] = []
        pg.on("dialog", lambda d: dialogs.append(d.message))
        pg.dialogs = dialogs  # type: ignore[attr-defined]
        yield pg


async def shot(page, name: str) -> None:
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def direction(locator) -> str:
    return await locator.evaluate("e => getComputedStyle(e).direction")


async def test_review_export_flows_and_simulator_in_a_browser(server, page):
    await page.goto(f"{server}/submissions")
    assert "/login" in page.url
    await log_in(page, "ada", "submissions")
    await shot(page, "01-submissions-phone")
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # fits a phone
    assert "urgent" in (await page.locator("li.sub").first.inner_text())
    assert await page.locator("li.sub b").count() == 0  # markup stayed text
    assert await page.locator("text=<b>bold</b>").count() == 1

    await page.select_option("select[name=language]", "ar")
    await page.click("button:has-text('Filter')")
    await page.wait_for_url("**language=ar**")
    assert await page.locator("p.preview").count() == 1
    idea = page.locator("p.preview span", has_text=ARABIC_IDEA)
    assert await direction(idea) == "rtl"
    assert await direction(page.locator(".meta bdi", has_text="Housing")) == "ltr"  # the topic, in words
    await shot(page, "02-filtered-arabic")

    async with page.expect_download() as info:
        await page.click("a:has-text('CSV')")
    download = await info.value
    rows = list(csv.DictReader(io.StringIO(Path(await download.path()).read_text(encoding="utf-8-sig"))))
    assert [r["answer:idea"] for r in rows] == [ARABIC_IDEA]

    await page.click("li.sub a")
    await page.select_option("select[name=status]", "shortlisted")
    await page.click("button:has-text('Save status')")
    await page.fill("input[name=tag]", "Sport")
    await page.click("button:has-text('Add tag')")
    assert await page.locator(".facts .badge").inner_text() == "Shortlisted"
    assert await page.locator("ul.tags .tag").inner_text() == "sport"
    assert await direction(page.locator(".answers dd").nth(1)) == "rtl"
    await shot(page, "03-detail-shortlisted-tagged")
    await page.click("text=« Back to the list")
    assert "language=ar" in page.url and "sport" in await page.locator("li.sub").inner_text()

    await page.goto(f"{server}/flows")
    await shot(page, "04-flows")
    await page.click("a[href='/flows/idea']")
    diagram = page.locator("svg.flow-diagram")
    assert await diagram.is_visible()
    assert await diagram.locator("g.node").count() == 3
    await shot(page, "05-flow-diagram")

    await page.goto(f"{server}/simulator")
    await page.select_option("select[name=flow]", "idea")
    await page.select_option("select[name=lang]", "ar")
    await page.click("button:has-text('Start')")
    question = page.locator("li.msg.bot p").last
    assert await question.inner_text() == "ما هي فكرتك؟"
    assert await direction(question) == "rtl"
    await page.click("button:has-text('المدرسة')")
    await page.fill("input[name=text]", "<i>more</i> sport")
    await page.click("button:has-text('Send')")
    assert await page.locator("li.msg.you p").last.inner_text() == "<i>more</i> sport"
    assert (await page.locator("li.msg.bot p").last.inner_text()).startswith("Thank you!")
    await shot(page, "06-simulator")
    assert page.dialogs == []  # no youth text ever ran as script
