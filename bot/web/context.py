"""What every dashboard handler needs, kept on the Application under one key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from jinja2 import Environment
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.dialogue.campaign_flows import CampaignFlows
from bot.web.labels import UI_LANGUAGE
from bot.web.ratelimit import LoginLimiter
from storage import campaigns


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
    campaign_flows: CampaignFlows = field(default_factory=CampaignFlows)  # one-question campaigns' flows seen here

    def flowset(self) -> Any:
        """The live FlowSet, or None while no valid set is loaded."""
        flowset, _problems = self.flows_provider()
        return flowset

    def flows(self) -> list[Any]:
        flowset = self.flowset()
        return list(flowset.flows.values()) if flowset is not None else []

    async def know_campaigns(self, s: AsyncSession | None = None) -> None:
        """Know every one-question campaign's flow (each built once in this process)."""
        if s is None:
            async with self.sessionmaker() as own:
                return await self.know_campaigns(own)
        await self.campaign_flows.know(s, [c.flow_id for c in await campaigns.all_campaigns(s) if c.question])

    def shown_flows(self) -> list[Any]:
        """The flow files' flows, then the one-question campaigns' known (know_campaigns),
        in the dashboard's language: what submissions are titled, filtered and counted by."""
        return self.flows() + self.campaign_flows.flows_in(UI_LANGUAGE)

    def known_flowset(self) -> Any:
        """The live FlowSet with the campaigns' flows known here, in the default language
        (what youth and the staff cards see), or None."""
        files = self.flowset()
        return self.campaign_flows.flowset(files) if files is not None else None

    def translator(self, lang: str) -> Any:
        """The catalogs' translator for `lang`, with the known one-question campaigns' words."""
        return self.campaign_flows.translator(self.catalogs(), lang)

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
