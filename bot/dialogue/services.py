"""The long-lived things one bot process holds, built once at start (by
`bot.app.services.build_services`, or a test around a temporary database).

Defined here, below the adapters, so that dialogue, telegram/ and web/ are handed what
they need, typed, without importing the process that fills it (bot.app).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.dialogue.campaign_flows import CampaignFlows
from bot.engine.flowset import FlowSet
from bot.engine.registry import FlowRegistry
from bot.i18n.catalogs import Catalogs, Translator
from bot.base.metrics import Metrics
from bot.safeguarding import Lexicon, load_lexicon
from bot.base.settings import Settings

LEXICON_FILE = "safeguarding.yaml"


def utcnow() -> datetime:
    return datetime.now(UTC)


# What the adapters read of the running parts, described here so that this layer needs
# none of their types (they live in bot.telegram and bot.app, above it).
class Pokeable(Protocol):
    def poke(self) -> None: ...


class Worker(Pokeable, Protocol):
    handled: int
    failed: int


class Scheduler(Protocol):
    async def queue_ticks(self, now: datetime, limit: int = ...) -> int: ...


class Reloader(Protocol):
    problems: list[str]

    async def reload(self, reason: str) -> list[str]: ...


class Poller(Protocol):
    last_poll_ok: float | None


class Lead(Protocol):
    @property
    def held(self) -> bool: ...


class Translations(Protocol):
    languages: Any  # the provider's languages once read (None: not yet)
    languages_error: str | None


class WebhookIntake(Protocol):
    last_update_at: float | None


@dataclass(eq=False)
class Runtime:
    """The running parts of a process, set as it starts them (bot.app.run); all unset
    for the simulators and for tests that run no Telegram side."""

    started_at: float | None = None  # loop time
    reloader: Reloader | None = None
    bot: Any = None  # the telegram.Bot, once connected (a Telegram type, not this layer's)
    sender: Pokeable | None = None
    worker: Worker | None = None
    scheduler: Scheduler | None = None
    webhook: WebhookIntake | None = None  # webhook mode
    poller: Poller | None = None  # polling mode
    poll_lead: Lead | None = None  # polling mode: the lease on polling
    translations: Translations | None = None  # the machine translation worker, with TRANSLATE_URL
    background: set[asyncio.Task[None]] = field(default_factory=set)  # still writing after their update committed
    flow_upload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one flow upload at a time


@dataclass
class Services:
    settings: Settings
    db: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    flows: FlowRegistry
    catalogs: Catalogs
    lexicon: Lexicon | None
    pseudonym_key: bytes
    metrics: Metrics = field(default_factory=Metrics)
    bot_username: str | None = None
    runtime: Runtime = field(default_factory=Runtime)
    clock: Callable[[], datetime] = utcnow  # what staffed hours are judged by (tests set another)
    campaign_flows: CampaignFlows = field(default_factory=CampaignFlows)  # one-question campaigns' flows

    @property
    def flowset(self) -> FlowSet:
        """The flow files' set, with the one-question campaigns' flows known so far: what
        conversations run on."""
        return self.campaign_flows.flowset(self.file_flowset)

    @property
    def file_flowset(self) -> FlowSet:
        """The flow files' set alone: what an upload is checked against and /flows lists."""
        assert self.flows.current is not None
        return self.flows.current

    def translator(self, lang: str | None) -> Translator:
        return self.campaign_flows.translator(self.catalogs, lang or self.settings.default_language)

    def reload_content(self) -> list[str]:
        """Reload flows, catalogs and the crisis word list; keep the last good ones.

        Returns the problems found (as `file:line:col: message` lines).
        """
        problems = [str(p) for p in self.flows.reload()]
        lexicon, lex_problems = load_lexicon(self.settings.flows_dir / LEXICON_FILE, self.settings.languages)
        if lexicon is not None:
            self.lexicon = lexicon
        problems += [str(p) for p in lex_problems]
        self.catalogs.reload()
        return problems
