"""`python -m bot demo` and the dashboard it fills, on SQLite and PostgreSQL: every page
has data, staff read words instead of ids, and ids no database can hold answer 404."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.cli.demo.youth import YOUTH
from storage.models import Participant, Session, StepReach, Submission, SubmissionCount
from tests.demosite import ROOT, make_demo_site, raw_ids
from tests.webfixtures import login, token
from tests.webfixtures import submission

BIG = "99999999999999999999"  # past 2**64
JUST_PAST = str(2**63)  # one past the largest BIGINT


class _Text(HTMLParser):
    """The text a reader sees, outside <code> (file names and ids shown on purpose to admins)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("code", "style", "script", "title")

    def handle_endtag(self, tag):
        self.hidden -= tag in ("code", "style", "script", "title")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture
async def demo(db_url):
    site, engine = await make_demo_site(db_url)
    async with TestClient(TestServer(site.app)) as client:
        await login(client, "ada")
        yield site, client
    await engine.dispose()


async def _count(site, model, *where) -> int:
    async with site.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)))


async def test_demo_youth_in_eight_languages_fill_every_page_in_words(demo):
    site, client = demo
    async with site.sessionmaker() as s:
        languages = set((await s.scalars(select(Submission.language).distinct())).all())
        statuses = set((await s.scalars(select(Submission.status).distinct())).all())
        tagged = await s.scalar(select(func.count()).select_from(Submission).where(Submission.notes.is_not(None)))
    assert languages == {"sv", "en", "ar", "fa_AF", "ps", "so", "ti", "uk"}
    assert statuses == {"new", "reviewed", "shortlisted", "archived"} and tagged
    assert await _count(site, Submission, Submission.urgent.is_(True)) >= 2
    assert await _count(site, Participant) == len(YOUTH)
    assert await _count(site, Participant, ~Participant.key.startswith("demo-")) == 0
    assert await _count(site, Submission, Submission.source != "demo") == 0

    from bot.engine import load_flows

    flowset, _ = load_flows(ROOT / "flows")
    forbidden = raw_ids(flowset)
    async with site.sessionmaker() as s:
        ids = list((await s.scalars(select(Submission.id))).all())
    pages = [
        "/submissions",
        "/stats",
        "/flows",
        *(f"/submissions/{i}" for i in ids),
        *(f"/flows/{f}" for f in flowset.flows),
    ]
    for path in pages:
        r = await client.get(path)
        assert r.status == 200, path
        text = visible_text(await r.text())
        if not path.startswith("/flows/"):  # a flow's page shows its steps' ids to admins on purpose
            assert not [i for i in forbidden if re.search(rf"\b{re.escape(i)}\b", text)], path
        assert "Start again" not in text, path
    listing = visible_text(await (await client.get("/submissions")).text())
    for words in (
        "urgent: self-harm or suicide",
        "urgent: asked to talk to a person",
        "topic: Free time",
        "Young people new in Sweden",
        "Tell us what you need",
        "Tigrinya",
        "Dari",
        "source: Demo data",
    ):
        assert words in listing, words
    stats = await (await client.get("/stats")).text()
    names = re.findall(
        r'<td dir="auto">([^<]+)</td><td class="n">\d+</td>',
        stats.split('id="chart-language"')[1].split("</section>")[0],
    )
    assert sorted(names) == ["Arabic", "Dari", "English", "Pashto", "Somali", "Swedish", "Tigrinya", "Ukrainian"]
    assert "<h3>Getting started</h3>" in stats


async def test_onboarding_funnel_counts_the_questions_each_youth_reached(demo):
    site, client = demo
    left_at_language = sum(not y.picks_language for y in YOUTH)
    left_at_age = sum(y.picks_language and y.age is None for y in YOUTH)
    under_13 = sum(y.age == "under_13" for y in YOUTH)
    agreed = sum(y.picks_language and y.age not in (None, "under_13") and y.consent is True for y in YOUTH)
    expected = [
        ("Which language do you want to use?", len(YOUTH)),
        ("How old are you?", len(YOUTH) - left_at_language),
        ("Is this OK for you?", len(YOUTH) - left_at_language - left_at_age - under_13),
        ("May we send you a message later, with new questions or news about the ideas?", agreed),
    ]
    html = await (await client.get("/stats")).text()
    section = html.split('id="funnel-onboarding"')[1].split("</section>")[0]
    rows = [(q, int(n)) for q, n in re.findall(r'<td dir="auto">([^<]+)</td><td class="n">(\d+)</td>', section)]
    assert rows == expected
    assert html.index('id="funnel-onboarding"') < html.index('id="funnel-share_idea"')  # flows in the order met


async def test_demo_twice_adds_nothing_and_real_data_is_refused(db_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": db_url, "FLOWS_DIR": str(ROOT / "flows"), "LOCALES_DIR": str(ROOT / "locales")}

    def demo() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bot", "demo"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )

    first = demo()
    assert first.returncode == 0, first.stderr
    assert f"{len(YOUTH)} invented youth in 8 languages" in first.stdout
    from storage.db import make_engine, make_sessionmaker

    engine = make_engine(db_url)
    try:
        sessionmaker = make_sessionmaker(engine)

        async def totals() -> tuple[int, ...]:
            async with sessionmaker() as s:
                return tuple(
                    [
                        int(await s.scalar(select(func.count()).select_from(m)))
                        for m in (Participant, Session, Submission)
                    ]
                    + [int(await s.scalar(select(func.sum(m.n)))) for m in (StepReach, SubmissionCount)]
                )

        before = await totals()
        second = demo()
        assert second.returncode == 0 and "already holds the demo data" in second.stdout
        assert await totals() == before
        async with sessionmaker.begin() as s:
            s.add(submission(key="a-real-one"))
        refused = demo()
        assert refused.returncode == 1 and refused.stdout == ""
        assert refused.stderr.count("\n") == 1 and "holds real data" in refused.stderr, refused.stderr
        assert await totals() != before and (await totals())[:3] == (before[0], before[1], before[2] + 1)
    finally:
        await engine.dispose()


async def test_ids_no_database_can_hold_answer_404_not_500(demo):
    site, client = demo
    t = await token(client)
    for bad in (BIG, JUST_PAST, "0", "٣", "１２"):
        r = await client.get(f"/submissions/{bad}")
        assert r.status == 404, bad
        for action in ("status", "tag", "untag", "note"):
            r = await client.post(
                f"/submissions/{bad}/{action}", data={"csrf_token": t, "status": "reviewed", "tag": "x", "notes": "x"}
            )
            assert r.status == 404, (bad, action)
    largest = str(2**63 - 1)
    assert (await client.get(f"/submissions/{largest}")).status == 404  # a valid id that does not exist
    r = await client.post("/submissions/bulk", data=[("csrf_token", t), ("status", "archived"), ("id", BIG)])
    assert r.status == 400
    r = await client.post(
        "/submissions/bulk", data=[("csrf_token", t), ("status", "archived"), ("id", largest)], allow_redirects=False
    )
    assert r.status == 303
    for path in (f"/submissions?after=1.20250301T120000.000000.{BIG}", f"/audit?before={BIG}", "/audit?before=٣"):
        assert (await client.get(path)).status == 200, path
    assert await _count(site, Submission, Submission.status == "archived") == 1  # the demo's one, untouched
