"""`python -m bot campaign create|list|send|pause|resume|cancel|results`: campaigns from
the command line, for teams without the dashboard.

`create` starts a flow (`--flow`) or asks one question of its own (`--question`,
`--choice`, optionally `--why`, each LANG=TEXT), and checks everything before it writes
(bot/dialogue/campaign_compose.py: the flow exists or the question is whole, the
languages are configured, the schedule is not in the past, the audience is not empty),
then writes in one transaction: a refused campaign leaves nothing behind. It prints the
recipients per language (translated, falling back, or left out with
`--leave-out-untranslated`). A language's question or why given twice is refused, never
last-wins. `send` schedules the campaign at once; a running bot with a Telegram token
sends it. Every create, send, pause, resume and cancel is in the audit log. Exit 0 on
success; 2 with the reason on stderr when `create` is refused; 1 when a campaign cannot do
what was asked (its state, the results).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from typing import Any, TextIO


from bot.dialogue.campaign_rules import MAX_CHOICES, MIN_CHOICES, CampaignRefused


class CampaignProblem(Exception):
    """Why the command cannot do what was asked; said on stderr, exit 1."""


def add_parser(sub: Any, command: Any) -> None:
    """The `campaign` command and its actions (`command` is bot/cli/main.py's `_command`)."""
    campaign = command(sub, "campaign", "polls and campaigns to opted-in youth")
    actions = campaign.add_subparsers(dest="campaign_command", required=True, metavar="ACTION")
    create = command(actions, "create", "create a campaign (a draft, or scheduled with --at)")
    create.add_argument("--name", required=True, help="what staff call it")
    create.add_argument("--flow", default="", help="the flow id it starts (e.g. poll_homework_club); or --question")
    create.add_argument(
        "--question",
        action="append",
        default=[],
        metavar="LANG=TEXT",
        help="instead of a flow, one question of its own, per language (repeatable; the default language needed)",
    )
    create.add_argument(
        "--choice",
        action="append",
        default=[],
        metavar="LANG=TEXT",
        help=f"a choice of the question, in order (repeatable: {MIN_CHOICES}-{MAX_CHOICES} per language)",
    )
    create.add_argument(
        "--why", action="append", default=[], metavar="LANG=TEXT", help='a "why?" asked after the choice (optional)'
    )
    create.add_argument(
        "--leave-out-untranslated",
        action="store_true",
        help="youth whose language has no translation get nothing (else they see the default language's words)",
    )
    create.add_argument("--language", action="append", default=[], help="only youth with this language (repeatable)")
    create.add_argument(
        "--age-band",
        action="append",
        default=[],
        help="only this age band: an onboarding band id, e.g. age_16_17 (repeatable)",
    )
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
    results.add_argument(
        "--send",
        action="store_true",
        help="send the results to the youth who answered its question (once; refused while nobody has)",
    )
    results.add_argument("--everyone", action="store_true", help="with --send: to every youth who said yes to contact")
    results.set_defaults(usage_error=results.error)  # --everyone without --send: argparse's own error, exit 2
    for parser in actions.choices.values():
        parser.add_argument("--by", default="command line", help="the staff member, for the audit log")


async def _run(url: str, args: argparse.Namespace, settings: Any, out: TextIO) -> None:
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
                await _create(s, args, settings, now, out)
            elif action == "list":
                _list(await campaigns.all_campaigns(s), out)
            elif action == "results":
                await _results(s, args, settings, now, out)
            else:
                before = await campaigns.get(s, args.id)
                if before is None:
                    raise CampaignProblem(f"there is no campaign {args.id}")
                after = await campaigns.move(s, args.id, action, now, by=args.by)
                if after is None:
                    raise CampaignProblem(f"campaign {args.id} is {before.status}: it cannot {action}")
                then = "; a running bot with a Telegram token sends it" if action == "send" else ""
                print(f"campaign {args.id}: {after.status}{then}", file=out)
    finally:
        await engine.dispose()


TWICE = {
    "question": "the question in {lang!r} is given twice",
    "choices": "the choices in {lang!r} are given twice: give a language's choices one after another",
    "why": "the why? in {lang!r} is given twice",
}


def _texts(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """--question/--choice/--why LANG=TEXT, per language; a language's question or why
    given twice, or its choices in two separate runs, is refused (never last-wins)."""
    out: dict[str, dict[str, Any]] = {}
    for option, kind, values in (
        ("--question", "question", args.question),
        ("--choice", "choices", args.choice),
        ("--why", "why", args.why),
    ):
        previous = ""
        for given in values:
            lang, equals, text = given.partition("=")
            lang = lang.strip()
            if not equals or not lang:
                raise CampaignRefused(f"{option} needs LANG=TEXT, e.g. {option} sv=… (got {given!r})")
            texts = out.setdefault(lang, {})
            if kind in texts and (kind != "choices" or previous != lang):
                raise CampaignRefused(TWICE[kind].format(lang=lang))
            if kind == "choices":
                texts.setdefault(kind, []).append(text)
            else:
                texts[kind] = text
            previous = lang
    return out


def _list(listed: list[Any], out: TextIO) -> None:
    if not listed:
        print("no campaigns yet", file=out)
        return
    print("id\tstate\tflow\tscheduled (UTC)\tname", file=out)
    for c in listed:
        when = c.scheduled_at.isoformat(timespec="minutes") if c.scheduled_at else "-"
        print(f"{c.id}\t{c.status}\t{c.flow_id}\t{when}\t{c.name}", file=out)


async def _create(s: Any, args: argparse.Namespace, settings: Any, now: datetime, out: TextIO) -> None:
    from bot.dialogue import campaign_compose as compose
    from bot.dialogue import campaign_rules as rules
    from bot.engine.load import load_flows
    from bot.i18n.catalogs import get_catalogs

    flowset, _ = load_flows(settings.flows_dir)
    catalogs = get_catalogs(settings)
    asked = compose.Asked(
        name=args.name,
        flow=args.flow,
        texts=_texts(args),
        leave_out=args.leave_out_untranslated,
        languages=args.language,
        age_bands=args.age_band,
        sources=args.source,
        took_part=args.took_part,
        submitted_days=args.submitted_days,
        at=args.at,
    )
    made = compose.compose(
        asked,
        flowset=flowset,
        catalogs=catalogs,
        default=settings.default_language,
        configured=list(settings.languages),
        now=now,
        naive_is_utc=False,
    )
    size, rows = await compose.per_language(s, made, flowset=flowset, catalogs=catalogs, now=now)
    rules.check_size(size)
    c = await compose.create(s, made, by=args.by, now=now)
    for row in rows:
        said = "left out: no translation" if row["left_out"] else "translated" if row["translated"] else "falls back"
        print(f"{row['lang']}\t{0 if row['left_out'] else row['youth']}\t{said}", file=out)
    print(f"campaign {c.id} ({c.status}): {rules.counted(size, 'recipient')} now", file=out)


async def _results(s: Any, args: argparse.Namespace, settings: Any, now: datetime, out: TextIO) -> None:
    from bot.dialogue.poll_chart import percentages
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
    if t is not None:  # the labels as the campaign's page shows them
        for choice, share in zip(t.step.choices, percentages([t.counts[c.id] for c in t.step.choices]), strict=True):
            print(f"{choice.label}\t{t.counts[choice.id]}\t{share}%", file=out)
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

    if args.campaign_command == "results" and args.everyone and not args.send:
        args.usage_error("--everyone needs --send (it says who gets the results sent)")
    settings = get_settings()
    try:
        asyncio.run(_run(settings.database_url, args, settings, out or sys.stdout))
    except CampaignRefused as exc:  # what was asked is not a campaign: nothing written
        print(exc, file=err or sys.stderr)
        return 2
    except CampaignProblem as exc:
        print(exc, file=err or sys.stderr)
        return 1
    return 0
