"""Burst at Telegram's limit: N youth press /start within a window, against a fake that
enforces Telegram's limits (429 + retry_after beyond ~30 msg/s overall, 1/s per chat).

Before the bot starts, reminder-priority outbox rows (priority 2) are queued for other
invented youth; interactive answers (priority 0) must still go out first.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from bench.common import bot_proc, calls_by_chat, database, first_after, wait_polling, wait_quiet
from bench.sendrate import DueRate, due_times, rate_while_due
from storage.db import make_engine
from storage.models import Outbox
from storage.outbox import Priority
from tests.fakebotapi.limits import is_paced
from tests.fakebotapi.server import FakeBotApi

CONFIGURED_RATE = 30.0  # RATE_GLOBAL_PER_S, the bot's default, = Telegram's limit in the fake


@dataclass
class BurstResult:
    youth: int
    reminders: int
    window_s: float
    sends: int
    send_rate: float  # paced sends per second, first to last
    due_rate: DueRate  # paced sends per second while rows were due (bench/sendrate.py)
    count_429: int
    all_answered_s: float | None  # from the first /start to the last youth's first answer
    answered: int
    answer_p50_s: float | None
    answer_max_s: float | None
    reminders_before_last_answer: int
    reminders_sent: int


async def run_burst(n_youth: int, window_s: float, workdir: Path, kind: str = "sqlite") -> BurstResult:
    fake = FakeBotApi(rate_limits=True)
    await fake.start()
    youth = [fake.new_user(first_name=f"Burst{i}", language_code="en") for i in range(n_youth)]
    n_rem = max(1, n_youth // 10)
    others = [fake.new_user(first_name=f"Later{i}", language_code="en") for i in range(n_rem)]
    async with database(kind, workdir) as url:
        proc = bot_proc(fake, url, workdir / f"burst-{kind}")  # default pacing: 30/s, 1/s per chat
        try:
            proc.start()
            await wait_polling(fake, proc)
            since = len(fake.calls)
            t0 = time.time()
            gap = window_s / n_youth
            for i, u in enumerate(youth):  # spread the presses evenly over the window
                await u.send_command("/start")
                if i == n_youth // 10:  # reminders queued early in the burst, before most answers
                    await _queue_reminders(url, others)
                delay = t0 + (i + 1) * gap - time.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            await _until_answered(fake, youth, since, timeout=max(300.0, 4 * n_youth / CONFIGURED_RATE))
            await wait_quiet(fake, 2.0, timeout=max(300.0, 4 * (n_youth + n_rem) / CONFIGURED_RATE))
        finally:
            await proc.stop()
            await fake.stop()
        due = await due_times(url)
    paced = [at for method, _p, at in fake.calls[since:] if is_paced(method)]
    by_chat = calls_by_chat(fake.calls, since)
    firsts = [first_after(by_chat.get(u.id, []), t0) for u in youth]
    answered = [t - t0 for t in firsts if t is not None]
    last_answer = t0 + max(answered) if answered else None
    rem_times = [t for u in others for t in by_chat.get(u.id, [])[:1]]
    span = (max(paced) - min(paced)) if len(paced) > 1 else 0.0
    # Reminders are held while youth wait: due for the sender once the last youth's
    # first answer is out (the hold's end), not when queued.
    held_until = last_answer or 0.0
    due_at = [t if p < Priority.BACKGROUND else max(t, held_until) for p, t in due]
    ordered = sorted(answered)
    return BurstResult(
        youth=n_youth,
        reminders=n_rem,
        window_s=window_s,
        sends=len(paced) - fake.count_429,
        send_rate=(len(paced) - fake.count_429 - 1) / span if span else 0.0,
        due_rate=rate_while_due(due_at, [at for method, _p, at in fake.calls if is_paced(method)]),
        count_429=fake.count_429,
        all_answered_s=max(answered) if len(answered) == n_youth else None,
        answered=len(answered),
        answer_p50_s=ordered[len(ordered) // 2] if ordered else None,
        answer_max_s=ordered[-1] if ordered else None,
        reminders_before_last_answer=sum(1 for t in rem_times if last_answer and t < last_answer),
        reminders_sent=len(rem_times),
    )


async def _until_answered(fake: FakeBotApi, youth: list, since: int, timeout: float) -> None:
    waiting = {u.id for u in youth}
    seen = since
    deadline = time.monotonic() + timeout
    while waiting and time.monotonic() < deadline:
        calls = fake.calls
        for _method, params, _at in calls[seen:]:
            waiting.discard(params.get("chat_id") if isinstance(params, dict) else None)
        seen = len(calls)
        await asyncio.sleep(0.2)


async def _queue_reminders(url: str, others: list) -> None:
    engine = make_engine(url)
    now = datetime.now(UTC)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(Outbox),
                [
                    dict(
                        chat_id=u.id,
                        target="telegram",
                        method="sendMessage",
                        priority=2,
                        status="pending",
                        payload={"chat_id": u.id, "text": "A friendly reminder (invented test text)."},
                        attempts=0,
                        next_attempt_at=now,
                        created_at=now,
                    )
                    for u in others
                ],
            )
    finally:
        await engine.dispose()
