"""`python -m bot campaign …` as a process on SQLite and PostgreSQL: exact errors for a
missing flow, an unknown language, a schedule in the past and an empty audience, with
nothing half-created; then create, send, pause, resume, cancel and results, each move in
the audit log. Invented people only."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from storage import participants
from storage.db import make_engine, make_sessionmaker
from storage.migrate import ensure_schema
from storage.models import Campaign, CampaignRecipient
from storage.staff_models import AuditLog
from tests.clirun import cli_env, command


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
    empty = run(*base)
    assert empty.returncode == 1 and "the audience is empty" in empty.stderr
    await an_opted_in_youth(db_url, "ti")
    for argv, said in (
        (["create", "--name", "x", "--flow", "no_such_flow"], "there is no flow 'no_such_flow'"),
        ([*base, "--language", "xx"], "unknown language 'xx'"),
        ([*base, "--at", "2020-01-01T10:00+01:00"], "is in the past"),
        ([*base, "--language", "ar"], "the audience is empty"),
    ):
        proc = run(*argv)
        assert proc.returncode == 1 and said in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert await rows(db_url, Campaign) == []

    made = run(*base, "--language", "ti")
    assert made.returncode == 0 and "campaign 1 (draft): 1 recipients now" in made.stdout, made.stderr
    assert run("send", "1").stdout.strip() == "campaign 1: scheduled"
    assert run("pause", "1").stdout.strip() == "campaign 1: paused"
    assert run("resume", "1").stdout.strip() == "campaign 1: scheduled"
    assert run("cancel", "1").stdout.strip() == "campaign 1: cancelled"
    again = run("send", "1")
    assert again.returncode == 1 and "campaign 1 is cancelled: it cannot send" in again.stderr
    assert run("results", "1").returncode == 0 and "1\tcancelled\tpoll_homework_club" in run("list").stdout
    early = run("results", "1", "--send")
    assert early.returncode == 1 and "campaign 1 is cancelled: results go out once it is done" in early.stderr
    actions = [a.action for a in await rows(db_url, AuditLog)]
    assert actions == [
        "campaign_create",
        "campaign_send",
        "campaign_pause",
        "campaign_resume",
        "campaign_cancel",
    ]
    assert await rows(db_url, CampaignRecipient) == []  # never expanded: cancelled before a round
