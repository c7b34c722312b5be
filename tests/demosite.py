"""A dashboard on a database filled by `python -m bot demo`'s loader, with the shipped
flows and catalogs: what a newcomer sees after `make demo` and `make run`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.safeguarding import CATEGORIES
from tests.webfixtures import FakeClock, Site, add_staff

ROOT = Path(__file__).resolve().parent.parent


def demo_settings(url: str) -> Any:
    from bot.base.settings import Settings

    return Settings(
        _env_file=None,
        database_url=url,
        flows_dir=ROOT / "flows",
        locales_dir=ROOT / "locales",
        pseudonym_key="an invented key for the demo tests",
    )


async def make_demo_site(url: str, *, admin: str = "ada") -> tuple[Site, Any]:
    """The site (demo data loaded, `admin` can log in) and its engine (dispose it when done)."""
    from bot.cli.demo import load_demo
    from bot.engine import FlowRegistry
    from bot.web.app import create_web_app
    from storage.db import make_engine, make_sessionmaker

    settings = demo_settings(url)
    await load_demo(settings)
    engine = make_engine(url)
    registry = FlowRegistry(settings.flows_dir)
    registry.reload()
    sessionmaker = make_sessionmaker(engine)
    await add_staff(sessionmaker, admin, "admin")
    clock = FakeClock()
    app = create_web_app(
        sessionmaker=sessionmaker,
        settings=settings,
        flows_provider=lambda: (registry.current, registry.problems),
        clock=clock,
    )
    return Site(app, sessionmaker, settings, clock), engine


def raw_ids(flowset) -> set[str]:
    """Ids staff must never read as labels: flow ids, choice ids and answer names with an
    underscore, safeguarding categories, and language codes of more than one part."""
    ids = {f.id for f in flowset.flows.values()} | set(CATEGORIES) | {"fa_AF"}
    for flow in flowset.flows.values():
        for step in flow.steps.values():
            ids |= {c.id for c in getattr(step, "choices", None) or []}
            ids.add(getattr(step, "save", None) or "")
    return {i for i in ids if "_" in i}
