"""Injected faults: server errors, flood waits, hanging calls and users who blocked the bot."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from .errors import ApiError

_PHRASES = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


@dataclass
class Hang:
    """Answer only after `seconds` (longer than the client's timeout); `deliver`: the call
    still takes effect, as when Telegram got a message but the answer was lost."""

    seconds: float
    deliver: bool


@dataclass
class _Counted:
    remaining: int
    method: str | None

    def applies(self, method: str) -> bool:
        # Faults without a method spare getUpdates, so polling keeps running.
        return self.remaining > 0 and (method == self.method if self.method else method != "getUpdates")


@dataclass
class _Fail(_Counted):
    status: int = 500
    retry_after: int | None = None


@dataclass
class _Timeout(_Counted):
    seconds: float = 30.0
    deliver: bool = False


class Faults:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._fails: list[_Fail] = []
        self._timeouts: list[_Timeout] = []
        self._hold: tuple[float, int, str | None] | None = None
        self.blocked: set[int] = set()
        self.injected = 0

    def fail_next(
        self, n: int = 1, status: int = 500, method: str | None = None, retry_after: int | None = None
    ) -> None:
        """Answer the next `n` calls with `status`; 429 with `retry_after` is a counted flood
        wait, which, unlike `hold_429`, does not depend on how fast the bot is."""
        self._fails.append(_Fail(n, method, status, retry_after if status == 429 else None))

    def hold_429(self, seconds: float, retry_after: int | None = None, method: str | None = None) -> None:
        """Answer 429 to every call (but getUpdates, unless named) for `seconds`."""
        self._hold = (self.clock() + seconds, retry_after or math.ceil(seconds), method)

    def timeout_next(self, n: int = 1, seconds: float = 30.0, method: str | None = None, deliver: bool = False) -> None:
        self._timeouts.append(_Timeout(n, method, seconds, deliver))

    def block_user(self, user_or_id) -> None:
        self.blocked.add(getattr(user_or_id, "id", user_or_id))

    def unblock_user(self, user_or_id) -> None:
        self.blocked.discard(getattr(user_or_id, "id", user_or_id))

    def clear(self) -> None:
        self._fails.clear()
        self._timeouts.clear()
        self._hold = None
        self.blocked.clear()

    def before_call(self, method: str) -> Hang | None:
        """Raise the injected error for this call, or return a Hang, or None."""
        if self._hold:
            until, retry_after, only = self._hold
            if self.clock() >= until:
                self._hold = None
            elif (method == only) if only else method != "getUpdates":
                self.injected += 1
                raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)
        for fail in self._fails:
            if fail.applies(method):
                fail.remaining -= 1
                self.injected += 1
                if fail.retry_after is not None:
                    raise ApiError(
                        429, f"Too Many Requests: retry after {fail.retry_after}", retry_after=fail.retry_after
                    )
                raise ApiError(fail.status, _PHRASES.get(fail.status, "Injected fault"))
        for timeout in self._timeouts:
            if timeout.applies(method):
                timeout.remaining -= 1
                self.injected += 1
                return Hang(timeout.seconds, timeout.deliver)
        return None

    def check_blocked(self, chat_id: int | None) -> None:
        if chat_id is not None and chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
