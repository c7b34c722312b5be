"""Operational endpoints: /healthz (is this process healthy?) and /metrics
(Prometheus text format, no personal data).

/healthz answers 200 with `"status": "ok"`, or 503 with `"status": "unhealthy"` and
a `problems` list in plain words, when the database cannot be reached, updates have
stopped flowing (the polling loop has not succeeded lately) or the outbox is stuck
(its oldest unsent row is older than BACKLOG_AGE_LIMIT and nothing was sent to that
row's chat within PROGRESS_WINDOW). An old row whose chat is being sent to is a
backlog paced by Telegram (about a message a second per chat), not a fault: 200,
with a note. Flow problems do not make it unhealthy: the last good set stays live,
and the report says so.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from storage import inbox, outbox, sessions, translations
from storage.db import ping

if TYPE_CHECKING:
    from bot.dialogue.services import Services

DB_TIMEOUT = 3.0
BACKLOG_AGE_LIMIT = 300.0  # seconds: an older unsent row means sending is stuck, unless…
PROGRESS_WINDOW = 120.0  # …its chat was sent to within this many seconds (paced, not stuck)


async def health(services: Services) -> tuple[bool, dict[str, Any]]:
    problems: list[str] = []
    report: dict[str, Any] = {}
    try:
        async with asyncio.timeout(DB_TIMEOUT):
            async with services.sessionmaker() as s:
                await ping(s)
                count, oldest = await outbox.backlog(s)
                pending = await inbox.pending_count(s)
                now = datetime.now(UTC)
                age = (now - oldest).total_seconds() if oldest else 0.0
                report["outbox"] = {"backlog": count, "oldest_pending_seconds": round(age, 1)}
                if age > BACKLOG_AGE_LIMIT:
                    since = await _since_progress(s, now)
                    if since is not None and since <= PROGRESS_WINDOW:
                        report["outbox"]["note"] = (
                            f"backlog paced by Telegram: its oldest row's chat was last sent to {since:.0f}s ago"
                        )
                    else:
                        problems.append(
                            f"the outbox is stuck: its oldest unsent row is {age:.0f}s old and "
                            f"nothing was sent to its chat in the last {PROGRESS_WINDOW:.0f}s"
                        )
                report["translations"] = await _translations(services, s, now)
        report["database"] = "ok"
        report["inbox"] = {"backlog": pending or 0}
    except Exception as exc:  # refused, gone, timed out, …: the kind is enough
        report["database"] = f"unreachable ({type(exc).__name__})"
        problems.append("the database cannot be reached")
    updates_ok, report["updates"] = _updates(services)
    if not updates_ok:
        problems.append("updates are not flowing: getUpdates has not succeeded lately")
    report["content"] = _content(services)
    report["status"] = "unhealthy" if problems else "ok"
    if problems:
        report["problems"] = problems
    return not problems, report


async def _translations(services: Services, s: Any, now: datetime) -> dict[str, Any]:
    """The machine translation backlog and what the provider answered (a provider that is
    down delays translations and is reported here; it does not make the process unhealthy)."""
    count, oldest = await translations.backlog(s)
    report: dict[str, Any] = {
        "backlog": count,
        "oldest_pending_seconds": round((now - oldest).total_seconds(), 1) if oldest else 0.0,
    }
    worker = services.runtime.translations
    if worker is None:
        report["provider"] = "none (TRANSLATE_URL unset)"
    elif worker.languages is None or worker.languages_error:
        report["provider"] = f"not answering: {worker.languages_error or 'not asked yet'}"
    else:
        report["provider"] = "ok"
        report["languages"] = sorted(worker.languages)
    return report


async def _since_progress(s: Any, now: datetime) -> float | None:
    """Seconds since a row was last sent to the chat of the oldest pending row."""
    oldest = await outbox.oldest_pending(s)
    last = await outbox.last_sent_to(s, oldest[1]) if oldest else None
    return (now - last).total_seconds() if last else None


def _updates(services: Services) -> tuple[bool, dict[str, Any]]:
    """Is the intake alive? (polling: getUpdates succeeded lately; webhook: listening)"""
    now = asyncio.get_running_loop().time()
    runtime = services.runtime
    poller = runtime.poller
    if poller is not None:
        lead = runtime.poll_lead
        if lead is not None and not lead.held:
            return True, {"mode": "polling", "state": "standby: another process polls"}
        limit = services.settings.poll_timeout * 2 + 30
        started = runtime.started_at if runtime.started_at is not None else now
        since = poller.last_poll_ok if poller.last_poll_ok is not None else started
        ok = now - since <= limit
        report: dict[str, Any] = {"mode": "polling", "state": "flowing" if ok else "stalled"}
        if poller.last_poll_ok is not None:
            report["last_poll_seconds"] = round(now - poller.last_poll_ok, 1)
        return ok, report
    endpoint = runtime.webhook
    if endpoint is not None:
        report = {"mode": "webhook", "state": "listening"}
        if endpoint.last_update_at is not None:
            report["last_update_seconds"] = round(now - endpoint.last_update_at, 1)
        return True, report
    return True, {"mode": "simulator", "state": "no Telegram intake (no TELEGRAM_BOT_TOKEN)"}


def _content(services: Services) -> dict[str, Any]:
    current = services.flows.current
    reloader = services.runtime.reloader
    problems = len(reloader.problems if reloader is not None else services.flows.problems)
    report: dict[str, Any] = {"flows": len(current.flows) if current else 0, "problems": problems}
    if problems:
        report["note"] = "the files on disk have problems; the last good set is live"
    return report


def add_system_routes(app: web.Application, services: Services) -> None:
    async def healthz(request: web.Request) -> web.Response:
        ok, report = await health(services)
        return web.json_response(report, status=200 if ok else 503)

    async def metrics(request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(DB_TIMEOUT):
                async with services.sessionmaker() as s:
                    services.metrics.set_backlogs(
                        await outbox.backlog(s),
                        await inbox.pending_count(s),
                        await sessions.active_per_flow_language(s),
                    )
                    services.metrics.translation_backlog.set((await translations.backlog(s))[0])
        except Exception:
            pass  # the other metrics still help when the database is away
        return web.Response(body=services.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
