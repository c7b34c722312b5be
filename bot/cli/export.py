"""`python -m bot export`: the anonymised submissions as CSV or JSON, for the team.

Only what the dashboard shows staff leaves: the submission's own columns, its
pseudonym and its already anonymised answers (never chat ids, names or staff notes).
Test submissions stay out unless --include-tests. The filters are the dashboard's
(`Filters`), so a CLI export and a dashboard export of the same filters agree, and the
CSV columns are the dashboard's too. Rows are read in keyset batches; a file is
written beside its target and renamed into place when complete, readable by its
owner only.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any, TextIO


from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.dialogue.campaign_flows import CampaignFlows
from bot.web.export import BATCH, answer_names, header, row_cells
from bot.web.labels import UI_LANGUAGE, Labels
from storage.submission_query import Filters, iter_submissions
from storage import campaigns
from storage import submissions as submissions_repo
from storage.db import DatabaseUnusable, make_engine, make_sessionmaker, masked, missing_sqlite_file, reach
from storage.models import Submission
from storage.translations import with_translations


def filters_of(args: argparse.Namespace) -> tuple[Filters, list[str]]:
    return Filters.from_query(
        {
            "flow": args.flow,
            "language": args.language,
            "status": args.status,
            "source": args.source,
            "date_from": args.since,
            "date_to": args.until,
            "tests": "1" if args.include_tests else "",
        }
    )


def submissions(sessionmaker: async_sessionmaker, filters: Filters) -> AsyncIterator[tuple[Submission, list[Any]]]:
    """The filtered submissions in list order (urgent first, newest first), batch by batch,
    each with its translations."""
    return with_translations(sessionmaker, iter_submissions(sessionmaker, filters, BATCH), BATCH)


def translation_json(t: Any) -> dict[str, Any]:
    """A translation as exported: its text, kind and languages (not who made it)."""
    return {"kind": t.kind, "source": t.source, "target": t.target, "provider": t.provider, "text": t.text}


def as_json(row: Submission, shown: list[Any] | None = None) -> dict[str, Any]:
    answers = row.answers if isinstance(row.answers, dict) else {"answer": row.answers}
    return {
        "id": row.id,
        "created_at": row.created_at.isoformat(),
        "flow": row.flow_id,
        "language": row.language,
        "source": row.source,
        "status": row.status,
        "urgent": bool(row.urgent),
        "category": row.category,
        "tags": list(row.tags or []),
        "pseudonym": row.participant_pseudonym,
        "answers": answers,
        "translations": [translation_json(t) for t in shown or []],
    }


async def write_export(
    database_url: str, filters: Filters, fmt: str, names: list[str], out: TextIO, *, file_flows: Sequence[Any] = ()
) -> int:
    """Write the export to `out`; returns how many submissions it holds. Rows are titled
    by `file_flows` and the one-question campaigns' own flows (read from the database),
    whose answers get columns of their own too."""
    if (absent := missing_sqlite_file(database_url)) is not None:
        raise DatabaseUnusable(
            database_url,
            f"there is no SQLite database at {absent}",
            "check the path in DATABASE_URL (the bot creates its database on its first start)",
        )
    engine = make_engine(database_url)
    count = 0
    try:
        await reach(engine)
        sessionmaker = make_sessionmaker(engine)
        async with sessionmaker() as s:  # fail before writing anything when the table is not there
            await submissions_repo.check_readable(s)
            campaign_flows = CampaignFlows()
            await campaign_flows.know(s, [c.flow_id for c in await campaigns.all_campaigns(s) if c.question])
        flows = [*file_flows, *campaign_flows.flows_in(UI_LANGUAGE)]
        names = list(dict.fromkeys([*names, *answer_names(campaign_flows.flows_in(UI_LANGUAGE), filters.flow)]))
        labels = Labels(flows)
        rows = submissions(sessionmaker, filters)
        if fmt == "csv":
            writer = csv.writer(out)
            writer.writerow(header(names))
            async for row, shown in rows:
                writer.writerow(row_cells(row, names, shown, labels))
                count += 1
        else:
            out.write("[")
            async for row, shown in rows:
                out.write(",\n" if count else "\n")
                out.write(json.dumps(as_json(row, shown), ensure_ascii=False))
                count += 1
            out.write("\n]\n" if count else "]\n")
    finally:
        await engine.dispose()
    return count


def _file_flows(settings: Any) -> list[Any]:
    """The live flow files' flows; none (answers all in other_answers) when they do not load."""
    from bot.engine.registry import FlowRegistry

    registry = FlowRegistry(settings.flows_dir)
    registry.reload()
    return list(registry.current) if registry.current else []


def export_command(args: argparse.Namespace) -> int:
    from bot.base.settings import get_settings

    settings = get_settings()
    filters, errors = filters_of(args)
    if errors:
        for error in errors:
            print(f"export: {error}", file=sys.stderr)
        return 2
    file_flows = _file_flows(settings)
    names = answer_names(file_flows, filters.flow) if args.format == "csv" else []
    target = None if args.output == "-" else Path(args.output)
    partial = target.with_name(target.name + ".partial") if target else None
    try:
        if target is None or partial is None:  # neither is set when writing to stdout
            count = asyncio.run(
                write_export(settings.database_url, filters, args.format, names, sys.stdout, file_flows=file_flows)
            )
        else:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with open(fd, "w", encoding="utf-8", newline="") as out:
                if args.format == "csv":
                    out.write("\ufeff")  # BOM: spreadsheets then read the file as UTF-8
                count = asyncio.run(
                    write_export(settings.database_url, filters, args.format, names, out, file_flows=file_flows)
                )
            os.replace(partial, target)
    except BaseException as exc:
        if partial is not None:
            partial.unlink(missing_ok=True)
        if isinstance(exc, DatabaseUnusable) or not isinstance(exc, Exception):
            raise  # a database that cannot be used is said by the command line, as for every command
        print(
            f"export failed on {masked(settings.database_url)}: {type(exc).__name__} "
            "(has the bot run once on this database?)",
            file=sys.stderr,
        )
        return 1
    where = f" to {target}" if target else ""
    print(f"exported {count} submission(s){where}", file=sys.stderr)
    return 0
