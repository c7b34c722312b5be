"""Helpers for the dashboard tests: invented submissions, staff accounts, a test flow.

Everything here is invented test data; no real person appears.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.web.passwords import hash_password
from storage import staff as staff_repo
from storage.models import Submission

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
ACCOUNT_FREE = 5  # failures in a row an account is allowed before it waits (bot/web/ratelimit.py)
ADDRESS_FREE = 30  # and a client address
_keys = itertools.count(1)

# A small flow in the engine's YAML format, for the flows page and the simulator.
TEST_FLOW = """\
id: idea
title: Share an idea
menu:
  order: 1
start: topic
expires_after: 3d
steps:
  - id: topic
    type: choice
    text: What is your idea about?
    save: topic
    forward: true
    choices:
      - id: school
        label: School
      - id: housing
        label: Housing
    next: idea
  - id: idea
    type: text
    text: Tell us your idea.
    save: idea
    forward: true
    next: thanks
  - id: thanks
    type: end
    text: Thank you!
"""


def write_test_flows(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "idea.yaml").write_text(TEST_FLOW, encoding="utf-8")
    return folder


def submission(**overrides: Any) -> Submission:
    n = next(_keys)
    values: dict[str, Any] = dict(
        key=f"test-{n}",
        participant_pseudonym=f"Calm Heron {n}",
        flow_id="idea",
        language="en",
        source=None,
        answers={"topic": "school", "idea": f"More football after school {n}"},
        urgent=False,
        status="new",
        tags=[],
        created_at=T0 + timedelta(minutes=n),
        updated_at=T0,
        is_test=False,
    )
    values.update(overrides)
    return Submission(**values)


async def add_machine_translation(s: Any, submission_id: int, idea: str, source: str = "ar") -> None:
    """An invented machine translation (into Swedish) of a submission's `idea` answer."""
    from storage import translations

    await translations.add(
        s,
        submission_id=submission_id,
        kind="machine",
        provider="libretranslate",
        source=source,
        target="sv",
        text=f"idea: {idea}",
        answers={"idea": idea},
        now=T0,
    )


async def add_staff(
    sessionmaker: Any, name: str, role: str, password: str = PASSWORD, languages: tuple[str, ...] = ()
) -> None:
    async with sessionmaker.begin() as s:
        await staff_repo.add_staff(
            s, name=name, role=role, password_hash=hash_password(password), now=T0, languages=languages
        )


AR_PO = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: ar\\n"
"Plural-Forms: nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);\\n"

msgctxt "idea/topic"
msgid "What is your idea about?"
msgstr "ما هي فكرتك؟"

msgctxt "idea/topic/school"
msgid "School"
msgstr "المدرسة"
"""


def write_test_locales(folder: Path) -> Path:
    po = folder / "ar" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    po.write_text(AR_PO, encoding="utf-8")
    return folder


@dataclass
class Site:
    """A dashboard app on a real database in a temporary folder."""

    app: web.Application
    sessionmaker: Any
    settings: Any
    clock: FakeClock


class FakeClock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def make_site(tmp_path: Path, url: str | None = None, **settings_values: Any) -> tuple[Site, Any]:
    """The site and its engine (dispose it when done); SQLite unless `url` is given."""
    from bot.engine import FlowRegistry
    from bot.i18n.catalogs import Catalogs
    from bot.base.settings import Settings
    from bot.web.app import create_web_app
    from storage.db import make_engine, make_sessionmaker
    from storage.migrate import ensure_schema

    url = url or f"sqlite+aiosqlite:///{tmp_path / 'web.db'}"
    settings_values.setdefault("pseudonym_key", "an invented key shared by the test's dashboards")
    await ensure_schema(url)
    engine = make_engine(url)
    settings = Settings(
        _env_file=None,
        database_url=url,
        flows_dir=write_test_flows(tmp_path / "flows"),
        locales_dir=settings_values.pop("locales_dir", None) or write_test_locales(tmp_path / "locales"),
        **settings_values,
    )
    registry = FlowRegistry(settings.flows_dir)
    registry.reload()
    catalogs = Catalogs.load(settings.locales_dir, settings.languages, settings.default_language)
    clock = FakeClock()
    sessionmaker = make_sessionmaker(engine)
    app = create_web_app(
        sessionmaker=sessionmaker,
        settings=settings,
        flows_provider=lambda: (registry.current, registry.problems),
        catalogs_provider=lambda: catalogs,
        clock=clock,
    )
    return Site(app, sessionmaker, settings, clock), engine


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no CSRF field on the page"
    return m.group(1)


async def login(client: TestClient, name: str, password: str = PASSWORD):
    page = await client.get("/login")
    token = csrf_of(await page.text())
    return await client.post(
        "/login", data={"name": name, "password": password, "csrf_token": token}, allow_redirects=False
    )


async def token(client: TestClient, path: str = "/submissions") -> str:
    return csrf_of(await (await client.get(path)).text())


def translation_form(page: str, text: tuple[str | None, str]) -> dict[str, str]:
    """The fields of one text's form on a Translations page (bot/web/text_review.py)."""
    from bot.web.text_review import text_anchor

    key = text_anchor(*text)
    m = re.search(rf'id="{key}".*?name="digest" value="([^"]*)".*?name="show" value="([^"]*)"', page, re.S)
    assert m, f"{text} is not on the page"
    return {"csrf_token": csrf_of(page), "key": key, "digest": m.group(1), "show": m.group(2)}
