"""`python -m bot campaign create|list|send|pause|resume|cancel|results`: campaigns from
the command line, for teams without the dashboard.

`create` checks everything before it writes (the flow exists, the languages are
configured, the schedule is not in the past, the audience is not empty) and writes in
one transaction: a refused campaign leaves nothing behind. Every create, send, pause,
resume and cancel is in the audit log. Exit 0 on success, 1 with the reason on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from typing import Any, TextIO


class CampaignProblem(Exception):
    """Why the command cannot do what was asked; said on stderr, exit 1."""


def add_parser(sub: Any, command: Any) -> None:
    """The `campaign` command and its actions (`command` is bot/cli/main.py's `_command`)."""
    campaign = command(sub, "campaign", "polls and campaigns to opted-in youth")
    actions = campaign.add_subparsers(dest="campaign_command", required=True, metavar="ACTION")
    create = command(actions, "create", "create a campaign (a draft, or scheduled with --at)")
    create.add_argument("--name", required=True, help="what staff call it")
    create.add_argument("--flow", required=True, help="the flow id it starts (e.g. poll_homework_club)")
    create.add_argument("--language", action="append", default=[], help="only youth with this language (repeatable)")
    create.add_argument("--age-band", action="append", default=[], help="only this age band, e.g. age_16_17")
    create.add_argument("--source", action="append", default=[], help="only this deep-link source tag")
    create.add_argument("--took-part", default="", help="only youth who took part in this flow")
    create.add_argument("--submitted-days", type=int, default=0, help="only youth who submitted in the last N days")
    create.add_argument("--at", default="", help="send at this time (ISO 8601, e.g. 2026-12-24T10:00+01:00)")
    command(actions, "list", "the campaigns, newest first")
    for name, help in (
        ("send", "send now"),
        ("pause", "pause sending"),
        ("resume", "resume a paused campaign"),
        ("cancel", "cancel; nothing more is sent"),
    ):
        command(actions, name, help).add_argument("id", type=int, help="the campaign's number (see `list`)")
    results = command(actions, "results", "per language: queued, started, skipped, answered; the poll's counts")
    results.add_argument("id", type=int, help="the campaign's number (see `list`)")
    results.add_argument("--send", action="store_true", help="send the results to the youth who took part (once)")
    results.add_argument("--everyone", action="store_true", help="with --send: to every youth who said yes to contact")
    for parser in actions.choices.values():
        parser.add_argument("--by", default="command line", help="the staff member, for the audit log")


async def _run(url: str, args: argparse.Namespace, settings: Any, out: TextIO) -> None:
    from bot.dialogue import campaign_rules as rules
    from bot.engine.load import load_flows
    from storage import campaigns
    from storage.db import make_engine, make_sessionmaker
    from storage.migrate import ensure_schema

    now = datetime.now(UTC)
    engine = make_engine(url)
    try:
        await ensure_schema(engine)
        async with make_sessionmaker(engine).begin() as s:
            action = args.campaign_command
            if action == "create":
                flowset, _ = load_flows(settings.flows_dir)
                flow_ids = sorted(flowset.flows) if flowset else []
                try:
                    rules.check_flow(args.flow, flow_ids)
                    audience = rules.audience(
                        languages=args.language,
                        age_bands=args.age_band,
                        sources=args.source,
                        took_part=args.took_part,
                        submitted_days=args.submitted_days,
                        configured=list(settings.languages),
                        flow_ids=flow_ids,
                    )
                    at = rules.parse_when(args.at, now)
                    size = await campaigns.audience_size(s, audience, now)
                    rules.check_size(size)
                except rules.CampaignRefused as exc:
                    raise CampaignProblem(str(exc)) from None
                c = await campaigns.create(
                    s,
                    name=args.name,
                    flow_id=args.flow,
                    audience=audience,
                    scheduled_at=at,
                    created_by=args.by,
                    now=now,
                )
                print(f"campaign {c.id} ({c.status}): {size} recipients now", file=out)
            elif action == "list":
                for c in await campaigns.all_campaigns(s):
                    when = c.scheduled_at.isoformat(timespec="minutes") if c.scheduled_at else "-"
                    print(f"{c.id}\t{c.status}\t{c.flow_id}\t{when}\t{c.name}", file=out)
            elif action == "results":
                await _results(s, args, settings, now, out)
            else:
                before = await campaigns.get(s, args.id)
                if before is None:
                    raise CampaignProblem(f"there is no campaign {args.id}")
                after = await campaigns.move(s, args.id, action, now, by=args.by)
                if after is None:
                    raise CampaignProblem(f"campaign {args.id} is {before.status}: it cannot {action}")
                print(f"campaign {args.id}: {after.status}", file=out)
    finally:
        await engine.dispose()


async def _results(s: Any, args: argparse.Namespace, settings: Any, now: datetime, out: TextIO) -> None:
    from bot.dialogue.poll_results import ResultsRefused, campaign_tally, send_results
    from bot.engine.load import load_flows
    from bot.i18n.catalogs import get_catalogs
    from storage import campaigns

    if await campaigns.get(s, args.id) is None:
        raise CampaignProblem(f"there is no campaign {args.id}")
    for lang, counts in sorted((await campaigns.progress(s, args.id)).items()):
        print(f"{lang}\t" + "\t".join(f"{k} {v}" for k, v in counts.items()), file=out)
    flowset, _ = load_flows(settings.flows_dir)
    t = await campaign_tally(s, flowset, args.id)
    if t is not None:
        for choice, answered in t.counts.items():
            print(f"{t.step.save}={choice}\t{answered}", file=out)
    if args.send:
        try:
            n = await send_results(
                s, get_catalogs(settings), flowset, args.id, everyone=args.everyone, now=now, by=args.by
            )
        except ResultsRefused as exc:
            raise CampaignProblem(str(exc)) from None
        print(f"results queued for {n} youth", file=out)


def campaign_command(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    from bot.base.settings import get_settings

    settings = get_settings()
    try:
        asyncio.run(_run(settings.database_url, args, settings, out or sys.stdout))
    except CampaignProblem as exc:
        print(exc, file=err or sys.stderr)
        return 1
    return 0
