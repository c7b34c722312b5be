"""`python -m bot export`: anonymised submissions as CSV or JSON, filtered like the
dashboard, test submissions only when asked, never staff notes."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import stat
import sys
from argparse import Namespace
from datetime import UTC, datetime

from bot.cli.export import filters_of, write_export
from storage.migrate import ensure_schema
from storage.db import make_engine, make_sessionmaker
from storage.models import Submission
from tests.botfixtures import ROOT

IDEA = "A homework club in the library, run by [name] on Tuesdays"
NOTE = "Stina called Amina Haddad back on Friday"  # a staff note: never exported


def submission(key: str, flow: str, when: datetime, **extra) -> Submission:
    values = dict(
        key=key,
        participant_pseudonym=f"P-{key}",
        flow_id=flow,
        language="en",
        source=None,
        answers={"topic": "school", "idea": IDEA},
        urgent=False,
        status="new",
        tags=["homework"],
        created_at=when,
        updated_at=when,
        is_test=False,
        notes=NOTE,
    )
    return Submission(**(values | extra))


async def seed(url: str) -> None:
    await ensure_schema(url)
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine).begin() as s:
            s.add_all(
                [
                    submission("a", "share_idea", datetime(2025, 3, 2, 10, tzinfo=UTC), source="workshop-malmo"),
                    submission("b", "share_idea", datetime(2025, 1, 5, 10, tzinfo=UTC)),
                    submission(
                        "c",
                        "need",
                        datetime(2025, 3, 3, 10, tzinfo=UTC),
                        language="ar",
                        answers={"hardest": "=cmd|' /C calc'!A0"},
                    ),
                    submission("t", "share_idea", datetime(2025, 3, 4, 10, tzinfo=UTC), is_test=True),
                ]
            )
    finally:
        await engine.dispose()


def args(**given) -> Namespace:
    values = dict(
        format="csv", output="-", flow="", language="", status="", source="", since="", until="", include_tests=False
    )
    return Namespace(**(values | given))


async def export(url: str, fmt: str = "json", names: list[str] | None = None, **filters) -> str:
    chosen, errors = filters_of(args(**filters))
    assert errors == []
    out = io.StringIO()
    await write_export(url, chosen, fmt, names or [], out)
    return out.getvalue()


async def test_filters_and_what_is_left_out(db_url):
    await seed(db_url)
    everything = json.loads(await export(db_url))
    assert sorted(r["pseudonym"] for r in everything) == ["P-a", "P-b", "P-c"]  # no test submission
    assert all(
        set(r)
        == {
            "id",
            "created_at",
            "flow",
            "language",
            "source",
            "status",
            "urgent",
            "category",
            "tags",
            "pseudonym",
            "answers",
            "translations",
        }
        and r["translations"] == []
        for r in everything
    )
    with_tests = json.loads(await export(db_url, include_tests=True))
    assert "P-t" in {r["pseudonym"] for r in with_tests}
    march_ideas = json.loads(await export(db_url, flow="share_idea", since="2025-03-01", until="2025-03-31"))
    assert [r["pseudonym"] for r in march_ideas] == ["P-a"]
    assert march_ideas[0]["answers"] == {"topic": "school", "idea": IDEA}
    assert json.loads(await export(db_url, language="ar"))[0]["flow"] == "need"
    assert json.loads(await export(db_url, source="nowhere")) == []

    table = list(csv.reader(io.StringIO(await export(db_url, "csv", ["hardest"], flow="need"))))
    assert table[0][-5:] == [
        "answer:hardest",
        "other_answers",
        "translation",
        "translation_kind",
        "translation_language",
    ]
    assert table[1][-5] == "'=cmd|' /C calc'!A0"  # a spreadsheet formula, defused
    assert NOTE not in json.dumps(with_tests) and "Amina" not in json.dumps(with_tests)


async def test_the_command_writes_a_private_file_or_standard_output(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    await seed(url)
    env = dict(os.environ, DATABASE_URL=url, FLOWS_DIR=str(ROOT / "flows"), PYTHONPATH=str(ROOT))
    target = tmp_path / "ideas.csv"

    async def run(*argv: str) -> tuple[int, str, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "export",
            *argv,
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await proc.communicate()
        return proc.returncode, out.decode(), err.decode()

    code, _, err = await run("--flow", "share_idea", "--output", str(target))
    assert code == 0, err
    assert "exported 2 submission(s)" in err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [r["pseudonym"] for r in rows] == ["P-a", "P-b"]
    assert rows[0]["answer:idea"] == IDEA and rows[0]["source"] == "workshop-malmo"
    assert not (tmp_path / "ideas.csv.partial").exists()

    code, out, err = await run("--format", "json", "--include-tests", "--since", "2025-03-04")
    assert code == 0, err
    assert [r["pseudonym"] for r in json.loads(out)] == ["P-t"]

    code, _, err = await run("--since", "March")
    assert code == 2 and "date from must be a date" in err


def test_an_export_from_a_sqlite_file_that_is_not_there_creates_nothing(tmp_path):
    from tests.clirun import cli_env, command

    absent = tmp_path / "typo" / "bot.db"
    done = command(["export"], cli_env(tmp_path, DATABASE_URL=f"sqlite:///{absent}"), tmp_path)
    assert done.returncode == 1 and done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == (
        f"Sammanbot cannot use the database sqlite+aiosqlite:///{absent}: there is no SQLite database at {absent}. "
        "Fix: check the path in DATABASE_URL (the bot creates its database on its first start)."
    )
    assert not (tmp_path / "typo").exists()
