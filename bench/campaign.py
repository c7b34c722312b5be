"""A campaign while youth chat, at Telegram's limits (the fake enforces them: 429 beyond
~30 msg/s overall, 1/s per chat): N opted-in youth get a poll while M other youth go
through "Share an idea". The same chatting youth run once without the campaign, in the
same run, as the baseline for their answer times.

Figures: the campaign's send rate (all paced sends per second from its first message to
its last, against the configured limit), the 429s, and the chatting youth's p99 answer
time with the campaign against without it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from bench.burst import CONFIGURED_RATE
from bench.common import bot_proc, calls_by_chat, database, percentile, wait_polling, wait_quiet
from bench.conversations import Thinking, Trace, answer_times, share_idea
from bench.load import VISIBLE
from tests.campaignseed import QUESTION, opted_in_youth
from tests.fakebotapi.limits import is_paced
from tests.fakebotapi.server import FakeBotApi


@dataclass
class ChatRun:
    p99_ms: float | None
    latencies: int


@dataclass
class CampaignResult:
    recipients: int
    reached: int
    send_rate: float  # paced sends per second while the campaign went out
    edits: int  # edits of chatting youths' messages meanwhile: the bot paces them too, the fake does not
    count_429: int
    chatting: int
    with_campaign: ChatRun
    without: ChatRun


async def chatting(fake: FakeBotApi, n: int, thinking: Thinking, prefix: str) -> tuple[list[Trace], int]:
    users = [fake.new_user(first_name=f"{prefix}{i}", language_code="en") for i in range(n)]
    traces = [Trace(u.id) for u in users]
    since = len(fake.calls)
    await asyncio.gather(
        *(share_idea(u, t, pause=thinking.pauses(i)) for i, (u, t) in enumerate(zip(users, traces, strict=True)))
    )
    return traces, since


async def _run(n_recipients: int, n_chat: int, workdir: Path, thinking: Thinking, kind: str) -> tuple[ChatRun, dict]:
    fake = FakeBotApi(rate_limits=True)
    await fake.start()
    group = fake.new_group("Sammanhacket team")
    out: dict = {}
    async with database(kind, workdir) as url:
        chats = await opted_in_youth(url, fake, n_recipients, prefix="Polled") if n_recipients else []
        tag = "with" if n_recipients else "without"
        proc = bot_proc(fake, url, workdir / f"campaign-{tag}-{kind}", staff_chat_id=group.chat.id)
        try:
            proc.start()
            await wait_polling(fake, proc)
            traces, since = await chatting(fake, n_chat, thinking, f"Chat{tag}")
            if n_recipients:
                deadline = time.monotonic() + max(300.0, 4 * n_recipients / CONFIGURED_RATE)
                while time.monotonic() < deadline:
                    got = {
                        p.get("chat_id")
                        for name, p, _ in fake.calls
                        if name == "sendMessage" and QUESTION in (p.get("text") or "")
                    }
                    if len(got) >= len(chats):
                        break
                    await asyncio.sleep(0.5)
            await wait_quiet(fake, 2.0)
        finally:
            await proc.stop()
            await fake.stop()
    lat = answer_times(traces, calls_by_chat(fake.calls, since, VISIBLE))
    p99 = percentile(lat, 99)
    if n_recipients:
        polls = [at for name, p, at in fake.calls if name == "sendMessage" and QUESTION in (p.get("text") or "")]
        first, last = (min(polls), max(polls)) if polls else (0.0, 0.0)
        paced = [at for name, _p, at in fake.calls if is_paced(name) and first <= at <= last]
        out = dict(
            reached=len(
                {
                    p.get("chat_id")
                    for name, p, _ in fake.calls
                    if name == "sendMessage" and QUESTION in (p.get("text") or "")
                }
            ),
            send_rate=(len(paced) - 1) / (last - first) if last > first else 0.0,
            edits=sum(1 for name, _p, at in fake.calls if name.startswith("edit") and first <= at <= last),
            count_429=fake.count_429,
        )
    return ChatRun(None if p99 is None else p99 * 1000, len(lat)), out


async def run_campaign(
    n_recipients: int, n_chat: int, workdir: Path, thinking: Thinking, kind: str = "sqlite"
) -> CampaignResult:
    without, _ = await _run(0, n_chat, workdir, thinking, kind)
    with_campaign, figures = await _run(n_recipients, n_chat, workdir, thinking, kind)
    return CampaignResult(
        recipients=n_recipients,
        reached=figures["reached"],
        send_rate=figures["send_rate"],
        edits=figures["edits"],
        count_429=figures["count_429"],
        chatting=n_chat,
        with_campaign=with_campaign,
        without=without,
    )
