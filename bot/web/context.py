"""What every dashboard handler needs, kept on the Application under one key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from jinja2 import Environment
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.web.ratelimit import LoginLimiter


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class WebContext:
    sessionmaker: async_sessionmaker[AsyncSession]
    settings: Any
    flows_provider: Callable[[], tuple[Any, list[Any]]]  # () -> (FlowSet | None, problems)
    catalogs_provider: Callable[[], Any] | None
    templates: Environment
    limiter: LoginLimiter
    clock: Callable[[], datetime] = utcnow
    reload_content: Callable[[str], Awaitable[list[str]]] | None = None  # (reason) -> problems
    metrics: Any = None  # the process's bot.base.metrics.Metrics, when the bot runs beside the dashboard

    def flowset(self) -> Any:
        """The live FlowSet, or None while no valid set is loaded."""
        flowset, _problems = self.flows_provider()
        return flowset

    def flows(self) -> list[Any]:
        flowset = self.flowset()
        return list(flowset.flows.values()) if flowset is not None else []

    def catalogs(self) -> Any:
        if self.catalogs_provider is not None:
            return self.catalogs_provider()
        from bot.i18n.catalogs import get_catalogs

        return get_catalogs(self.settings)


CONTEXT = web.AppKey("sammanbot_web_context", WebContext)
# The logged-in staff member of a request (bot.web.auth.Staff or None). aiohttp >= 3.13
# wants typed request keys; older versions take a plain string.
STAFF: Any = web.RequestKey("sammanbot_staff", object) if hasattr(web, "RequestKey") else "sammanbot_staff"


def ctx(request: web.Request) -> WebContext:
    return request.config_dict[CONTEXT]
