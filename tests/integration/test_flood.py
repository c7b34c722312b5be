"""A flood from one chat (hundreds of messages a minute) against the running bot at a
realistic per-chat send rate: every update is kept and handled, the youth hears one
kind "slow down" and then answers to their newest message, crisis words still get
the helplines, the outbox stays short, and another youth goes on at normal speed."""

from __future__ import annotations

import asyncio

import aiohttp
from sqlalchemy import func, select

from bot.i18n import replies
from bot.telegram.flood import FloodGuard
from storage.models import Answer, Inbox, Outbox, Submission
from tests.botfixtures import bot_settings, running_bot, sqlite_url
from tests.dbfixtures import db, db_url  # noqa: F401
from tests.youth import Youth, onboard, settle, staff_group
from tests.botprocess import through_share_idea

FLOOD = 500
CRISIS_AT = 300
CRISIS = "sometimes I want to kill myself"
SLOW_DOWN = "You are sending a lot of messages very quickly"
PER_MIN = 20
# Telegram's own pace, about: the outbox of a flooded chat fills at this rate
PACED = dict(rate_per_chat_per_s=2.0, rate_per_chat_burst=3, flood_per_min=PER_MIN)


def _text(i: int) -> str:
    return CRISIS if i == CRISIS_AT else f"this is message number {i} of many"


async def _count(services, model, *where) -> int:
    async with services.sessionmaker() as s:
        return await s.scalar(select(func.count()).select_from(model).where(*where))


async def _peak_pending(services, chat_id: int, stop: asyncio.Event, peak: list[int]) -> None:
    while not stop.is_set():
        peak.append(await _count(services, Outbox, Outbox.status == "pending", Outbox.chat_id == chat_id))
        try:
            await asyncio.wait_for(stop.wait(), 0.02)
        except TimeoutError:
            pass


async def _wait_handled(services, chat_id: int, updates: int, timeout: float = 240.0) -> None:
    """Until `updates` updates of the chat are stored and none of them waits."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (await _count(services, Inbox, Inbox.chat_key == chat_id, Inbox.status != "pending")) < updates:
        assert loop.time() < deadline, "the flood was not handled"
        await asyncio.sleep(0.05)


async def _healthz(settings) -> int:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{settings.web_port}/healthz") as resp:
            return resp.status


async def _at_the_idea_question(y: Youth) -> None:
    await onboard(y)
    await y.press("Share an idea")
    await y.press("School")


async def test_a_flood_is_kept_and_handled_but_answered_together(fake_bot_api, db_url, tmp_path):
    group, _ = staff_group(fake_bot_api)
    settings = bot_settings(fake_bot_api, db_url, tmp_path, staff_chat_id=group.chat.id, **PACED)
    async with running_bot(settings) as services:
        y = Youth.new(fake_bot_api, services, first_name="Yonas", language_code="en")
        await _at_the_idea_question(y)
        before, updates_before = len(y.user.messages), await _count(services, Inbox, Inbox.chat_key == y.user.id)
        stop, peak = asyncio.Event(), [0]
        sampler = asyncio.create_task(_peak_pending(services, y.user.id, stop, peak))
        for i in range(FLOOD):
            await y.user.send_text(_text(i))
        await _wait_handled(services, y.user.id, updates_before + FLOOD)
        stop.set()
        await sampler
        # the answers to the first PER_MIN, the notice, one coalesced reply or so, the helplines
        assert max(peak) <= PER_MIN + 10, max(peak)
        await settle(services, timeout=240)
        assert await _healthz(settings) == 200

        # every update stored and handled, none failed; what the flow takes is taken
        handled = await _count(services, Inbox, Inbox.chat_key == y.user.id, Inbox.status == "done")
        assert handled == updates_before + FLOOD
        async with services.sessionmaker() as s:
            errors = (await s.scalars(select(Inbox.error).where(Inbox.status == "failed"))).all()
        assert errors == []
        async with services.sessionmaker() as s:
            idea = await s.scalar(select(Answer.value).where(Answer.name == "idea"))
            urgent = await s.scalar(select(func.count()).select_from(Submission).where(Submission.urgent))
        assert idea == _text(0) and urgent == 1

    got = [m.text or "" for m in y.user.messages[before:]]
    assert sum(SLOW_DOWN in t for t in got) == 1
    assert len(got) <= PER_MIN + 10, len(got)
    # safeguarding first: the helplines came, though the chat was flooding
    crisis = next(i for i, t in enumerate(got) if "116 111" in t and "90101" in t)
    assert crisis > next(i for i, t in enumerate(got) if SLOW_DOWN in t)
    # the last answer is the engine's to the newest message: a text where buttons are asked for
    assert y.user.messages[-1].reply_markup and "Please choose one of the buttons" in got[-1]
    assert fake_bot_api.rejected == []


async def test_another_youth_goes_on_while_a_flood_is_handled(fake_bot_api, tmp_path):
    group, _ = staff_group(fake_bot_api)
    settings = bot_settings(fake_bot_api, sqlite_url(tmp_path), tmp_path, staff_chat_id=group.chat.id, **PACED)
    async with running_bot(settings) as services:
        flooder = Youth.new(fake_bot_api, services, first_name="Filmon", language_code="en")
        await _at_the_idea_question(flooder)
        updates = await _count(services, Inbox, Inbox.chat_key == flooder.user.id) + 2 * FLOOD
        for i in range(2 * FLOOD):
            await flooder.user.send_text(f"one more message, number {i}")
        other = Youth.new(fake_bot_api, services, first_name="Selam", language_code="en")
        await through_share_idea(other, ["start", "English", "16–17", "Yes", "No", "Share an idea"])
        # her five answers came while the flood was still being worked through
        assert await _count(services, Inbox, Inbox.chat_key == flooder.user.id, Inbox.status == "pending") > 0
        assert "What is your idea about?" in other.question.text
        await _wait_handled(services, flooder.user.id, updates)
        await settle(services, timeout=240)


async def test_coalesced_replies_are_set_aside_never_deleted_under_the_sender(db):
    from datetime import UTC, datetime, timedelta

    from storage import outbox

    chat, other = 700_200_001, 700_200_002
    now = datetime.now(UTC)
    async with db.sessionmaker.begin() as s:
        first = [
            await outbox.enqueue(s, chat_id=chat, method="sendMessage", payload={"text": f"answer {i}"}, now=now)
            for i in range(3)
        ]
        goodbye = await outbox.enqueue(
            s, chat_id=chat, method="sendMessage", payload={"text": "bye"}, ref=outbox.ERASED_REF, now=now
        )
        elsewhere = await outbox.enqueue(s, chat_id=other, method="sendMessage", payload={"text": "hi"}, now=now)
        await s.flush()
        assert await outbox.pending_in_chat(s, chat, 3) == 3 and await outbox.pending_in_chat(s, chat, 9) == 4
        await outbox.coalesce(s, [first[1].id, first[2].id, goodbye.id], now + timedelta(seconds=2))
        await outbox.coalesce(s, [elsewhere.id], now + timedelta(seconds=2))
    async with db.sessionmaker.begin() as s:
        # held back: only the chat's first answer is due now
        assert [r.id for r in await outbox.due_heads(s, now, 10) if r.chat_id == chat] == [first[0].id]
        # the sender has taken the second one (say, it became due) when a newer reply comes
        in_flight = await s.get(Outbox, first[1].id)
        s.expunge(in_flight)
        assert await outbox.supersede(s, chat, now + timedelta(seconds=5)) == 0  # due by then: they go
        assert await outbox.supersede(s, chat, now) == 2
    async with db.sessionmaker.begin() as s:
        rows = {r.id: r for r in (await s.scalars(select(Outbox))).all()}
        assert rows[goodbye.id].ref == outbox.ERASED_REF and rows[goodbye.id].status == "pending"
        assert rows[elsewhere.id].status == "pending"  # another chat's are its own
        assert [(rows[r.id].status, rows[r.id].ref, rows[r.id].payload) for r in first[1:]] == [
            ("failed", outbox.SUPERSEDED_REF, {})
        ] * 2
        # what the sender then writes down of the one it had in flight goes through
        retried = await s.merge(in_flight, load=False)
        await outbox.mark_retry(s, retried, now + timedelta(seconds=5), "retry_after")
    async with db.sessionmaker.begin() as s:
        await outbox.mark_sent(s, [(first[1].id, {"message_id": 7})], now)
    async with db.sessionmaker.begin() as s:
        assert (await s.get(Outbox, first[1].id)).status == "sent"
        assert (await s.get(Outbox, first[2].id)).status == "failed"
        assert await outbox.purge_sent(s, now + timedelta(days=8)) == 2  # the sent and the superseded one
        assert await s.get(Outbox, first[2].id) is None


def test_no_limit_and_no_guard_without_a_handler_that_answers():
    class Bare:
        async def __call__(self, s, row):  # pragma: no cover - never called
            pass

    assert FloodGuard.for_handler(Bare()) is None
    assert replies.SLOW_DOWN.startswith(SLOW_DOWN)


async def test_help_and_talk_to_a_person_are_answered_in_full_during_a_flood(fake_bot_api, tmp_path):
    from bot.i18n.staffed import TALK_SENT
    from bot.dialogue.crisis import TALK_DATA

    group, _ = staff_group(fake_bot_api)
    settings = bot_settings(fake_bot_api, sqlite_url(tmp_path), tmp_path, staff_chat_id=group.chat.id, **PACED)
    async with running_bot(settings) as services:
        y = Youth.new(fake_bot_api, services, first_name="Filmon", language_code="en")
        await _at_the_idea_question(y)
        updates = await _count(services, Inbox, Inbox.chat_key == y.user.id)
        before = len(y.user.messages)
        flood = 3 * PER_MIN
        for i in range(flood):
            await y.user.send_text("/help@SammanBot" if i == flood - 5 else f"one more message, number {i}")
        await _wait_handled(services, y.user.id, updates + flood)
        await settle(services, timeout=240)
        got = [m for m in y.user.messages[before:]]
        slow = next(i for i, m in enumerate(got) if SLOW_DOWN in (m.text or ""))
        helps = [i for i, m in enumerate(got) if "116 111" in (m.text or "")]
        assert helps and helps[-1] > slow  # /help after the flood began got the helplines all the same
        talk = got[helps[-1]]
        assert talk.keyboard[0][0]["callback_data"] == TALK_DATA
        for i in range(PER_MIN):  # still flooding while the youth presses
            await y.user.send_text(f"and again, number {i}")
        await y.user.press_on(talk, 0)
        await _wait_handled(services, y.user.id, updates + flood + PER_MIN + 1)
        await settle(services, timeout=240)
    talked = services.translator("en").gettext(TALK_SENT)
    assert any((m.text or "").startswith(talked) for m in y.user.messages[before:])
    assert fake_bot_api.rejected == []
