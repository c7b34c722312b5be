"""pytest fixture: a fake LibreTranslate server on 127.0.0.1, a free port, for one test
(its `url` is TRANSLATE_URL)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from .server import FakeLibreTranslate


@pytest_asyncio.fixture
async def fake_libretranslate() -> AsyncIterator[FakeLibreTranslate]:
    server = FakeLibreTranslate()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
