"""The web simulator over HTTP runs the real bot's pipeline on the shipped flows:
crisis words get the helplines in the youth's language and the question again, the
team's card is shown, and nothing stays in the database. All texts are invented."""

from __future__ import annotations

from bot.dialogue.crisis import TALK_DATA
from bot.i18n.staffed import TALK_SENT

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from markupsafe import escape
from sqlalchemy import func, select

from bot.i18n import texts
from storage.models import Answer, Outbox, Participant, Submission
from tests.webfixtures import PASSWORD, add_staff, csrf_of

ROOT = Path(__file__).resolve().parents[2]
DISTRESS = "أريد أن أموت، لا أحد يهتم بي"


@pytest.fixture
async def site(tmp_path):
    from bot.engine import FlowRegistry
    from bot.i18n.catalogs import Catalogs
    from bot.base.settings import Settings
    from bot.web.app import create_web_app
    from storage.db import make_engine, make_sessionmaker
    from storage.migrate import ensure_schema

    url = f"sqlite+aiosqlite:///{tmp_path / 'web.db'}"
    await ensure_schema(url)
    engine = make_engine(url)
    settings = Settings(
        _env_file=None,
        database_url=url,
        flows_dir=ROOT / "flows",
        locales_dir=ROOT / "locales",
        var_dir=tmp_path / "var",
    )
    registry = FlowRegistry(settings.flows_dir)
    registry.reload()
    catalogs = Catalogs.load(settings.locales_dir, settings.languages, settings.default_language)
    sessionmaker = make_sessionmaker(engine)
    await add_staff(sessionmaker, "ada", "admin")
    app = create_web_app(
        sessionmaker=sessionmaker,
        settings=settings,
        flows_provider=lambda: (registry.current, registry.problems),
        catalogs_provider=lambda: catalogs,
    )
    async with TestClient(TestServer(app)) as client:
        page = await client.get("/login")
        token = csrf_of(await page.text())
        await client.post("/login", data={"name": "ada", "password": PASSWORD, "csrf_token": token})
        yield client, sessionmaker, catalogs
    await engine.dispose()


async def count(sessionmaker, model) -> int:
    async with sessionmaker() as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


async def test_crisis_words_in_the_web_simulator(site):
    from bot.safeguarding import load_lexicon

    client, sessionmaker, catalogs = site
    ar = catalogs.translator("ar")
    lexicon, _ = load_lexicon(ROOT / "flows" / "safeguarding.yaml")
    *body, _button = lexicon.help_contexts()
    helplines = "\n\n".join(ar.gettext(msgid, context) for context, msgid, _ in body)

    t = csrf_of(await (await client.get("/simulator")).text())
    await client.post("/simulator/start", data={"csrf_token": t, "flow": "onboarding", "lang": "ar"})
    html = await (await client.get("/simulator")).text()
    age = ar.gettext("How old are you?", "onboarding/age")
    assert str(escape(age)) in html  # Arabic chosen: the language question was skipped
    await client.post("/simulator/send", data={"csrf_token": t, "text": DISTRESS})
    html = await (await client.get("/simulator")).text()
    assert str(escape(helplines)) in html and "116 111" in html
    after = html.split(str(escape(helplines)), 1)[1]
    assert str(escape(f"{ar.gettext(texts.AFTER_HELP)}\n{age}")) in after
    assert str(escape(ar.gettext(texts.REASONS["use_buttons"]))) not in html
    assert "The team would see:" in after and "🔴 URGENT — self_harm" in after
    # the age question came below it, and "talk to a person" is still there under the helplines
    helpline_item = html.split(str(escape(helplines)), 1)[1].split("</li>", 1)[0]
    assert f'name="data" value="{TALK_DATA}"' in helpline_item
    talk = ar.gettext(_button[1], _button[0])
    await client.post("/simulator/press", data={"csrf_token": t, "data": TALK_DATA, "label": talk})
    html = await (await client.get("/simulator")).text()
    assert str(escape(ar.gettext(TALK_SENT))) in html

    await client.post("/simulator/command", data={"csrf_token": t, "name": "help"})
    html = await (await client.get("/simulator")).text()
    assert html.count(str(escape(helplines))) == 2
    for model in (Participant, Answer, Submission, Outbox):  # a simulation leaves nothing behind
        assert await count(sessionmaker, model) == 0, model.__name__


async def test_the_simulated_youth_goes_on_between_requests(site):
    client, sessionmaker, catalogs = site
    t = csrf_of(await (await client.get("/simulator")).text())
    await client.post("/simulator/start", data={"csrf_token": t, "flow": "onboarding", "lang": "en"})
    for label in ("16–17", "Yes"):
        html = await (await client.get("/simulator")).text()
        data = html.split(f'name="label" value="{label}"')[0].rsplit('name="data" value="', 1)[1].split('"')[0]
        await client.post("/simulator/press", data={"csrf_token": t, "data": data, "label": label})
    html = await (await client.get("/simulator")).text()
    assert "Thank you! 🙏" in html and "Share an idea" in html  # consent kept: the menu
    await client.post("/simulator/command", data={"csrf_token": t, "name": "mydata"})
    html = await (await client.get("/simulator")).text()
    assert "Age group: 16–17" in html and "Age group: age_16_17" not in html  # the label, never the id
    assert await count(sessionmaker, Participant) == 0
