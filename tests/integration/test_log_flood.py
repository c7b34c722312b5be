"""Malformed HTTP requests cannot fill the disk: `python -m bot run` as its own process
gets a few hundred of them over raw sockets (aiohttp logs each with the bytes it was
sent); its log stays small, no line is longer than LINE_MAX, and one line per kind
says how many were left out. Plus the caps themselves, on their own."""

from __future__ import annotations

import asyncio
import json
import logging
import re

import pytest

from bot.base import logs
from tests.botfixtures import sqlite_url
from tests.botprocess import BotProcess, db_handle  # noqa: F401 (fixture)
from tests.youth import Youth, settle

GARBAGE = {  # each is one kind of aiohttp.server error, ~120 KiB of it echoed today
    "bad chunk": b"POST /telegram/webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz"
    + b"q" * 120_000
    + b"\r\n",
    "bad version": b"GET / HTTP/9" + b"9" * 8000 + b"\r\n\r\n",
    "bad header": b"GET / HTTP/1.1\r\nHost: x\r\nX-A: \x01" + b"a" * 8000 + b"\r\n\r\n",
}
PER_KIND = 100
LOG_BOUND = 256 * 1024
SUPPRESSED = re.compile(r"… (\d+) more aiohttp\.server records like")


async def send_raw(port: int, data: bytes) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        await reader.read()  # the 400 and the close
    except ConnectionError:
        pass
    finally:
        writer.close()


@pytest.mark.parametrize("fmt", ["text", "json"])
async def test_a_flood_of_malformed_requests_keeps_the_log_small(fake_bot_api, tmp_path, db_handle, fmt):
    url = sqlite_url(tmp_path)
    group = fake_bot_api.new_group("Sammanhacket team")
    bot = BotProcess(fake_bot_api, url, tmp_path, group.chat.id)
    bot.env["LOG_FORMAT"] = fmt
    await bot.start()
    try:
        for _ in range(PER_KIND):
            await asyncio.gather(*(send_raw(bot.port, data) for data in GARBAGE.values()))
        youth = Youth.new(fake_bot_api, db_handle(url), first_name="Amina", language_code="en")
        await youth.start()  # the bot is not bothered
        assert youth.user.messages and youth.user.messages[-1].keyboard
        await settle(youth.services)
    finally:
        assert await bot.stop() == 0
    data = bot.log.read_bytes()
    lines = data.split(b"\n")
    longest = max(len(line) for line in lines)
    print(
        f"\n[log flood] {fmt}: {len(GARBAGE) * PER_KIND} malformed requests -> {len(data)} bytes of log, "
        f"{len(lines)} lines, longest {longest} bytes"
    )
    assert len(data) < LOG_BOUND
    assert longest <= logs.LINE_MAX
    text = data.decode()
    left_out = [int(n) for n in SUPPRESSED.findall(text)]
    # one line per kind of error (some of the garbage is the same kind to aiohttp)
    assert left_out and sum(left_out) + logs.REPEAT_LIMIT * len(left_out) == len(GARBAGE) * PER_KIND
    assert "Error handling request" in text and "…(cut)" in text
    if fmt == "json":
        for line in lines:
            if line.strip():
                try:
                    json.loads(line)
                except ValueError:
                    raise AssertionError(f"not a JSON log line: {line[:300]!r}") from None


def record(message: str, exc: BaseException | None = None, name: str = "aiohttp.server") -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord(name, logging.ERROR, __file__, 1, message, None, exc_info)


def raised(text: str) -> BaseException:
    try:
        raise ValueError(text)
    except ValueError as exc:
        return exc


def test_every_line_is_capped_in_both_formats_and_tokens_are_masked_first():
    token = "123456789:" + "A" * 35
    long = f"token {token} " + "é\x00" * 10_000
    for formatter in (logs.TextFormatter(), logs.JsonFormatter()):
        out = formatter.format(record(long, raised("x" * 50_000 + " at the end")))
        assert all(len(line.encode()) <= logs.LINE_MAX for line in out.split("\n"))
        assert len(out.encode()) <= logs.RECORD_MAX and "…(cut)" in out
        assert "123456789:<token>" in out and token not in out
        assert "ValueError" in out  # the traceback's end, which names the error, is kept
    line = logs.JsonFormatter().format(record("short", raised("short")))
    assert json.loads(line)["message"] == "short" and "…(cut)" not in line


def test_repeats_of_one_kind_pass_ten_a_minute_then_one_line_says_how_many():
    clock = [0.0]
    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, rec: logging.LogRecord) -> None:
            seen.append(rec.getMessage())

    handler = Collect()
    repeats = logs.RepeatFilter(clock=lambda: clock[0])
    handler.addFilter(repeats)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        passed = [repeats.filter(record("Error handling request from %s")) for _ in range(25)]
        assert passed.count(True) == logs.REPEAT_LIMIT
        assert repeats.filter(record("another kind"))
        assert repeats.filter(record("the bot's own", name="bot.sender"))
        assert seen == []
        clock[0] = logs.REPEAT_WINDOW + 1
        assert repeats.filter(record("Error handling request from %s"))  # a new minute
        assert seen == ["… 15 more aiohttp.server records like 'Error handling request from %s' suppressed"]
    finally:
        root.removeHandler(handler)
