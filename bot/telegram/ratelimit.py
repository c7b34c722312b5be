"""Token buckets that pace sends at Telegram's limits.

Telegram allows about 30 messages a second overall, about one a second per private
chat (with short bursts) and 20 a minute per group. The sender asks `Pacer.wait()`
before each call; nothing here sleeps while holding a lock.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    rate: float  # tokens per second
    burst: float  # bucket size
    tokens: float = field(default=-1.0)
    stamp: float = 0.0

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = self.burst

    def delay(self, now: float) -> float:
        """Seconds until one token is available (0 when available now)."""
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1

    def _refill(self, now: float) -> None:
        if self.stamp:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now


class Pacer:
    """Global, per-chat and per-group buckets; `wait(chat_id)` returns when a send may go."""

    def __init__(
        self,
        global_per_s: float,
        per_chat_per_s: float,
        per_chat_burst: int,
        group_per_min: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._global = TokenBucket(global_per_s, max(1.0, global_per_s))
        self._chat_rate = per_chat_per_s
        self._chat_burst = float(per_chat_burst)
        self._group_rate = group_per_min / 60.0
        self._chats: dict[int, TokenBucket] = {}
        self._clock = clock
        self._lock = asyncio.Lock()
        self.waited_s = 0.0  # total pacing delay, reported apart from handling time

    def _bucket(self, chat_id: int) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if chat_id < 0:  # groups and channels
                bucket = TokenBucket(self._group_rate, 3.0)
            else:
                bucket = TokenBucket(self._chat_rate, self._chat_burst)
            self._chats[chat_id] = bucket
        return bucket

    async def wait(self, chat_id: int | None) -> None:
        while True:
            async with self._lock:
                now = self._clock()
                buckets = [self._global] + ([self._bucket(chat_id)] if chat_id is not None else [])
                delay = max(b.delay(now) for b in buckets)
                if delay <= 0:
                    for b in buckets:
                        b.take(now)
                    self._forget_idle(now)
                    return
            self.waited_s += delay
            await asyncio.sleep(delay)

    def _forget_idle(self, now: float) -> None:
        # Full buckets carry no state worth keeping; drop them so memory stays flat.
        if len(self._chats) > 10_000:
            for cid in [c for c, b in self._chats.items() if b.delay(now) == 0 and b.tokens >= b.burst]:
                del self._chats[cid]
