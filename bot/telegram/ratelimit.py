"""Token buckets that keep sends within Telegram's limits as Telegram sees them.

Telegram allows about 30 messages a second overall, about one a second per private chat
(with short bursts) and 20 a minute per group, counted where the requests arrive. A
request reaches Telegram some unknown time after the pacer lets it go (event loop,
connection pool, network), so buckets refilled by the sender's clock alone let delayed
requests bunch up there: a few land closer together than the sender spaced them, and
Telegram answers 429.

So each limit is kept on the completion side. A send counts as in flight from the moment
the pacer lets it go until its response is back, and only then takes its token, at that
moment. Telegram saw the request somewhere in between, so every stretch over which a
bucket here refills lies within the stretch over which Telegram's refills: whatever
passes here passes there too, whatever the delays. The cost is that requests in flight
hold tokens; at 30/s with a one-second bucket the full rate is kept as long as answers
take under about a second.

This is stricter than pacing by start times with the same buckets (what common
client-side limiters do), never looser. Sends are not spread any more evenly than the
buckets ask: a start schedule with little slack loses the sending time by which a busy
event loop wakes a waiting send late (a tenth of a second of slack cost a sixth of the
rate in the burst benchmark), and the completion side already keeps what Telegram sees
within its limits.

Sends that wait take their turn by priority (storage.outbox.Priority: lower goes first):
a send may not take a token a more urgent waiting send could use now (its own chat's
bucket allows it), so a youth's answer waits behind no campaign message already in line.
Sends nobody waits for (priority `reserved_below` and after: reminders, campaigns,
cosmetic edits) also leave a tenth of the overall bucket untouched: a campaign that
keeps the overall rate busy would otherwise hold every token, in flight or just taken,
and each answer would wait for the next one to come back. They still get the whole
rate, only a few tokens later.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from storage.outbox import Priority

EPSILON = 1e-9  # of a token: refills computed in floats fall short of whole tokens by this


@dataclass
class TokenBucket:
    rate: float  # tokens per second
    burst: float  # bucket size
    tokens: float = field(default=-1.0)
    stamp: float = 0.0
    in_flight: int = 0  # started, not finished: counted as taken now

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = self.burst

    def delay(self, now: float, keep: float = 0.0) -> float:
        """Seconds until one more send may start and leave `keep` tokens (0: it may now)."""
        self._refill(now)
        short = 1 + keep + self.in_flight - self.tokens
        return 0.0 if short <= EPSILON else short / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1

    def start(self) -> None:
        self.in_flight += 1

    def finish(self, now: float) -> None:
        """The response of a started send is back: its token is taken now."""
        self.take(now)
        self.in_flight -= 1

    def free(self, now: float, keep: float) -> bool:
        """Whether one more send may start now and still leave `keep` tokens."""
        self._refill(now)
        return self.tokens - self.in_flight - keep >= 1 - EPSILON

    def idle(self, now: float) -> bool:
        return not self.in_flight and self.delay(now) == 0 and self.tokens >= self.burst

    def _refill(self, now: float) -> None:
        if self.stamp:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now


class Pacer:
    """Global, per-chat and per-group buckets; `async with pacer.slot(chat_id):` around each send."""

    def __init__(
        self,
        global_per_s: float,
        per_chat_per_s: float,
        per_chat_burst: int,
        group_per_min: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        reserved_below: int = Priority.BACKGROUND,
    ) -> None:
        self._global = TokenBucket(global_per_s, max(1.0, global_per_s))
        # sends of this priority and after leave the reserve to the more urgent ones
        self._reserved_below = reserved_below
        self._reserve = self._global.burst / 10 if self._global.burst >= 10 else 0.0
        self._chat_rate = per_chat_per_s
        self._chat_burst = float(per_chat_burst)
        self._group_rate = group_per_min / 60.0
        self._chats: dict[int, TokenBucket] = {}
        self._clock = clock
        self.waited_s = 0.0  # total pacing delay, reported apart from handling time
        self._waiting = 0  # sends waiting in `slot` for their turn
        self._waiting_in: dict[int, int] = {}  # ... per chat
        self._waiters: dict[object, tuple[int, int | None]] = {}  # each waiting send: (priority, chat)

    def _bucket(self, chat_id: int) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if chat_id < 0:  # groups and channels
                bucket = TokenBucket(self._group_rate, 3.0)
            else:
                bucket = TokenBucket(self._chat_rate, self._chat_burst)
            self._chats[chat_id] = bucket
        return bucket

    @asynccontextmanager
    async def slot(self, chat_id: int | None, priority: int = 0) -> AsyncIterator[None]:
        """Wait until a send to `chat_id` (None: counts only overall) may go, after the
        more urgent ones (lower `priority`) waiting; the send is made inside the block,
        which must end when its response is back (or it failed)."""
        held = await self._start(chat_id, priority)
        try:
            yield
        finally:
            now = self._clock()
            for bucket in held:
                bucket.finish(now)

    def spare(self, chat_id: int | None, *, queued: int = 0) -> bool:
        """Whether a send that may wait (a cosmetic edit) can go now without taking a
        token a more urgent one needs: nothing waits in `slot`, `queued` sends about to
        ask for a slot come first, a tenth of the global bucket stays free, and the chat
        keeps a token for its next question (when its burst allows more than one)."""
        if self._waiting or (chat_id is not None and self._waiting_in.get(chat_id)):
            return False
        now = self._clock()
        if not self._global.free(now, queued + self._global.burst / 10):
            return False
        if chat_id is None:
            return True
        bucket = self._bucket(chat_id)
        return bucket.free(now, 1.0 if bucket.burst >= 2 else 0.0)

    async def _start(self, chat_id: int | None, priority: int) -> list[TokenBucket]:
        self._waiting += 1
        if chat_id is not None:
            self._waiting_in[chat_id] = self._waiting_in.get(chat_id, 0) + 1
        me = object()
        self._waiters[me] = (priority, chat_id)
        try:
            return await self._wait_turn(chat_id, priority)
        finally:
            del self._waiters[me]
            self._waiting -= 1
            if chat_id is not None:
                left = self._waiting_in.pop(chat_id) - 1
                if left:
                    self._waiting_in[chat_id] = left

    async def _wait_turn(self, chat_id: int | None, priority: int) -> list[TokenBucket]:
        while True:
            # No await between looking and taking, so no lock is needed.
            now = self._clock()
            held = [self._global] + ([self._bucket(chat_id)] if chat_id is not None else [])
            keep = self._reserve if priority >= self._reserved_below else 0.0
            delay = max([self._global.delay(now, keep)] + [b.delay(now) for b in held[1:]])
            if delay <= 0 and not self._urgent_waiting(priority, now):
                for bucket in held:
                    bucket.start()
                self._forget_idle(now)
                return held
            if delay <= 0:  # a more urgent send takes this token; look again at the next one
                delay = 1 / self._global.rate
            self.waited_s += delay
            await asyncio.sleep(delay)

    def _urgent_waiting(self, priority: int, now: float) -> bool:
        """Whether a send more urgent than `priority` waits that its chat would let go now."""
        return any(
            p < priority and (chat is None or self._bucket(chat).delay(now) <= 0) for p, chat in self._waiters.values()
        )

    def _forget_idle(self, now: float) -> None:
        # Full buckets with nothing in flight carry no state worth keeping; drop them so
        # memory stays flat (one made anew is full, as Telegram's is by then).
        if len(self._chats) > 10_000:
            for cid in [c for c, b in self._chats.items() if b.idle(now)]:
                del self._chats[cid]
