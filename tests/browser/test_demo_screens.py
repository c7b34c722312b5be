"""The demo-filled dashboard in headless Chromium at desktop (1280 px) and phone (390 px)
width: what a newcomer sees after `make demo`. Screenshots go to test-artifacts/browser/.

Checked on every page: nothing wider than the screen, labels in words (no ids), the
funnel's numbers, the login card in the middle, the favicon, and the statistics' charts
drawn for the width they are shown at.
"""

from __future__ import annotations

import re

import pytest

from bot.cli.demo.youth import YOUTH
from tests.browser.chromium import ARTIFACTS, chromium, log_in, needs_chromium, serving
from tests.demosite import ROOT, make_demo_site
from tests.demosite import raw_ids

pytestmark = needs_chromium
WIDTHS = (1280, 390)
# The page's text as read, without <code> (file names shown to admins on purpose).
READ_TEXT = """() => { const b = document.body.cloneNode(true);
  b.querySelectorAll('code').forEach(c => c.remove()); return b.textContent.replace(/\\s+/g, ' '); }"""


@pytest.fixture
async def server(tmp_path):
    site, engine = await make_demo_site(f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}")
    async with serving(site.app, engine) as url:
        yield url


@pytest.fixture
async def browser():
    async with chromium() as b:
        yield b


async def _shot(page, width: int, name: str) -> None:
    await page.screenshot(path=str(ARTIFACTS / f"demo-{width}-{name}.png"), full_page=True)


async def _fits(page) -> bool:
    return await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


async def _all_images_loaded(page) -> list[str]:
    """Load every image now (they are lazy), wait for them; returns each one's chosen URL."""
    await page.evaluate("() => document.querySelectorAll('img').forEach(i => { i.loading = 'eager'; })")
    await page.wait_for_function("() => [...document.images].every(i => i.complete)")
    assert await page.evaluate("[...document.images].every(i => i.naturalWidth > 0)")
    return await page.evaluate("[...document.images].map(i => i.currentSrc)")


def _expected_onboarding_funnel() -> list[list[str]]:
    asked_age = [y for y in YOUTH if y.picks_language]
    asked_consent = [y for y in asked_age if y.age not in (None, "under_13")]
    return [
        ["Which language do you want to use?", str(len(YOUTH))],
        ["How old are you?", str(len(asked_age))],
        ["Is this OK for you?", str(len(asked_consent))],
        [
            "May we send you a message later, with new questions or news about the ideas?",
            str(sum(y.consent is True for y in asked_consent)),
        ],
    ]


@pytest.mark.parametrize("width", WIDTHS)
async def test_demo_dashboard_at_desktop_and_phone_width(server, browser, width):
    from bot.engine import load_flows

    flowset, _ = load_flows(ROOT / "flows")
    forbidden = raw_ids(flowset)
    context = await browser.new_context(viewport={"width": width, "height": 844})
    page = await context.new_page()

    await page.goto(f"{server}/login")
    await _shot(page, width, "1-login")
    card, main = await page.locator(".login-card").bounding_box(), await page.locator("main").bounding_box()
    assert abs(card["x"] - (width - card["x"] - card["width"])) <= 2  # centred across
    assert abs((card["y"] + card["height"] / 2) - (main["y"] + main["height"] / 2)) <= 2  # and down
    icon = await page.locator("link[rel=icon]").get_attribute("href")
    got = await page.request.get(f"{server}{icon}")
    assert got.status == 200 and got.headers["content-type"].startswith("image/svg+xml")
    assert (await got.body()).lstrip().startswith(b"<svg")

    await log_in(page, "ada", "submissions")
    pages = {
        "2-submissions": None,
        "3-submission": "a:has-text('#') >> nth=3",
        "4-statistics": f"{server}/stats",
        "5-flows": f"{server}/flows",
    }
    for name, go in pages.items():
        if go is not None and go.startswith("http"):
            await page.goto(go)
        elif go is not None:
            await page.goto(f"{server}/submissions")
            await page.click(go)
            await page.wait_for_url("**/submissions/*")
        chosen = await _all_images_loaded(page)
        await _shot(page, width, name)
        assert await _fits(page), f"{name} is wider than {width} px"
        text = await page.evaluate(READ_TEXT)
        assert not [i for i in forbidden if re.search(rf"\b{re.escape(i)}\b", text)], name
        if name == "4-statistics":
            assert chosen and all(("size=narrow" in src) == (width < 640) for src in chosen), chosen
            rows = page.locator("#funnel-onboarding tbody tr")
            assert [
                await rows.nth(i).locator("td").all_inner_texts() for i in range(await rows.count())
            ] == _expected_onboarding_funnel()
    assert "Getting started" in text and "Start again" not in text  # the flows page, read last
    await context.close()
