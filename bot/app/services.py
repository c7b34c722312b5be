"""Building the Services of one process: seed, load and check the content, open the database."""

from __future__ import annotations

from bot.base.flows_dir import seed_flows
from bot.base.problems import StartupError
from bot.base.settings import Settings
from bot.dialogue.services import LEXICON_FILE, Services
from bot.engine.registry import FlowRegistry
from bot.i18n.catalogs import Catalogs
from bot.privacy.pseudonym import load_or_create_key
from bot.safeguarding import load_lexicon
from storage.db import make_engine, make_sessionmaker


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
        settings.locales_dir,
        settings.languages,
        settings.default_language,
        settings.show_fuzzy,
        settings.unreviewed_fallback,
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
