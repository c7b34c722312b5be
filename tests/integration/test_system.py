"""/healthz and /metrics of a running bot (in-process, against the fake Bot API):
healthy while it works, unhealthy when its PostgreSQL database is dropped, and
metrics that name what matters and carry nothing about the youth."""

from __future__ import annotations

import re

import aiohttp
import asyncpg

from tests.botfixtures import bot_settings, running_bot
from tests.dbfixtures import PG_ADMIN_DSN, fresh_pg_url
from tests.youth import Youth, settle

METRIC_NAMES = [
    "sammanbot_updates_total",
    "sammanbot_update_errors_total",
    "sammanbot_answer_latency_seconds_bucket",
    "sammanbot_answer_latency_seconds_count",
    "sammanbot_api_calls_total",
    "sammanbot_429_total",
    "sammanbot_outbox_backlog",
    "sammanbot_outbox_oldest_seconds",
    "sammanbot_inbox_backlog",
    "sammanbot_sessions",
    "sammanbot_content_problems",
]


async def get(settings, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{settings.web_port}{path}") as resp:
            return resp.status, await resp.text()


def sample(body: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format."""
    for line in body.splitlines():
        if not line.startswith(name):
            continue
        head, _, value = line.rpartition(" ")
        if head.split("{", 1)[0] == name and all(f'{k}="{v}"' in head for k, v in labels.items()):
            return float(value)
    raise AssertionError(f"no sample {name} {labels}")


async def test_metrics_name_what_matters_and_nothing_personal(fake_bot_api, tmp_path):
    group = fake_bot_api.new_group("Sammanhacket team")
    settings = bot_settings(
        fake_bot_api, f"sqlite+aiosqlite:///{tmp_path}/bot.db", tmp_path, staff_chat_id=group.chat.id
    )
    async with running_bot(settings) as services:
        youth = Youth.new(
            fake_bot_api,
            services,
            first_name="Zaynab",
            last_name="Qaderi",
            username="zaynab_q_7731",
            language_code="en",
        )
        fake_bot_api.faults.fail_next(status=429, retry_after=1, method="sendMessage")  # "slow down", once
        await youth.start()
        await youth.press("English")
        await youth.write("I am Zaynab Qaderi, call me on +46 70 123 45 67")
        await settle(services)

        status, health = await get(settings, "/healthz")
        assert status == 200, health
        assert '"status": "ok"' in health and '"mode": "polling"' in health
        status, body = await get(settings, "/metrics")
        assert status == 200

    for name in METRIC_NAMES:
        assert re.search(rf"^{name}[{{ ]", body, re.M), f"{name} missing from /metrics"
    assert sample(body, "sammanbot_updates_total", kind="message") >= 2
    assert sample(body, "sammanbot_updates_total", kind="callback") >= 1
    assert sample(body, "sammanbot_answer_latency_seconds_count") >= 3
    assert sample(body, "sammanbot_429_total") >= 1
    assert sample(body, "sammanbot_api_calls_total", method="sendMessage", outcome="ok") >= 2
    assert sample(body, "sammanbot_sessions", flow="onboarding", language="en") == 1
    assert sample(body, "sammanbot_outbox_backlog") == 0
    user = youth.user
    for personal in ("Zaynab", "Qaderi", "zaynab_q_7731", "70 123", str(user.id), str(user.chat.id)):
        assert personal not in body, f"{personal!r} in /metrics"
        assert personal not in health, f"{personal!r} in /healthz"


async def test_healthz_goes_unhealthy_when_the_database_is_gone(fake_bot_api, tmp_path):
    async with fresh_pg_url() as url:
        settings = bot_settings(fake_bot_api, url, tmp_path)
        async with running_bot(settings):
            status, health = await get(settings, "/healthz")
            assert status == 200, health
            assert '"database": "ok"' in health

            name = url.rsplit("/", 1)[1]
            admin = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
            try:
                await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            finally:
                await admin.close()

            status, health = await get(settings, "/healthz")
            assert status == 503, health
            assert '"status": "unhealthy"' in health
            assert '"database": "unreachable' in health
            assert "the database cannot be reached" in health
            # /metrics still answers, with what the process knows by itself
            status, body = await get(settings, "/metrics")
            assert status == 200 and "sammanbot_updates_total" in body


def test_logs_are_text_or_json_lines_with_tokens_masked():
    import json
    import logging

    from bot.base.logs import JsonFormatter, TextFormatter

    token = "7012345678:AAH3x-very_secret_token_value_0123456789"
    try:
        raise ConnectionError(f"POST https://api.telegram.org/bot{token}/sendMessage failed")
    except ConnectionError:
        record = logging.LogRecord(
            "bot.telegram.sender",
            logging.WARNING,
            __file__,
            1,
            "call failed for update %s",
            (42,),
            exc_info=__import__("sys").exc_info(),
        )
    text, line = TextFormatter().format(record), JsonFormatter().format(record)
    assert " WARNING bot.telegram.sender: call failed for update 42" in text
    entry = json.loads(line)
    assert (entry["level"], entry["logger"], entry["message"]) == (
        "warning",
        "bot.telegram.sender",
        "call failed for update 42",
    )
    assert "\n" not in line
    for out in (text, line):
        assert "very_secret_token" not in out and "7012345678:<token>" in out


async def _healthz_of(db) -> tuple[int, dict]:
    """/healthz over HTTP for a process that only looks at the database `db`."""
    import json
    from types import SimpleNamespace

    from aiohttp import web

    from bot.base.settings import Settings
    from bot.dialogue.services import Runtime
    from bot.web.system import add_system_routes
    from tests.botfixtures import free_port

    services = SimpleNamespace(
        sessionmaker=db.sessionmaker,
        runtime=Runtime(),
        settings=Settings(_env_file=None),
        flows=SimpleNamespace(current=None, problems=[]),
    )
    app = web.Application()
    add_system_routes(app, services)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                return resp.status, json.loads(await resp.text())
    finally:
        await runner.cleanup()


async def test_healthz_tells_a_backlog_paced_by_telegram_from_a_stuck_outbox(db):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from storage import outbox
    from storage.models import Outbox

    flooded, other = 700_100_001, 700_100_002
    now = datetime.now(UTC)
    long_ago = now - timedelta(seconds=400)  # past /healthz's 300 s
    async with db.sessionmaker.begin() as s:
        rows = [
            await outbox.enqueue(s, chat_id=flooded, method="sendMessage", payload={"text": "…"}, now=long_ago)
            for _ in range(40)
        ]
        await s.flush()
        # Telegram's pace for one chat: its rows go, one a second or so
        await outbox.mark_sent(s, [(row.id, {"message_id": i}) for i, row in enumerate(rows[:5])], now)

    status, report = await _healthz_of(db)
    assert status == 200, report
    assert report["status"] == "ok" and report["outbox"]["backlog"] == 35
    assert report["outbox"]["oldest_pending_seconds"] > 300
    assert "backlog paced by Telegram" in report["outbox"]["note"]

    # nothing went to that chat for ten minutes: stuck, whatever other chats get
    async with db.sessionmaker.begin() as s:
        await s.execute(update(Outbox).where(Outbox.status == "sent").values(sent_at=now - timedelta(minutes=10)))
        fresh = await outbox.enqueue(s, chat_id=other, method="sendMessage", payload={"text": "…"}, now=now)
        await s.flush()
        await outbox.mark_sent(s, [(fresh.id, {"message_id": 99})], now)
    status, report = await _healthz_of(db)
    assert status == 503, report
    assert "note" not in report["outbox"]
    assert any("the outbox is stuck" in p and "nothing was sent to its chat" in p for p in report["problems"])
