"""`python -m bot demo`: fill a fresh database with invented youth, so every dashboard
page has something to show.

About thirty invented youth in all eight languages go through onboarding and the
idea, need and feedback flows on the live flows (some leave half-way, some are under
13 or say no to consent); their submissions get statuses, tags, notes about follow-ups,
and there are urgent (safeguarding) cards. Everything is written the way the bot
writes it (`bot.cli.demo.load`). It refuses a database that holds real youth or
submissions, and a second run adds nothing.
"""

from __future__ import annotations

from bot.base.invocation import bot_command

import asyncio
import sys
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from bot.cli.demo.load import Totals, add_youth, already_loaded, holds_real_data
from bot.cli.demo.youth import YOUTH

if TYPE_CHECKING:
    from bot.base.settings import Settings

LEXICON_FILE = "safeguarding.yaml"


class DemoRefused(Exception):
    """The demo will not touch this database; the message says why."""


async def load_demo(settings: Settings, now: datetime | None = None) -> Totals | None:
    """Migrate the database and add the demo youth; None when they are there already."""
    from bot.engine import load_flows
    from bot.safeguarding import load_lexicon
    from storage.db import make_engine, make_sessionmaker
    from storage.migrate import ensure_schema
    from storage.models import utcnow

    flowset, problems = load_flows(settings.flows_dir)
    if flowset is None or problems:
        first = problems[0] if problems else "no flows found"
        raise DemoRefused(f"the flows have problems ({first}); run `{bot_command('flows check')}`")
    lexicon, _ = load_lexicon(settings.flows_dir / LEXICON_FILE, settings.languages)
    url = settings.database_url
    await ensure_schema(url)
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine).begin() as s:
            if await holds_real_data(s):
                raise DemoRefused(
                    "the database holds real data (youth or submissions not from the demo); "
                    "the demo only fills a fresh database (set DATABASE_URL to another one)"
                )
            if await already_loaded(s):
                return None
            totals, when = Totals(), now or utcnow()
            for number, youth in enumerate(YOUTH, start=1):
                await add_youth(s, flowset, lexicon, number, youth, when, totals)
    finally:
        await engine.dispose()
    return totals


def demo_command(out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    from bot.base.settings import get_settings
    from storage.db import masked

    settings = get_settings()
    where = masked(settings.database_url)
    try:
        totals = asyncio.run(load_demo(settings))
    except DemoRefused as exc:
        print(f"demo: not loaded into {where}: {exc}", file=err)
        return 1
    except Exception as exc:  # noqa: BLE001 - one line at the command line, not a traceback
        print(f"demo: could not load into {where}: {type(exc).__name__}: {exc}", file=err)
        return 1
    if totals is None:
        print(f"demo: {where} already holds the demo data; nothing added", file=out)
        return 0
    print(
        f"demo: loaded into {where}: {totals.youth} invented youth in {len(totals.languages)} languages, "
        f"{totals.submissions} submissions ({totals.urgent} urgent).\n"
        f"See them: create an account with `{bot_command('staff add NAME --role admin')}`, then `make run` "
        f"and open http://{settings.web_host}:{settings.web_port}/staff/",
        file=out,
    )
    return 0
