"""Pending updates: getUpdates long polling (offset confirms, limit, allowed_updates,
one poller at a time) and webhook delivery (POST in order, retried until 200)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp

from .errors import ApiError

# Telegram's default when allowed_updates is empty or never given.
_NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def update_type(update: dict[str, Any]) -> str | None:
    return next((key for key in update if key != "update_id"), None)


class UpdateQueue:
    def __init__(self) -> None:
        self._pending: list[dict[str, Any]] = []
        self._next_id = 1
        self._allowed: set[str] | None = None
        self._changed = asyncio.Event()
        self._poll_generation = 0
        self.closing = False

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update; assigns update_id if absent (a repeated id = duplicate delivery)."""
        if "update_id" not in update:
            update = {"update_id": self._next_id, **update}
        if isinstance(update["update_id"], int):
            self._next_id = max(self._next_id, update["update_id"] + 1)
        self._pending.append(update)
        self._wake()
        return update

    def _wake(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def set_allowed(self, allowed: list[str] | None) -> None:
        if allowed is not None:
            self._allowed = set(allowed) or None

    def _is_allowed(self, update: dict[str, Any]) -> bool:
        kind = update_type(update)
        return kind in self._allowed if self._allowed else kind not in _NOT_BY_DEFAULT

    def confirm(self, offset: int) -> None:
        """Forget updates with update_id < offset (negative: keep only the last -offset)."""
        if offset < 0:
            self._pending = self._pending[offset:]
        else:
            self._pending = [u for u in self._pending if not _id_below(u, offset)]

    def drop_all(self) -> None:
        self._pending.clear()

    def deliverable(self, limit: int = 100) -> list[dict[str, Any]]:
        """The next updates to hand out; updates of types not allowed are dropped."""
        self._pending = [u for u in self._pending if self._is_allowed(u)]
        return self._pending[:limit]

    async def wait_changed(self) -> None:
        await self._changed.wait()

    def remove(self, update: dict[str, Any]) -> None:
        self._pending.remove(update)

    def stop_polling(self) -> None:
        self.closing = True
        self._wake()

    async def get_updates(
        self, offset: int | None, limit: int, timeout: float, allowed: list[str] | None
    ) -> list[dict[str, Any]]:
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # an earlier long poll still waiting is terminated (409 below)
        if offset is not None:
            self.confirm(offset)
        self.set_allowed(allowed)
        deadline = time.monotonic() + timeout
        while True:
            # Take the event before looking: a push between the look and the wait (Python
            # 3.11's wait_for starts the waiter as a later task) must still wake this poll.
            changed = self._changed
            if (updates := self.deliverable(limit)) or self.closing:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                break
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
        return updates


def _id_below(update: dict[str, Any], offset: int) -> bool:
    return isinstance(update.get("update_id"), int) and update["update_id"] < offset


class WebhookDelivery:
    """POSTs pending updates to the webhook URL one at a time, in order, until each gets 200."""

    def __init__(self, queue: UpdateQueue, url: str, secret: str | None):
        self.queue = queue
        self.url = url
        self.secret = secret
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.delivered = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="fakebotapi-webhook")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.secret} if self.secret else {}
        backoff = 0.05
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            while True:
                pending = self.queue.deliverable(1)
                if not pending:
                    await self.queue.wait_changed()
                    continue
                update = pending[0]
                if await self._post(session, update, headers):
                    self.queue.remove(update)
                    self.delivered += 1
                    backoff = 0.05
                else:
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 1.0)

    async def _post(self, session: aiohttp.ClientSession, update: dict[str, Any], headers: dict[str, str]) -> bool:
        try:
            async with session.post(self.url, json=update, headers=headers) as response:
                await response.read()
                if response.status == 200:
                    return True
                error = f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"Connection failed: {type(exc).__name__}"
        self.last_error_date = int(time.time())
        self.last_error_message = error
        return False
