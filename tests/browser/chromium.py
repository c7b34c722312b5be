"""Debian's Chromium (/usr/bin/chromium) driven by Playwright, for the browser tests.

Nothing is downloaded: without /usr/bin/chromium the tests are skipped, and `-ra`
(in pytest's addopts) prints the reason.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is not installed (apt-get install -y chromium); browser tests need Debian's Chromium",
)


@asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    """A headless Chromium; screenshots go to ARTIFACTS."""
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@asynccontextmanager
async def serving(app: web.Application, engine: Any = None) -> AsyncIterator[str]:
    """The app on a real port; yields its base URL. The database engine, if given, is
    disposed of afterwards."""
    srv = TestServer(app, host="127.0.0.1")
    await srv.start_server()
    try:
        yield str(srv.make_url("")).rstrip("/")
    finally:
        await srv.close()
        if engine is not None:
            await engine.dispose()


async def log_in(page: Any, name: str, lands_on: str, password: str | None = None) -> None:
    """Fill the login form the page shows and wait for the page it leads to (`lands_on`,
    a path such as "submissions")."""
    from tests.webfixtures import PASSWORD

    await page.fill("input[name=name]", name)
    await page.fill("input[name=password]", password or PASSWORD)
    await page.click("button:has-text('Log in')")
    await page.wait_for_url(f"**/{lands_on}")
