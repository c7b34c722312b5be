"""`python -m bot campaign …` as a process on SQLite and PostgreSQL: exact errors for a
missing flow, an unknown language or age band, a schedule in the past, an empty audience, an
empty name and a language's question, choices or why given twice (exit 2), with nothing
half-created; then list (a heading; "no campaigns yet" when empty), create, send (it says a
running bot with a token sends it), pause, resume, cancel and results (a cancelled campaign sends
none; --everyone without --send is a usage error), each move in the audit log. A flow
campaign that leaves out the languages without a translation (coverage from the catalogs). Invented people only."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

from sqlalchemy import select

from storage import participants
from storage.db import make_engine, make_sessionmaker
from storage.migrate import ensure_schema
from storage.models import Campaign, CampaignRecipient
from storage.staff_models import AuditLog
from tests.botfixtures import ROOT
from tests.clirun import cli_env, command


QUESTION = ["--question", "sv=Q?", "--choice", "sv=Ja", "--choice", "sv=Nej"]  # the default language's


async def rows(url: str, model) -> list:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as s:
            return list((await s.scalars(select(model))).all())
    finally:
        await engine.dispose()


async def an_opted_in_youth(url: str, lang: str) -> None:
    await ensure_schema(url)
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine).begin() as s:
            p = await participants.create(
                s, key=f"k-{lang}", pseudonym=f"p-{lang}", language=lang, source=None, now=datetime.now(UTC)
            )
            p.consent, p.contact = True, True
    finally:
        await engine.dispose()


async def test_refusals_leave_nothing_and_moves_are_audited(db_url, tmp_path):
    env = cli_env(tmp_path, DATABASE_URL=db_url)
    (tmp_path / "var").mkdir()

    def run(*argv: str):
        return command(["campaign", *argv], env, tmp_path)

    base = ["create", "--name", "Homework club", "--flow", "poll_homework_club"]
    assert run("list").stdout == "no campaigns yet\n"
    empty = run(*base)
    assert empty.returncode == 2 and "the audience is empty" in empty.stderr
    await an_opted_in_youth(db_url, "ti")
    for argv, said in (
        (["create", "--name", "x", "--flow", "no_such_flow"], "there is no flow 'no_such_flow'"),
        ([*base, "--language", "xx"], "unknown language 'xx'"),
        ([*base, "--at", "2020-01-01T10:00+01:00"], "is in the past"),
        ([*base, "--language", "ar"], "the audience is empty"),
        (["create", "--name", " ", "--flow", "poll_homework_club"], "give the campaign a name"),
        (
            [*base, "--age-band", "16-17"],
            "unknown age band '16-17' (age bands: under_13, age_13_15, age_16_17, age_18_21, age_22_25)",
        ),
        (["create", "--name", "x", *QUESTION, "--question", "sv=Q2?"], "the question in 'sv' is given twice"),
        (
            ["create", "--name", "x", *QUESTION, "--why", "sv=Varför?", "--why", "sv=Hur?"],
            "the why? in 'sv' is given twice",
        ),
        (
            ["create", "--name", "x", *QUESTION, "--choice", "ar=نعم", "--choice", "sv=Kanske"],
            "the choices in 'sv' are given twice: give a language's choices one after another",
        ),
    ):
        proc = run(*argv)
        assert proc.returncode == 2 and said in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert await rows(db_url, Campaign) == []

    made = run(*base, "--language", "ti")
    assert made.returncode == 0 and "campaign 1 (draft): 1 recipient now" in made.stdout, made.stderr
    assert "ti\t1\ttranslated" in made.stdout  # the recipients per language, and the coverage
    said = run("send", "1").stdout.strip()
    assert said == "campaign 1: scheduled; a running bot with a Telegram token sends it"
    assert run("pause", "1").stdout.strip() == "campaign 1: paused"
    assert run("resume", "1").stdout.strip() == "campaign 1: scheduled"
    assert run("cancel", "1").stdout.strip() == "campaign 1: cancelled"
    again = run("send", "1")
    assert again.returncode == 1 and "campaign 1 is cancelled: it cannot send" in again.stderr
    listed = run("list").stdout.splitlines()
    assert run("results", "1").returncode == 0 and listed[0] == "id\tstate\tflow\tscheduled (UTC)\tname"
    assert listed[1].startswith("1\tcancelled\tpoll_homework_club\t")
    early = run("results", "1", "--send")
    assert early.returncode == 1
    assert early.stderr.strip() == "campaign 1 was cancelled: a cancelled campaign sends no results"
    alone = run("results", "1", "--everyone")  # without --send it would do nothing: refused
    assert alone.returncode == 2 and "--everyone needs --send" in alone.stderr and "usage:" in alone.stderr
    actions = [a.action for a in await rows(db_url, AuditLog)]
    assert actions == [
        "campaign_create",
        "campaign_send",
        "campaign_pause",
        "campaign_resume",
        "campaign_cancel",
    ]
    assert await rows(db_url, CampaignRecipient) == []  # never expanded: cancelled before a round


ENGLISH_ONLY = """\
id: new_poll
title: New poll
start: q
expires_after: 2d
steps:
  - id: q
    type: choice
    text: A question not translated yet?
    save: q
    forward: true
    choices:
      - id: "yes"
        label: "Yes"
      - id: "no"
        label: "No"
    next: end
  - id: end
    type: end
"""


async def test_a_flow_campaign_leaves_out_the_languages_its_catalogs_lack(db_url, tmp_path):
    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    (flows / "new_poll.yaml").write_text(ENGLISH_ONLY, encoding="utf-8")
    env = cli_env(tmp_path, DATABASE_URL=db_url, FLOWS_DIR=str(flows))
    (tmp_path / "var").mkdir()
    for lang in ("en", "ar", "ti"):
        await an_opted_in_youth(db_url, lang)
    base = ["campaign", "create", "--name", "New poll", "--flow", "new_poll", "--leave-out-untranslated"]

    none_left = command([*base, "--language", "ar", "--language", "ti"], env, tmp_path)
    assert none_left.returncode == 2
    assert none_left.stderr.strip() == "the audience is empty: no targeted language has a translation (ar, ti left out)"
    assert await rows(db_url, Campaign) == []

    made = command(base, env, tmp_path)
    assert made.returncode == 0, made.stderr
    lines = set(made.stdout.splitlines())
    assert {"en\t1\ttranslated", "ar\t0\tleft out: no translation", "ti\t0\tleft out: no translation"} <= lines
    assert "campaign 1 (draft): 1 recipient now" in lines
    (campaign,) = await rows(db_url, Campaign)
    assert campaign.audience["languages"] == ["en"] and "ar" in campaign.audience["left_out"]

    falls_back = command(base[:-1], env, tmp_path)  # without leaving out: everyone, the others fall back
    assert "ar\t1\tfalls back" in falls_back.stdout and "campaign 2 (draft): 3 recipients now" in falls_back.stdout
