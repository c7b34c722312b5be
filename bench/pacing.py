"""Answer time with the shipped pacing, at the fake's Telegram-like limits (429 beyond
~30 sends/s overall, 1/s per chat): N youth go through "Share an idea", answering about
every two seconds, against a bot that keeps its default RATE_* settings.

The figure is the time from an answer to the next question (the next sendMessage, or a
toggle's redraw: an edit that still carries buttons); the cosmetic edit of the old
question ("→ choice", keyboard removed) is not what the youth waits for and goes in its
own lane after every youth's questions (bot/telegram/sender.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.common import bot_proc, database, first_after, percentile, wait_polling, wait_quiet
from bench.campaign import chatting
from bench.conversations import SHARE_IDEA, Thinking
from tests.fakebotapi.server import FakeBotApi

# Youth arrive over ten seconds (as in the load run), then answer about every two seconds.
EVERY_TWO_SECONDS = Thinking(ramp=10.0, press=(1.5, 2.5), typing=(1.5, 2.5))


@dataclass
class PacingResult:
    youth: int
    p50_ms: float | None
    p99_ms: float | None
    answers: int
    count_429: int
    edits: int  # cosmetic edits that reached the fake (superseded ones never do)
    slowest_step: str  # the step with the highest p99, and that p99


def _next_questions(calls: list, since: int) -> dict[int, list[float]]:
    out: dict[int, list[float]] = {}
    for method, params, at in calls[since:]:
        chat = params.get("chat_id") if isinstance(params, dict) else None
        question = method == "sendMessage" or (method == "editMessageText" and "reply_markup" in params)
        if isinstance(chat, int) and question:
            out.setdefault(chat, []).append(at)
    return out


async def run_pacing(n_youth: int, workdir: Path, thinking: Thinking = EVERY_TWO_SECONDS) -> PacingResult:
    fake = FakeBotApi(rate_limits=True)
    await fake.start()
    try:
        async with database("sqlite", workdir) as url:
            proc = bot_proc(fake, url, workdir / f"pacing-{n_youth}")  # default pacing: 30/s, 1/s per chat
            try:
                proc.start()
                await wait_polling(fake, proc)
                traces, since = await chatting(fake, n_youth, thinking, "Paced")
                await wait_quiet(fake, 2.0)  # the edits still owed go out
            finally:
                await proc.stop()
    finally:
        await fake.stop()
    replies = _next_questions(fake.calls, since)
    by_step: dict[str, list[float]] = {}
    for trace in traces:
        times = sorted(replies.get(trace.chat_id, []))
        for step, t in zip(SHARE_IDEA, trace.pushed, strict=False):
            if (got := first_after(times, t)) is not None:
                by_step.setdefault(step[:12], []).append((got - t) * 1000)
    ms = [x for values in by_step.values() for x in values]
    p99s = {step: percentile(values, 99) or 0.0 for step, values in by_step.items()}
    slowest = max(p99s, key=lambda step: p99s[step]) if p99s else ""
    edits = sum(1 for m, p, _ in fake.calls[since:] if m == "editMessageText" and "reply_markup" not in p)
    return PacingResult(
        n_youth,
        percentile(ms, 50),
        percentile(ms, 99),
        len(ms),
        fake.count_429,
        edits,
        f"{slowest!r} p99 {p99s.get(slowest, 0):.0f} ms",
    )
