"""bot.telegram.ratelimit: the pacer keeps to the configured rates (with a fake clock)."""
import asyncio

from bot.telegram.ratelimit import Pacer, TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_paces():
    b = TokenBucket(rate=1.0, burst=3)
    for _ in range(3):
        assert b.delay(10.0) == 0
        b.take(10.0)
    assert b.delay(10.0) == 1.0
    assert b.delay(10.5) == 0.5
    assert b.delay(11.0) == 0


async def test_pacer_waits_for_the_per_chat_rate(monkeypatch):
    clock = Clock()
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    pacer = Pacer(global_per_s=30, per_chat_per_s=1, per_chat_burst=3, group_per_min=20, clock=clock)
    for _ in range(5):
        await pacer.wait(7)
    assert slept == [1.0, 1.0]  # three at once, then one a second
    assert pacer.waited_s == 2.0
    await pacer.wait(8)  # another chat is not held back by chat 7
    assert len(slept) == 2


async def test_groups_get_twenty_a_minute(monkeypatch):
    clock = Clock()

    async def fake_sleep(seconds: float) -> None:
        clock.now += seconds

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    pacer = Pacer(global_per_s=30, per_chat_per_s=1, per_chat_burst=3, group_per_min=20, clock=clock)
    start = clock.now
    for _ in range(23):
        await pacer.wait(-100)
    assert round(clock.now - start) == 60  # 3 at once, then 20 spread over a minute
