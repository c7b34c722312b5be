"""Telegram-like sending limits: ~30 messages/s overall, ~1/s per private chat with
short bursts, 20/min per group. Off unless enabled; the clock is injectable so
tests can move time by hand instead of sleeping."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# Methods that put a message into a chat; only these are paced.
_UNPACED_SENDS = frozenset({"sendChatAction", "sendInvoice", "sendGift"})


def is_paced(method: str) -> bool:
    return (method.startswith("send") and method not in _UNPACED_SENDS) or method in (
        "forwardMessage",
        "forwardMessages",
        "copyMessage",
        "copyMessages",
    )


@dataclass
class TokenBucket:
    capacity: float
    per_second: float
    tokens: float = field(init=False)
    stamp: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.tokens = self.capacity

    def _refill(self, now: float) -> None:
        if self.stamp is not None:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.per_second)
        self.stamp = now

    def wait_needed(self, now: float) -> float:
        """Seconds until one token is available (0 when available now)."""
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.per_second

    def take(self) -> None:
        self.tokens -= 1


class RateLimits:
    def __init__(
        self,
        *,
        enabled: bool = False,
        global_per_second: float = 30.0,
        private_per_second: float = 1.0,
        private_burst: int = 3,
        group_per_minute: float = 20.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.enabled = enabled
        self.clock = clock
        self._global = TokenBucket(global_per_second, global_per_second)
        self._private = (private_burst, private_per_second)
        self._group = (group_per_minute, group_per_minute / 60)
        self._chats: dict[int, TokenBucket] = {}

    def check(self, method: str, chat_id: int | None, is_group: bool) -> int | None:
        """Consume a send; None when allowed, else the retry_after seconds (429)."""
        if not self.enabled or not is_paced(method):
            return None
        now = self.clock()
        buckets = [self._global]
        if chat_id is not None:
            if chat_id not in self._chats:
                self._chats[chat_id] = TokenBucket(*(self._group if is_group else self._private))
            buckets.append(self._chats[chat_id])
        wait = max(bucket.wait_needed(now) for bucket in buckets)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.take()
        return None
