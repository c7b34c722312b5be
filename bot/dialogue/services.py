"""The long-lived things one bot process holds, built once at start (by
`bot.app.services.build_services`, or a test around a temporary database).

Defined here, below the adapters, so that dialogue, telegram/ and web/ are handed what
they need, typed, without importing the process that fills it (bot.app).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.engine.flowset import FlowSet
from bot.engine.registry import FlowRegistry
from bot.i18n.catalogs import Catalogs, Translator
from bot.base.metrics import Metrics
from bot.safeguarding import Lexicon, load_lexicon
from bot.base.settings import Settings

LEXICON_FILE = "safeguarding.yaml"


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
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def flowset(self) -> FlowSet:
        assert self.flows.current is not None
        return self.flows.current

    def translator(self, lang: str | None) -> Translator:
        return self.catalogs.translator(lang or self.settings.default_language)

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
