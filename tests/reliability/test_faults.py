"""Faults around one bot process: Telegram refusing and hanging, the staff webhook
down, repeated and reordered deliveries, a flow file broken mid-conversation, and
PostgreSQL restarted under load. Each test prints its figures."""

from __future__ import annotations

import asyncio
import json
import random
import shutil

import aiohttp
from aiohttp import web
from sqlalchemy import func, select

from bot.forwarding.webhook import SIGNATURE_HEADER, verify
from bot.telegram.webhook import SECRET_HEADER, webhook_secret
from storage.models import Outbox, Submission
from tests.botfixtures import ROOT, bot_settings, free_port, running_bot
from tests.reliability.helpers import Ledger, PrivatePostgres, order_violations, tally, wait_until
from tests.botprocess import IDEA, through_share_idea
from tests.webfixtures import PASSWORD, add_staff, csrf_of
from tests.youth import Youth, settle

TO_THE_IDEA = ["start", "English", "16–17", "Yes", "No", "Share an idea", "School"]
TO_THE_END = [IDEA, "Me", "Done", "Yes"]


def _settings(fake, tmp_path, db_url: str | None = None, **overrides):
    group = fake.new_group("Sammanhacket team")
    return bot_settings(
        fake,
        db_url or f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        tmp_path,
        staff_chat_id=group.chat.id,
        rate_group_per_min=100_000,
        **overrides,
    )


async def _submissions(services) -> int:
    async with services.sessionmaker() as s:
        return await s.scalar(select(func.count()).select_from(Submission).where(Submission.flow_id == "share_idea"))


async def test_telegram_429_then_5xx_then_timeouts(fake_bot_api, tmp_path):
    ledger = Ledger(fake_bot_api)
    async with running_bot(_settings(fake_bot_api, tmp_path)) as services:
        youth = [Youth.new(fake_bot_api, services, first_name=f"Fictive{i}", language_code="en") for i in range(8)]
        # Flood wait first, then server errors, then calls that hang past the client's
        # read timeout (and are not delivered).
        fake_bot_api.faults.hold_429(1.5, retry_after=1)
        fake_bot_api.faults.fail_next(4, 502)
        fake_bot_api.faults.fail_next(4, 503)
        fake_bot_api.faults.timeout_next(3, seconds=12)
        await asyncio.gather(*(through_share_idea(y, TO_THE_IDEA + TO_THE_END) for y in youth))
        await settle(services, timeout=120)
        subs = await _submissions(services)
        figures = await tally("Telegram 429, then 5xx, then timeouts", services.sessionmaker, ledger, fake_bot_api)
        figures.extra.update(
            faults_injected=fake_bot_api.faults.injected,
            answered_429=fake_bot_api.count_429,
            order_violations=await order_violations(services.sessionmaker),
        )
    figures.report().assert_clean()
    assert fake_bot_api.count_429 > 0 and fake_bot_api.faults.injected >= 1 + 8 + 3
    assert figures.sent_twice == 0 and figures.extra["order_violations"] == 0
    assert subs == len(youth)
    assert fake_bot_api.rejected == []


class StaffReceiver:
    """The team's tool behind FORWARD_WEBHOOK_URL: down until `start()`."""

    def __init__(self, secret: bytes) -> None:
        self.port = free_port()
        self.secret = secret
        self.received: list[dict] = []
        self.bad_signatures = 0
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sammanbot"

    async def _take(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not verify(self.secret, body, request.headers.get(SIGNATURE_HEADER, "")):
            self.bad_signatures += 1
            return web.Response(status=401)
        self.received.append(json.loads(body))
        return web.Response(status=204)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/sammanbot", self._take)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()


async def test_staff_webhook_down_for_a_while_then_everything_arrives(fake_bot_api, tmp_path):
    ledger = Ledger(fake_bot_api)
    receiver = StaffReceiver(b"invented-forward-secret")
    settings = _settings(
        fake_bot_api, tmp_path, forward_webhook_url=receiver.url, forward_webhook_secret="invented-forward-secret"
    )
    async with running_bot(settings) as services:
        youth = [Youth.new(fake_bot_api, services, first_name=f"Imagined{i}", language_code="en") for i in range(5)]
        await asyncio.gather(*(through_share_idea(y, TO_THE_IDEA + TO_THE_END) for y in youth))

        async def tried_twice_each() -> bool:
            async with services.sessionmaker() as s:
                rows = (await s.execute(select(Outbox.attempts, Outbox.status).where(Outbox.target == "webhook"))).all()
            return len(rows) == len(youth) and all(st == "pending" and n >= 2 for n, st in rows)

        await wait_until(tried_twice_each, 60, "two failed attempts per submission")
        await receiver.start()  # back up
        try:
            await settle(services, timeout=60)
        finally:
            await receiver.stop()
        figures = await tally("staff webhook down, then back", services.sessionmaker, ledger, fake_bot_api)
    keys = [r["idempotency_key"] for r in receiver.received]
    figures.extra.update(forwarded=len(keys), forwarded_twice=len(keys) - len(set(keys)))
    figures.report().assert_clean()
    assert receiver.bad_signatures == 0
    assert len(set(keys)) == len(youth) and len(keys) == len(youth)


async def test_repeated_and_reordered_deliveries_are_handled_once(fake_bot_api, tmp_path):
    ledger = Ledger(fake_bot_api)
    port = free_port()
    settings = _settings(fake_bot_api, tmp_path, web_port=port, webhook_url=f"http://127.0.0.1:{port}/telegram/webhook")
    url, headers = settings.webhook_url, {SECRET_HEADER: webhook_secret(settings)}
    rng = random.Random(20250301)
    async with running_bot(settings) as services, aiohttp.ClientSession() as http:

        async def post(update: dict) -> int:
            async with http.post(url, json=update, headers=headers) as resp:
                return resp.status

        # A reference youth whose updates arrive once, in order.
        reference = Youth.new(fake_bot_api, services, first_name="Sam", language_code="en")
        await reference.start()
        await reference.press("English")
        youth = [Youth.new(fake_bot_api, services, first_name="Sam", language_code="en") for _ in range(8)]
        # /start of every youth, with update ids that do not follow the order they
        # arrive in across chats; each arrives twice, at the same time.
        starts = []
        for i, y in enumerate(youth):
            message = {
                "message_id": y.user.chat.new_message_id(),
                "from": y.user.api,
                "chat": y.user.chat.api,
                "date": fake_bot_api.now(),
                "text": "/start",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            }
            starts.append({"update_id": 900_000 + i * 7, "message": message})
        ledger.updates.extend(starts)
        deliveries = starts * 2
        rng.shuffle(deliveries)
        assert set(await asyncio.gather(*(post(u) for u in deliveries))) == {200}
        await settle(services)
        # Everyone presses "English" through Telegram's own delivery while the same
        # updates also come again, shuffled, some before Telegram's copy.
        pressed_from = len(ledger.updates)
        for y in youth:
            await y.user.press("English")
        again = ledger.updates[pressed_from:] + starts
        rng.shuffle(again)
        assert set(await asyncio.gather(*(post(u) for u in again))) == {200}
        await settle(services)
        figures = await tally("repeated and reordered deliveries", services.sessionmaker, ledger, fake_bot_api)
        async with services.sessionmaker() as s:
            from storage.models import Inbox

            inbox_rows = await s.scalar(select(func.count()).select_from(Inbox))
    figures.extra.update(
        deliveries=len(deliveries) + len(again) + len(ledger.updates) - len(starts), inbox_rows=inbox_rows
    )
    figures.report().assert_clean()
    assert inbox_rows == len(ledger.ids)
    for y in youth:  # exactly what the reference youth saw: nothing answered twice
        assert y.texts() == reference.texts()
    assert figures.sent_twice == 0
    assert fake_bot_api.rejected == []


BROKEN_FLOW = """\
id: share_idea
title: Share an idea
start: intro
steps:
  - id: intro
    type: teleport
    text: "This step type does not exist"
    next: nowhere
"""


async def test_a_flow_file_broken_mid_flow(fake_bot_api, tmp_path):
    ledger = Ledger(fake_bot_api)
    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    settings = _settings(fake_bot_api, tmp_path, flows_dir=flows)
    async with running_bot(settings) as services:
        youth = [Youth.new(fake_bot_api, services, first_name=f"Dreamt{i}", language_code="en") for i in range(6)]
        await asyncio.gather(*(through_share_idea(y, TO_THE_IDEA) for y in youth))
        (flows / "share_idea.yaml").write_text(BROKEN_FLOW, encoding="utf-8")
        problems = services.reload_content()
        # The youth mid-flow go on; a youth who starts now gets the last good flow.
        late = Youth.new(fake_bot_api, services, first_name="Latecomer", language_code="en")
        await asyncio.gather(
            *(through_share_idea(y, TO_THE_END) for y in youth), through_share_idea(late, TO_THE_IDEA + TO_THE_END)
        )
        await settle(services)
        subs = await _submissions(services)
        figures = await tally("flow file broken mid-flow", services.sessionmaker, ledger, fake_bot_api)
        # Admins see the problem: /healthz counts it, the dashboard's flows page shows it.
        base = f"http://127.0.0.1:{settings.web_port}"
        await add_staff(services.sessionmaker, "ada", "admin")
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:  # 127.0.0.1
            async with http.get(f"{base}/healthz") as resp:
                health = await resp.json()
            async with http.get(f"{base}/staff/login") as resp:
                token = csrf_of(await resp.text())
            async with http.post(
                f"{base}/staff/login", data={"name": "ada", "password": PASSWORD, "csrf_token": token}
            ) as resp:
                assert resp.status == 200
            async with http.get(f"{base}/staff/flows") as resp:
                flows_page = await resp.text()
    figures.extra.update(problems=len(problems), submissions=subs)
    figures.report().assert_clean()
    assert problems and all("share_idea.yaml" in p for p in problems), problems
    assert subs == len(youth) + 1
    assert health["content"]["problems"] >= 1
    assert "teleport" in flows_page and "share_idea.yaml" in flows_page


async def test_postgresql_restarted_under_load(fake_bot_api, tmp_path, caplog):
    caplog.set_level("WARNING")
    pg = PrivatePostgres().init()
    pg.start()
    ledger = Ledger(fake_bot_api)
    try:
        async with running_bot(_settings(fake_bot_api, tmp_path, db_url=pg.url)) as services:
            youth = [Youth.new(fake_bot_api, services, first_name=f"Pretend{i}", language_code="en") for i in range(10)]
            await asyncio.gather(*(through_share_idea(y, TO_THE_IDEA[:-1]) for y in youth))
            for y in youth:  # load in flight ...
                await y.user.press("School")
            await asyncio.to_thread(pg.stop)  # ... when the database goes away
            for y in youth:  # and youth keep writing while it is away
                await y.user.send_text(IDEA)
            await wait_until(lambda: "polling failed" in caplog.text, 60, "the bot to notice")
            await asyncio.to_thread(pg.start)
            await settle(services, timeout=120)  # it recovers by itself
            await asyncio.gather(*(through_share_idea(y, TO_THE_END[1:]) for y in youth))
            await settle(services)
            subs = await _submissions(services)
            figures = await tally("PostgreSQL restarted under load", services.sessionmaker, ledger, fake_bot_api)
    finally:
        pg.destroy()
    figures.extra.update(submissions=subs)
    figures.report().assert_clean()
    assert subs == len(youth)
    assert "Traceback" not in caplog.text
