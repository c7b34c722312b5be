"""The command line: `python -m bot <command> …`.

Each command's work lives in the module that owns the concept; this file only parses
arguments and imports lazily, so `python -m bot flows check` does not load Telegram.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot", description="Sammanbot")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the bot and the web app")
    run.add_argument("--workers", type=int, default=1, help="bot processes sharing one database")

    flows = sub.add_parser("flows", help="work with the flow files")
    flows_sub = flows.add_subparsers(dest="flows_command", required=True)
    check = flows_sub.add_parser("check", help="validate flows; errors as file:line:col: message")
    check.add_argument("paths", nargs="*", help="flow files or folders (default: FLOWS_DIR)")

    from bot.simulator import commands_help

    chat = sub.add_parser("chat", help="talk to the bot in the terminal (a throw-away database)",
                          epilog=commands_help(), formatter_class=argparse.RawDescriptionHelpFormatter)
    chat.add_argument("--lang", default=None, help="language code, e.g. sv or ar (skips the language question)")
    chat.add_argument("--flow", default=None, help="flow id to start (default: onboarding)")

    anon = sub.add_parser("anonymize", help="anonymise stdin and print the result")
    anon.add_argument("--name", action="append", default=[], help="a name to remove (repeatable)")

    i18n = sub.add_parser("i18n", help="translation catalogs")
    i18n.add_argument("action", choices=["extract", "update", "compile", "status"])

    staff = sub.add_parser("staff", help="staff accounts of the web dashboard")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True)
    staff_add = staff_sub.add_parser("add", help="create a staff account (password from a prompt or stdin)")
    staff_add.add_argument("name", help="login name, unique")
    staff_add.add_argument("--role", choices=["admin", "reviewer"], required=True)
    staff_add.add_argument("--password-stdin", action="store_true", help="read the password as one line from stdin")

    db = sub.add_parser("db", help="database")
    db.add_argument("action", choices=["upgrade"])

    sub.add_parser("doctor", help="check the settings, token, database, staff chat, flows and catalogs")

    export = sub.add_parser("export", help="export the anonymised submissions (CSV or JSON)")
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument("--output", "-o", default="-", help="file to write (default: standard output)")
    export.add_argument("--flow", default="", help="only this flow id")
    export.add_argument("--language", default="", help="only this language code")
    export.add_argument("--status", default="", help="only this status (new, reviewed, shortlisted, archived)")
    export.add_argument("--source", default="", help="only this source tag (e.g. workshop-malmo)")
    export.add_argument("--since", default="", help="from this day on, YYYY-MM-DD")
    export.add_argument("--until", default="", help="up to and including this day, YYYY-MM-DD")
    export.add_argument("--include-tests", action="store_true", help="also test submissions")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "flows":
        from bot.flows_check import check_command

        return check_command(args.paths)
    if args.command == "chat":
        from bot.simulator import chat_command

        return chat_command(lang=args.lang, flow_id=args.flow)
    if args.command == "anonymize":
        from bot.privacy.cli import anonymize_command

        return anonymize_command(args.name, sys.stdin, sys.stdout)
    if args.command == "i18n":
        from bot.i18n_cli import i18n_command

        return i18n_command(args.action)
    if args.command == "staff":
        from bot.web.staff_cli import staff_command

        return staff_command(args)
    if args.command == "db":
        from storage.migrate import upgrade_command

        return upgrade_command()
    if args.command == "doctor":
        from bot.doctor import doctor_command

        return doctor_command()
    if args.command == "export":
        from bot.export import export_command

        return export_command(args)
    if args.command == "run":
        from bot.app import run_command

        return run_command(workers=args.workers)
    return 2
