"""pytest fixture: a fake Bot API server on 127.0.0.1, a free port, for one test.

Use `fake_bot_api.url` as TELEGRAM_API_URL and `fake_bot_api.token` as the token;
for a PTB Bot: base_url=f"{url}/bot", base_file_url=f"{url}/file/bot".
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from .server import FakeBotApi


@pytest_asyncio.fixture
async def fake_bot_api() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
