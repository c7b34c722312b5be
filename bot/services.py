"""The long-lived things one bot process holds, built once at start.

Handlers receive this container instead of reaching for globals, so tests can build
one around a temporary database and flow folder.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.engine.flowset import FlowSet
from bot.engine.registry import FlowRegistry
from bot.base.flows_dir import seed_flows
from bot.i18n.catalogs import Catalogs, Translator
from bot.base.metrics import Metrics
from bot.privacy.pseudonym import load_or_create_key
from bot.safeguarding import Lexicon, load_lexicon
from bot.base.problems import StartupError
from bot.base.settings import Settings
from storage.db import make_engine, make_sessionmaker

log = logging.getLogger(__name__)

LEXICON_FILE = "safeguarding.yaml"


@dataclass
class Services:
    settings: Settings
    db: AsyncEngine
    sessionmaker: async_sessionmaker
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


def build_services(settings: Settings) -> Services:
    """Load and check everything; raise StartupError on invalid content."""
    seed_flows(settings)  # FLOWS_SEED_DIR: the shipped flows into an empty FLOWS_DIR
    registry = FlowRegistry(settings.flows_dir)
    problems = [str(p) for p in registry.reload()]
    lexicon, lex_problems = load_lexicon(settings.flows_dir / LEXICON_FILE, settings.languages)
    problems += [str(p) for p in lex_problems]
    if problems or registry.current is None:
        raise StartupError("the flows have problems:\n" + "\n".join(problems or ["no flows found"]))
    catalogs = Catalogs.load(
        settings.locales_dir, settings.languages, settings.default_language, settings.show_fuzzy
    )
    engine = make_engine(settings.database_url)
    return Services(
        settings=settings,
        db=engine,
        sessionmaker=make_sessionmaker(engine),
        flows=registry,
        catalogs=catalogs,
        lexicon=lexicon,
        pseudonym_key=load_or_create_key(settings),
    )
