"""Getting updates into the inbox: long polling, or one webhook POST at a time.

An update is acknowledged only after it is committed: polling moves the
getUpdates offset past an update only once its inbox row is stored, and the webhook
answers 200 only after the commit. Duplicates are dropped by the unique update_id.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from telegram import Bot
from telegram.error import NetworkError

from bot.base.aio import wait_any
from bot.telegram.client import classify
from storage import inbox

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member", "channel_post"]

_CHAT_HOLDERS = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_message",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "message_reaction",
    "message_reaction_count",
    "chat_boost",
    "removed_chat_boost",
)


def chat_key_of(update: Any) -> int:
    """The chat an update belongs to, for per-chat ordering (0 when it has none).

    Works on the raw dict, before python-telegram-bot parses it, so even an update it
    cannot parse is ordered with its chat.
    """
    if not isinstance(update, dict):
        return 0
    for key in _CHAT_HOLDERS:
        chat = _get(update, key, "chat")
        if chat is not None:
            return _int(chat.get("id"))
    callback = update.get("callback_query")
    if isinstance(callback, dict):
        chat = _get(callback, "message", "chat")
        if chat is not None:
            return _int(chat.get("id"))
        sender = callback.get("from")
        if isinstance(sender, dict):
            return _int(sender.get("id"))
    for value in update.values():
        if isinstance(value, dict) and isinstance(value.get("from"), dict):
            return _int(value["from"].get("id"))
    return 0


def _get(d: dict[str, Any], *keys: str) -> dict[str, Any] | None:
    value: Any = d
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, dict) else None


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def clean_json(value: Any) -> Any:
    """Make a decoded update storable: lone UTF-16 surrogates and NUL characters
    (which JSON allows and databases refuse) become U+FFFD."""
    if isinstance(value, str):
        if value.isascii() and "\x00" not in value:
            return value
        return _UNSTORABLE.sub("\ufffd", value)  # one U+FFFD per bad code unit
    if isinstance(value, dict):
        return {clean_json(k): clean_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    return value


async def store_updates(sessionmaker: async_sessionmaker, updates: Iterable[dict]) -> int:
    """Commit updates to the inbox in one transaction; returns how many were new."""
    rows: dict[int, tuple[int, int, Any]] = {}
    for update in map(clean_json, updates):
        update_id = update.get("update_id") if isinstance(update, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            log.warning("update without a valid update_id skipped")
            continue
        rows.setdefault(update_id, (update_id, chat_key_of(update), update))  # first one wins
    async with sessionmaker() as s, s.begin():
        return await inbox.add_updates(s, list(rows.values()))


class BotApiOutage:
    """While the Bot API cannot be reached: what to check, said once; shorter lines after;
    one line when it answers again. Lines hold the error's class, never a URL with the token."""

    def __init__(self, api_url: str | None, logger: logging.Logger = log) -> None:
        self.where = f" at {api_url}" if api_url else ""
        self.log = logger
        self.failures = 0

    @staticmethod
    def is_network(exc: BaseException) -> bool:
        return isinstance(exc, (NetworkError, OSError, TimeoutError))

    def failed(self, exc: BaseException, delay: float) -> None:
        self.failures += 1
        if self.failures == 1:
            self.log.warning(
                "the Bot API%s cannot be reached (%s). Check this machine's network connection "
                "(and proxy) and TELEGRAM_API_URL; retrying until it answers, first in %.0fs",
                self.where,
                type(exc).__name__,
                delay,
            )
        else:
            self.log.info(
                "Bot API still not reachable (%s, try %d); retrying in %.0fs", type(exc).__name__, self.failures, delay
            )

    def answered(self) -> None:
        if self.failures:
            self.log.info("the Bot API answers again (after %d failed tries)", self.failures)
            self.failures = 0


class Poller:
    """getUpdates long polling that commits each batch before confirming it."""

    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker,
        on_new: Callable[[], None],
        timeout: int = 30,
        api_url: str | None = None,
    ) -> None:
        self.bot = bot
        self.sessionmaker = sessionmaker
        self.on_new = on_new
        self.timeout = timeout
        self.outage = BotApiOutage(api_url)
        self.offset: int | None = None
        self.last_poll_ok: float | None = None  # loop time, for /healthz

    async def run_as_leader(self, leader: Any, stop: asyncio.Event) -> None:
        """Poll only while holding `leader` (Telegram allows one getUpdates consumer)."""
        while not stop.is_set():
            try:
                held = await leader.try_acquire()
            except Exception as exc:
                log.warning("poller lease check failed (%s)", type(exc).__name__)
                held = False
            if not held:
                await wait_any(stop, timeout=2.0)
                continue
            inner = asyncio.Event()
            task = asyncio.create_task(self.run(inner))
            while not stop.is_set() and not task.done():
                await wait_any(stop, timeout=leader.ttl.total_seconds() / 3)
                try:
                    still = await leader.renew()
                except Exception:
                    still = False
                if not still:
                    break
            inner.set()
            await asyncio.gather(task, return_exceptions=True)
            await leader.release()

    async def run(self, stop: asyncio.Event) -> None:
        backoff = 1.0
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            polled = False
            try:
                batch = await self._poll(stop)
                polled = True
                self.outage.answered()
                if batch:
                    # Store before the offset moves on: a crash here means Telegram
                    # sends the batch again and the unique update_id drops repeats.
                    new = await store_updates(self.sessionmaker, batch)
                    self.offset = max(u["update_id"] for u in batch if _valid(u)) + 1
                    if new:
                        self.on_new()
                self.last_poll_ok = loop.time()
                backoff = 1.0
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # network, database down, …: wait and try again
                outcome = classify(exc)
                if outcome.kind == "fatal":
                    log.error("polling stopped: %s", outcome.reason)
                    raise
                delay = max(outcome.delay, backoff)
                if not polled and self.outage.is_network(exc):
                    self.outage.failed(exc, delay)
                else:
                    log.warning("polling failed (%s); retrying in %.1fs", type(exc).__name__, delay)
                await wait_any(stop, timeout=delay)
                backoff = min(backoff * 2, 30.0)

    async def _poll(self, stop: asyncio.Event) -> list[dict]:
        kwargs: dict[str, Any] = {"timeout": self.timeout, "allowed_updates": ALLOWED_UPDATES}
        if self.offset is not None:
            kwargs["offset"] = self.offset
        # Raw JSON, not Update objects: an update PTB cannot parse must still reach the
        # inbox (kept there as failed) instead of blocking the batch forever.
        poll = asyncio.ensure_future(
            self.bot.do_api_request("getUpdates", api_kwargs=kwargs, read_timeout=self.timeout + 10)
        )
        stopping = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({poll, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if poll not in done:
            poll.cancel()
            return []
        stopping.cancel()
        result = poll.result()
        return [u for u in result if _valid(u)] if isinstance(result, list) else []


def _valid(update: Any) -> bool:
    return isinstance(update, dict) and isinstance(update.get("update_id"), int)
