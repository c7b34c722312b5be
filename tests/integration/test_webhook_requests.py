"""The webhook endpoint under odd requests, over raw sockets: a body that arrives in
several TCP segments, an oversized body, and JSON nested far too deep. The whole bot
runs (webhook mode) against the fake Bot API."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from bot.telegram.webhook import MAX_BODY, webhook_secret
from tests.botfixtures import bot_settings, free_port, running_bot, sqlite_url
from tests.logcapture import capture_logs
from tests.youth import Youth, onboard, settle

PATH = "/telegram/webhook"


@contextlib.asynccontextmanager
async def webhook_bot(fake: Any, tmp_path: Any) -> AsyncIterator[tuple[Any, str]]:
    port = free_port()
    settings = bot_settings(
        fake, sqlite_url(tmp_path), tmp_path, web_port=port, webhook_url=f"http://127.0.0.1:{port}{PATH}"
    )
    async with running_bot(settings) as services:
        yield services, webhook_secret(settings)


async def raw_post(
    port: int, secret: str, parts: list[bytes], *, chunked: bool = False, pause: float = 0.3
) -> tuple[int, bytes]:
    """POST `parts` as one body, each part written on its own after a pause; the status."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {sum(map(len, parts))}"
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"X-Telegram-Bot-Api-Secret-Token: {secret}\r\n{length}\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode())
    await writer.drain()
    try:
        for part in parts:
            await asyncio.sleep(pause)
            writer.write(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
            await writer.drain()
        if chunked:
            writer.write(b"0\r\n\r\n")
            await writer.drain()
    except ConnectionError:
        pass  # the bot answered (413) and closed before the rest was written
    response = await reader.read()
    writer.close()
    status_line, _, rest = response.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def start_update(user: Any, update_id: int) -> bytes:
    message = {
        "message_id": 1,
        "from": user.api,
        "chat": user.chat.api,
        "date": 1_700_000_000,
        "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    }
    return json.dumps({"update_id": update_id, "message": message}).encode()


def segments(body: bytes, n: int) -> list[bytes]:
    size = -(-len(body) // n)
    return [body[i : i + size] for i in range(0, len(body), size)]


async def test_a_body_in_several_segments_is_read_whole(fake_bot_api, tmp_path):
    async with webhook_bot(fake_bot_api, tmp_path) as (services, secret):
        port = services.settings.web_port
        amina = fake_bot_api.new_user(first_name="Amina", language_code="en")
        status, _ = await raw_post(port, secret, segments(start_update(amina, 10**9), 4))
        assert status == 200
        bilal = fake_bot_api.new_user(first_name="Bilal", language_code="en")
        status, _ = await raw_post(port, secret, segments(start_update(bilal, 10**9 + 1), 3), chunked=True)
        assert status == 200
        await settle(services)
        for user in (amina, bilal):  # each /start was stored and answered
            assert user.messages and user.messages[0].keyboard


async def test_a_body_over_the_limit_is_refused_with_413(fake_bot_api, tmp_path):
    async with webhook_bot(fake_bot_api, tmp_path) as (services, secret):
        port = services.settings.web_port
        big = b" " * (MAX_BODY // 2)
        assert (await raw_post(port, secret, [big, big, b"{}"], pause=0.05))[0] == 413
        assert (await raw_post(port, secret, [big, big, b"{}"], chunked=True, pause=0.05))[0] == 413
        # and a wrong secret is refused before anything is read
        assert (await raw_post(port, "wrong", [b"{}"]))[0] == 401


async def test_deep_json_is_answered_400_without_a_traceback(fake_bot_api, tmp_path):
    deep = [
        b"[" * 100_000,
        b'{"update_id": 7, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"update_id": 8, "message": ' + b'{"a": ' * 200 + b"1" + b"}" * 201,
    ]
    with capture_logs() as logs:
        async with webhook_bot(fake_bot_api, tmp_path) as (services, secret):
            port = services.settings.web_port
            assert (await raw_post(port, "wrong", [deep[0]], pause=0))[0] == 401  # the secret first
            for body in deep:
                status, text = await raw_post(port, secret, [body], pause=0)
                assert (status, text) == (400, b"not an update")
            # nothing else is affected: a youth's conversation goes on as usual
            youth = Youth.new(fake_bot_api, services, first_name="Cira", language_code="en")
            await onboard(youth)
            assert "What would you like to do?" in youth.last.text
            await settle(services)
    assert "Traceback" not in logs.text and "RecursionError" not in logs.text
