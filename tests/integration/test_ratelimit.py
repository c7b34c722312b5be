"""bot.telegram.ratelimit: the pacer keeps to the configured rates (with a fake clock),
and Telegram's limits as the fake Bot API enforces them hold however late requests
arrive and answers come back."""

import asyncio
import heapq
import itertools
import random

import pytest

from bot.telegram.ratelimit import Pacer, TokenBucket
from tests.fakebotapi.limits import RateLimits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """A clock that `asyncio.sleep` moves forward instead of waiting."""
    clock = Clock()

    async def fake_sleep(seconds: float) -> None:
        clock.now += seconds

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    return clock


def _pacer(clock: Clock, *, per_chat_burst: int = 3) -> Pacer:
    return Pacer(global_per_s=30, per_chat_per_s=1, per_chat_burst=per_chat_burst, group_per_min=20, clock=clock)


async def _send(pacer: Pacer, chat_id: int | None) -> None:
    async with pacer.slot(chat_id):
        pass  # the answer comes back at once


def test_bucket_allows_a_burst_then_paces():
    b = TokenBucket(rate=1.0, burst=3)
    for _ in range(3):
        assert b.delay(10.0) == 0
        b.take(10.0)
    assert b.delay(10.0) == 1.0
    assert b.delay(10.5) == 0.5
    assert b.delay(11.0) == 0


def test_a_send_in_flight_counts_as_taken():
    b = TokenBucket(rate=1.0, burst=2)
    b.start()
    assert b.delay(10.0) == 0  # one token left for a second send
    b.start()
    assert b.delay(10.0) == 1.0
    b.finish(12.0)  # its token is taken when the answer is back, not before
    assert b.delay(12.0) == 1.0  # the other one, still in flight, holds one too
    b.finish(12.0)
    assert b.delay(12.0) == 1.0 and b.delay(13.0) == 0


async def test_pacer_waits_for_the_per_chat_rate(clock):
    pacer = _pacer(clock)
    start = clock.now
    for _ in range(5):
        await _send(pacer, 7)
    assert clock.now - start == 2.0  # three at once, then one a second
    assert pacer.waited_s == 2.0
    await _send(pacer, 8)  # another chat is not held back by chat 7
    assert clock.now - start == 2.0


async def test_groups_get_twenty_a_minute(clock):
    pacer = _pacer(clock)
    start = clock.now
    for _ in range(23):
        await _send(pacer, -100)
    assert round(clock.now - start) == 60  # 3 at once, then 20 spread over a minute


async def test_overall_a_second_at_once_then_the_rate(clock):
    pacer = _pacer(clock)
    start = clock.now
    for chat in range(40):
        await _send(pacer, chat)
    assert round((clock.now - start) * 30) == 10  # 30 at once, then 30 a second


async def test_a_campaign_leaves_a_few_tokens_for_answers_and_still_gets_the_rate(clock):
    pacer = _pacer(clock)
    start = clock.now
    campaign = [1000 + n for n in range(57)]
    for chat in campaign[:27]:  # a tenth of the overall bucket (3 of 30) stays for answers
        async with pacer.slot(chat, 3):
            pass
    assert clock.now == start
    async with pacer.slot(2000, 0):  # a youth's answer goes at once
        assert clock.now == start
    for chat in campaign[27:]:
        async with pacer.slot(chat, 3):
            pass
    assert round((clock.now - start) * 30) == 58 - 27  # the campaign still had the whole rate


async def test_the_per_chat_rate_counts_from_the_answer(clock):
    pacer = _pacer(clock, per_chat_burst=1)
    async with pacer.slot(7):
        clock.now += 5.0  # a slow answer: Telegram may have seen the request just now
    start = clock.now
    await _send(pacer, 7)
    assert clock.now - start == 1.0


class Simulation:
    """The sender's traffic against the fake's limits, on one injected clock. Each chat
    sends its messages one after the other, the next when the previous one is answered
    (as the sender does), all chats at once. Requests reach the fake after a random
    delay, and now and then the way there stalls and a bunch of them arrives together;
    answers come back after another delay."""

    def __init__(self, pacer_finishes_on_answer: bool, seed: int = 9) -> None:
        self.clock = Clock()
        self.limits = RateLimits(enabled=True, clock=self.clock)
        self.pacer = _pacer(self.clock)
        self.on_answer = pacer_finishes_on_answer
        self.rng = random.Random(seed)
        self.timers: list[tuple[float, int, asyncio.Future]] = []
        self._order = itertools.count()
        self.arrivals: list[tuple[float, int]] = []  # (when, chat)
        self.count_429 = 0
        self.stall_until = 0.0
        self.deliveries = asyncio.Semaphore(64)  # the sender's batch: deliveries under way

    async def until(self, when: float) -> None:
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self.timers, (when, next(self._order), future))
        await future

    async def run(self, traffic: dict[int, int]) -> None:
        real_sleep = asyncio.sleep

        async def sleep(seconds: float) -> None:
            await self.until(self.clock.now + seconds)

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(asyncio, "sleep", sleep)
            chats = [asyncio.create_task(self._chat(chat, n)) for chat, n in traffic.items()]
            while not all(task.done() for task in chats):
                for _ in range(3):  # let every woken task run up to its next wait
                    await real_sleep(0)
                if self.timers:
                    when, _, future = heapq.heappop(self.timers)
                    self.clock.now = max(self.clock.now, when)
                    future.set_result(None)
            for task in chats:
                task.result()

    async def _chat(self, chat: int, messages: int) -> None:
        for _ in range(messages):
            async with self.deliveries:
                if self.on_answer:
                    async with self.pacer.slot(chat):
                        await self._request(chat)
                else:
                    async with self.pacer.slot(chat):
                        pass
                    await self._request(chat)

    async def _request(self, chat: int) -> None:
        now = self.clock.now
        if self.rng.random() < 0.005:  # the way to the server stalls for a while
            self.stall_until = max(self.stall_until, now + self.rng.uniform(0.2, 1.2))
        await self.until(max(now + self.rng.uniform(0.001, 0.08), self.stall_until))
        self.arrivals.append((self.clock.now, chat))
        if self.limits.check("sendMessage", chat, chat < 0) is not None:
            self.count_429 += 1
        await self.until(self.clock.now + self.rng.uniform(0.001, 0.3))


# 600 youth with a few messages each, a dozen busy ones, and a staff group.
TRAFFIC = {**{chat: 3 for chat in range(1, 601)}, **{chat: 12 for chat in range(601, 613)}, -100: 30}


async def test_telegram_never_sees_more_than_its_limits_under_jitter():
    sim = Simulation(pacer_finishes_on_answer=True)
    await sim.run(TRAFFIC)
    sends = sum(TRAFFIC.values())
    assert len(sim.arrivals) == sends
    assert sim.count_429 == 0
    # ...while keeping the rate as long as there is more to send than it allows (until the
    # 600 are done: then only the busy chats and the group are left, at their own rates)
    end = max(when for when, chat in sim.arrivals if 0 < chat <= 600)
    sent = sorted(when for when, _ in sim.arrivals if when <= end)
    assert (len(sent) - 1) / (end - sent[0]) >= 0.95 * 30


async def test_the_same_traffic_paced_by_the_senders_clock_alone_gets_429s():
    sim = Simulation(pacer_finishes_on_answer=False)  # the jitter above is real
    await sim.run(TRAFFIC)
    assert sim.count_429 > 0


async def test_a_waiting_answer_goes_before_campaign_messages_waiting_longer():
    """Real clock: five campaign messages (priority 3) wait for the global bucket, then a
    youth's answer (priority 0) asks; it takes the next token, they follow in turn."""
    pacer = Pacer(global_per_s=20, per_chat_per_s=1000, per_chat_burst=1000, group_per_min=60_000)
    order: list[str] = []

    async def send(name: str, chat_id: int, priority: int) -> None:
        async with pacer.slot(chat_id, priority):
            order.append(name)

    await asyncio.gather(*(send("spent", 900 + i, 0) for i in range(20)))  # the bucket is empty now
    order.clear()
    campaign = [asyncio.create_task(send(f"campaign {i}", 1000 + i, 3)) for i in range(5)]
    await asyncio.sleep(0.01)  # they wait in line first
    await asyncio.gather(send("answer", 2000, 0), *campaign)
    assert order[0] == "answer", order
    assert sorted(order[1:]) == [f"campaign {i}" for i in range(5)]
