"""Operational endpoints: /healthz (is this process healthy?) and /metrics
(Prometheus text format, no personal data)."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import func, select, text

from storage import outbox
from storage.models import Session

if TYPE_CHECKING:
    from bot.services import Services

DB_TIMEOUT = 3.0
BACKLOG_AGE_LIMIT = 300.0  # seconds: an older unsent row means sending is stuck


async def health(services: Services) -> tuple[bool, dict[str, Any]]:
    report: dict[str, Any] = {}
    ok = True
    try:
        async with asyncio.timeout(DB_TIMEOUT):
            async with services.sessionmaker() as s:
                await s.execute(text("SELECT 1"))
                count, oldest = await outbox.backlog(s)
        age = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
        report["database"] = "ok"
        report["outbox"] = {"backlog": count, "oldest_pending_seconds": round(age, 1)}
        if age > BACKLOG_AGE_LIMIT:
            ok = False
            report["outbox"]["problem"] = "sending is stuck"
    except Exception as exc:
        ok = False
        report["database"] = f"unreachable ({type(exc).__name__})"
    report["updates"] = _updates_flowing(services)
    if report["updates"].startswith("stalled"):
        ok = False
    report["flows"] = "ok" if not services.flows.problems else f"{len(services.flows.problems)} problems (last good set live)"
    report["status"] = "ok" if ok else "unhealthy"
    return ok, report


def _updates_flowing(services: Services) -> str:
    loop = asyncio.get_running_loop()
    poller = services.extra.get("poller")
    if poller is not None:
        limit = services.settings.poll_timeout * 2 + 30
        if poller.last_poll_ok is None or loop.time() - poller.last_poll_ok > limit:
            return "stalled: getUpdates has not succeeded lately"
        return "polling"
    if services.extra.get("webhook") is not None:
        return "webhook"
    return "simulator only"


def add_system_routes(app: web.Application, services: Services) -> None:
    async def healthz(request: web.Request) -> web.Response:
        ok, report = await health(services)
        return web.json_response(report, status=200 if ok else 503)

    async def metrics(request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(DB_TIMEOUT):
                async with services.sessionmaker() as s:
                    rows = (await s.execute(
                        select(Session.flow_id, Session.state["lang"].as_string(), func.count())
                        .where(Session.status == "active").group_by(Session.flow_id, Session.state["lang"].as_string())
                    )).all()
            services.metrics.sessions.clear()
            for flow, lang, n in rows:
                services.metrics.sessions.labels(flow=flow, language=lang or "").set(n)
        except Exception:
            pass  # the other metrics still help when the database is away
        return web.Response(body=services.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
