"""The command line: `python -m bot <command> …`.

Each command's work lives in the module that owns the concept; this file only parses
arguments and imports lazily, so `python -m bot flows check` does not load Telegram.
It is also the one place where what stops any command (a database that cannot be
used, unreadable settings) is said, in one line without a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence

RUN_EPILOG = """\
The web app listens on WEB_HOST:WEB_PORT (default 127.0.0.1:8080): the staff dashboard
at /staff/ and the web chat simulator at /staff/simulator (log in with an admin account:
python -m bot staff add NAME --role admin), plus /healthz and /metrics.

With TELEGRAM_BOT_TOKEN set, the Telegram bot runs too: long polling, or a webhook when
WEBHOOK_URL is set. Without it, only the simulator and the dashboard run (no Telegram),
which is enough to try the flows in a browser.

Settings come from the environment or .env (the README lists them). Ctrl-C or SIGTERM
stops cleanly; SIGHUP reloads the flows and translations."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sammanbot")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed; run make install)"


def _command(sub: argparse._SubParsersAction, name: str, help: str, **kwargs) -> argparse.ArgumentParser:
    """A subcommand whose own --help starts with the line the command list shows."""
    kwargs.setdefault("description", help[0].upper() + help[1:] + ".")
    return sub.add_parser(name, help=help, **kwargs)


def _password_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", help="the login name")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password as one line from standard input (without it, it is asked for twice on the terminal)",
    )


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot", description="Sammanbot: the bot, its web app and tools.")
    p.add_argument("--version", action="version", version=f"sammanbot {_version()}", help="print the version and exit")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = _command(
        sub,
        "run",
        "run the bot and the web app (dashboard, simulator)",
        epilog=RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        help="bot processes sharing one PostgreSQL database, on ports WEB_PORT … WEB_PORT+N-1 (default 1)",
    )

    flows = _command(sub, "flows", "work with the flow files")
    flows_sub = flows.add_subparsers(dest="flows_command", required=True, metavar="ACTION")
    check = _command(flows_sub, "check", "validate flows and the crisis word list; errors as file:line:col: message")
    check.add_argument("paths", nargs="*", help="flow files or folders (default: FLOWS_DIR)")

    from bot.cli.chat import commands_help

    chat = _command(
        sub,
        "chat",
        "talk to the bot in the terminal (a throw-away database)",
        epilog=commands_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    chat.add_argument("--lang", default=None, help="language code, e.g. sv or ar (skips the language question)")
    chat.add_argument("--flow", default=None, help="flow id to start (default: onboarding)")

    anon = _command(sub, "anonymize", "anonymise standard input and print the result")
    anon.add_argument("--name", action="append", default=[], help="a name to remove (repeatable)")
    anon.add_argument("--score", action="store_true", help="score it on tests/corpus instead (recall, clean)")
    anon.add_argument("--misses", action="store_true", help="with --score: list what it missed or altered")

    i18n = _command(sub, "i18n", "translation catalogs (locales/)")
    i18n_sub = i18n.add_subparsers(dest="action", required=True, metavar="ACTION")
    _command(i18n_sub, "extract", "collect the bot's strings and the flow texts into locales/messages.pot")
    _command(i18n_sub, "update", "merge messages.pot into every language's messages.po (creates missing ones)")
    _command(i18n_sub, "compile", "write a .mo file beside each .po (optional: the bot reads .po files)")
    _command(
        i18n_sub,
        "status",
        "per language: reviewed, draft (fuzzy) and missing texts, unreviewed safety-critical texts, placeholders",
    )

    staff = _command(sub, "staff", "staff accounts of the web dashboard")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True, metavar="ACTION")
    staff_add = _command(staff_sub, "add", "create a staff account")
    _password_options(staff_add)
    staff_add.add_argument(
        "--role",
        choices=["admin", "reviewer", "translator"],
        required=True,
        help="reviewer: submissions, statistics and exports; admin: also the flows, the simulator and staff "
        "accounts; translator: only the Translations page, for --languages",
    )
    staff_add.add_argument(
        "--languages",
        default="",
        metavar="CODES",
        help="a translator's languages, comma-separated catalog codes (e.g. ti or ar,fa_AF)",
    )
    _password_options(_command(staff_sub, "passwd", "set a new password for a staff account"))

    db = _command(sub, "db", "the database (DATABASE_URL)")
    db_sub = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    _command(db_sub, "upgrade", "apply the database migrations (the bot also does it on start)")

    _command(sub, "doctor", "check the settings, token, database, staff chat, flows and catalogs; say what to fix")

    from bot.cli.campaign import add_parser as add_campaign_parser

    add_campaign_parser(sub, _command)

    _command(sub, "demo", "fill a fresh database (DATABASE_URL) with invented youth and submissions")

    export = _command(sub, "export", "export the anonymised submissions (CSV or JSON)")
    export.add_argument(
        "--format",
        choices=["csv", "json"],
        default="csv",
        help="csv (the dashboard's columns, opens in spreadsheets) or json (one object per submission); default csv",
    )
    export.add_argument("--output", "-o", default="-", help="file to write (default: standard output)")
    export.add_argument("--flow", default="", help="only this flow id")
    export.add_argument("--language", default="", help="only this language code")
    export.add_argument("--status", default="", help="only this status (new, reviewed, shortlisted, archived)")
    export.add_argument("--source", default="", help="only this source tag (e.g. workshop-malmo)")
    export.add_argument("--since", default="", help="from this day on, YYYY-MM-DD")
    export.add_argument("--until", default="", help="up to and including this day, YYYY-MM-DD")
    export.add_argument("--include-tests", action="store_true", help="also test submissions")
    return p


def _commands(parser: argparse.ArgumentParser) -> list[str]:
    for action in parser._subparsers._group_actions if parser._subparsers else []:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    words = list(sys.argv[1:] if argv is None else argv)
    if not words:  # a person trying the bot for the first time: the whole list
        parser.print_help(sys.stderr)
        return 2
    commands = _commands(parser)
    if not words[0].startswith("-") and words[0] not in commands:
        from bot.base.problems import did_you_mean

        print(
            f"python -m bot: there is no command {words[0]!r}{did_you_mean(words[0], commands)}. "
            f"The commands: {', '.join(commands)} (python -m bot --help says what each does).",
            file=sys.stderr,
        )
        return 2
    args = parser.parse_args(words)
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except Exception as exc:
        line = _said(exc)
        if line is None:
            raise
        print(line, file=sys.stderr)
        return 1


_MISSING_HINT = (
    "Sammanbot's packages are not installed for this Python ({python}: no module named {module!r}). "
    "Fix: run `make install` once, then use .venv/bin/python -m bot …"
)
_SETTING_NOT_PARSED = re.compile(r'error parsing value for field "(\w+)"')


def _missing_package(exc: ModuleNotFoundError) -> str | None:
    """A third-party package missing: the wrong Python, or no `make install` yet."""
    module = (exc.name or "").split(".")[0]
    if not module or module in ("bot", "storage"):
        return None  # our own code: a bug, shown with its traceback
    return _MISSING_HINT.format(python=sys.executable, module=module)


def _unparsed_setting(exc: Exception) -> str | None:
    """pydantic-settings could not even decode a value (a list or mapping setting not in JSON)."""
    found = _SETTING_NOT_PARSED.search(str(exc))
    if found is None or type(exc).__name__ != "SettingsError":
        return None
    name = found.group(1)
    from bot.base.settings import Settings

    field = Settings.model_fields.get(name)
    kind = getattr(field.annotation, "__origin__", field.annotation) if field else None
    # list and mapping settings hold no secrets: the example is the value given, in JSON
    parts = [p.strip() for p in os.environ.get(name.upper(), "").split(",") if p.strip()]
    if kind is list:
        shape = f"a JSON list, e.g. {name.upper()}='{json.dumps(parts or ['a', 'b'])}'"
    elif kind is dict:
        pairs = dict(p.split(":", 1) for p in parts if ":" in p) or {"key": "value"}
        shape = f"a JSON object, e.g. {name.upper()}='{json.dumps(pairs, ensure_ascii=False)}'"
    else:
        shape = "valid JSON"
    return (
        f"Sammanbot cannot read its settings: {name.upper()} must be {shape}. "
        "Fix: correct it in the environment or .env (the README lists the settings)."
    )


def _said(exc: Exception) -> str | None:
    """The one line that tells a person what stopped a command, or None for a bug."""
    if isinstance(exc, ModuleNotFoundError):
        return _missing_package(exc)
    if (line := _unparsed_setting(exc)) is not None:
        return line
    from pydantic import ValidationError

    from storage.unusable import DatabaseUnusable

    if isinstance(exc, DatabaseUnusable):
        return str(exc)
    if isinstance(exc, ValidationError) and exc.title == "Settings":
        from bot.base.settings import settings_problems

        return (
            "Sammanbot cannot read its settings: "
            + "; ".join(settings_problems(exc))
            + ". Fix: correct them in the environment or .env (the README lists them)."
        )
    return None


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "flows":
        from bot.cli.flows_check import check_command

        return check_command(args.paths)
    if args.command == "chat":
        from bot.cli.chat import chat_command

        return chat_command(lang=args.lang, flow_id=args.flow)
    if args.command == "anonymize":
        from bot.cli.anonymize import anonymize_command, score_command

        if args.score:
            return score_command(sys.stdout, misses=args.misses)
        return anonymize_command(args.name, sys.stdin, sys.stdout)
    if args.command == "i18n":
        from bot.i18n.cli import i18n_command

        return i18n_command(args.action)
    if args.command == "staff":
        from bot.cli.staff import staff_command

        return staff_command(args)
    if args.command == "db":
        from storage.migrate import upgrade_command

        return upgrade_command()
    if args.command == "doctor":
        from bot.cli.doctor import doctor_command

        return doctor_command()
    if args.command == "campaign":
        from bot.cli.campaign import campaign_command

        return campaign_command(args)
    if args.command == "demo":
        from bot.cli.demo import demo_command

        return demo_command()
    if args.command == "export":
        from bot.cli.export import export_command

        return export_command(args)
    if args.command == "run":
        from bot.app.run import run_command

        return run_command(workers=args.workers)
    return 2
