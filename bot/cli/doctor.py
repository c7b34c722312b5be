"""`python -m bot doctor`: is this set-up ready to run? Says in plain words what to fix.

Checks the settings, the token (getMe), the database, the staff chat (the bot is a
member and may write: getChat, then getChatMember of the bot itself), the flows with
the crisis word list, the catalogs, and the translation server (TRANSLATE_URL's
/languages). Exit 0 when nothing must be fixed, 1 otherwise
(warnings alone do not fail). It reads and asks; it changes nothing, sends nothing.
"""

from __future__ import annotations

from bot.base.invocation import bot_command

import asyncio
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from bot.base.settings import Settings, settings_problems, token_problem

OK, WARN, FAIL = "ok", "warn", "fail"
MARKS = {OK: "✓", WARN: "!", FAIL: "✗"}
API_TIMEOUT = 15.0


@dataclass
class Finding:
    topic: str
    level: str
    detail: str
    fix: str = ""

    def render(self) -> str:
        line = f"{MARKS[self.level]} {self.topic}: {self.detail}"
        return line + (f"\n    fix: {self.fix}" if self.fix else "")


# -- settings ---------------------------------------------------------------------------


def check_settings(s: Settings) -> list[Finding]:
    found = []
    if s.telegram_bot_token is None:
        found.append(
            Finding(
                "token",
                FAIL,
                "TELEGRAM_BOT_TOKEN is not set, so only the web simulator would run",
                "get a token from @BotFather (README: Getting a bot token) and set TELEGRAM_BOT_TOKEN",
            )
        )
    elif problem := token_problem(s.telegram_bot_token):
        found.append(Finding("token", FAIL, problem))
    if s.staff_chat_id is None:
        found.append(
            Finding(
                "staff chat",
                FAIL,
                "STAFF_CHAT_ID is not set, so submissions reach no one",
                "add the bot to the team's group and set STAFF_CHAT_ID to the group's id "
                "(negative; Telegram Web shows it at the end of the group's address)",
            )
        )
    if s.webhook_url and not s.webhook_url.startswith("https://"):
        found.append(
            Finding(
                "settings",
                FAIL,
                "WEBHOOK_URL is not an https:// URL; Telegram posts only to https",
                "put the bot behind an https proxy and set WEBHOOK_URL=https://…, or unset it to poll",
            )
        )
    if s.default_language not in s.languages:
        found.append(
            Finding(
                "settings",
                FAIL,
                f"DEFAULT_LANGUAGE {s.default_language} is not in LANGUAGES",
                "add it to LANGUAGES or pick one of " + ", ".join(s.languages),
            )
        )
    if s.forward_webhook_url and s.forward_webhook_secret is None:
        found.append(
            Finding(
                "settings",
                WARN,
                "FORWARD_WEBHOOK_URL is set without FORWARD_WEBHOOK_SECRET, so the "
                "receiver cannot check that submissions come from this bot",
                "set FORWARD_WEBHOOK_SECRET to a long random string shared with the receiver",
            )
        )
    if s.log_format.lower() not in ("text", "json"):
        found.append(
            Finding(
                "settings",
                WARN,
                f"LOG_FORMAT={s.log_format} is unknown; text is used",
                "set LOG_FORMAT to text or json",
            )
        )
    found += _check_var_dir(s)
    if not any(f.topic == "settings" for f in found):
        found.insert(0, Finding("settings", OK, "read from the environment and .env"))
    return found


def _check_var_dir(s: Settings) -> list[Finding]:
    var = Path(s.var_dir)
    try:
        var.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=var):
            pass
    except OSError as exc:
        return [
            Finding(
                "settings",
                FAIL,
                f"VAR_DIR {var} is not writable ({type(exc).__name__})",
                "make it writable by the user the bot runs as (in Docker: mount a volume at /app/var)",
            )
        ]
    if s.pseudonym_key is None:
        key = var / "pseudonym.key"
        where = "is in" if key.is_file() else "will be generated into"
        return [
            Finding(
                "settings",
                WARN,
                f"PSEUDONYM_KEY is not set; the key {where} {key}",
                "back that file up with the database: without it, returning youth get new pseudonyms",
            )
        ]
    return []


# -- Telegram ---------------------------------------------------------------------------


async def check_telegram(s: Settings) -> list[Finding]:
    """getMe, then the staff (and safeguarding) chat: may the bot write there?"""
    from telegram.error import InvalidToken, TelegramError

    from bot.telegram.client import make_bot

    if s.telegram_bot_token is None or token_problem(s.telegram_bot_token):
        return []  # said by check_settings
    bot = make_bot(s)
    try:
        async with asyncio.timeout(API_TIMEOUT):
            me = await bot.get_me()
    except InvalidToken:
        return [
            Finding(
                "token",
                FAIL,
                "Telegram refused the token",
                "copy the token again from @BotFather (/mybots → API Token) into TELEGRAM_BOT_TOKEN",
            )
        ]
    except (TelegramError, TimeoutError, OSError) as exc:
        return [
            Finding(
                "token",
                FAIL,
                f"the Bot API at {s.telegram_api_url} cannot be reached ({type(exc).__name__})",
                "check the server's internet connection, proxy and TELEGRAM_API_URL",
            )
        ]
    found = [Finding("token", OK, f"the bot is @{me.username}")]
    try:
        async with asyncio.timeout(API_TIMEOUT):
            for name, chat_id in (("staff chat", s.staff_chat_id), ("safeguarding chat", s.safeguarding_chat_id)):
                if chat_id is not None:
                    found.append(await _check_chat(bot, me.id, name, chat_id))
    except (TelegramError, TimeoutError, OSError) as exc:
        found.append(
            Finding(
                "staff chat",
                FAIL,
                f"the Bot API did not answer ({type(exc).__name__})",
                "run the doctor again in a moment",
            )
        )
    return found


async def _check_chat(bot: Any, bot_id: int, topic: str, chat_id: int) -> Finding:
    from telegram.error import BadRequest, Forbidden

    try:
        chat = await bot.get_chat(chat_id)
        member = await bot.get_chat_member(chat_id, bot_id)
    except (BadRequest, Forbidden):
        return Finding(
            topic,
            FAIL,
            f"the bot cannot see chat {chat_id}: it is not a member, or the id is wrong",
            "add the bot to the group and check STAFF_CHAT_ID: a group's id is negative; "
            "Telegram Web shows it at the end of the group's address (web.telegram.org/a/#-100…)",
        )
    title = f"“{chat.title}”" if chat.title else str(chat_id)
    if chat.type == "private":
        return Finding(
            topic,
            WARN,
            f"{chat_id} is a private chat, not a group",
            "make a group for the team, add the bot, and use the group's id",
        )
    status = member.status
    if status in ("left", "kicked"):
        return Finding(topic, FAIL, f"the bot is not in {title} any more ({status})", "add the bot to the group again")
    if chat.type == "channel" and status != "administrator":
        return Finding(
            topic,
            FAIL,
            f"{title} is a channel where the bot is not an administrator",
            "make the bot an administrator who may post, or use a group",
        )
    if status == "restricted" and not getattr(member, "can_send_messages", False):
        return Finding(
            topic,
            FAIL,
            f"the bot may not write in {title}",
            "allow the bot to send messages (group settings → permissions or exceptions)",
        )
    return Finding(topic, OK, f"the bot is {status} of {title} and may write there")


# -- database ---------------------------------------------------------------------------


async def check_database(s: Settings) -> list[Finding]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from storage.db import DatabaseUnusable, make_engine, masked, missing_sqlite_file, reach
    from storage.migrate import alembic_config

    where = masked(s.database_url)
    if (absent := missing_sqlite_file(s.database_url)) is not None:  # looked at, not created
        return [
            Finding(
                "database",
                WARN,
                f"there is no SQLite database at {absent} yet; the bot creates it (and its folder) on first start",
                "nothing to do on a first start; otherwise check the path in DATABASE_URL",
            )
        ]
    try:
        engine = make_engine(s.database_url)
        try:
            await reach(engine)
            async with asyncio.timeout(10), engine.connect() as conn:
                current = await conn.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
        finally:
            await engine.dispose()
    except DatabaseUnusable as exc:  # the words every command uses (storage.unusable)
        return [Finding("database", FAIL, f"{exc.where}: {exc.what}", exc.fix)]
    except Exception as exc:
        cause = getattr(exc, "orig", None) or exc  # the driver's own error says it best
        reason = (str(cause).splitlines() or [""])[0][:200]
        return [
            Finding(
                "database",
                FAIL,
                f"{where}: its schema revision cannot be read ({type(cause).__name__}: {reason})",
                "check that this user may read the database",
            )
        ]
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if current == head:
        return [Finding("database", OK, f"{where} is reachable, schema up to date")]
    state = "empty" if current is None else f"at revision {current}"
    return [
        Finding(
            "database",
            OK,
            f"{where} is reachable, {state}; the bot upgrades it on start (or run `{bot_command('db upgrade')}`)",
        )
    ]


# -- content ----------------------------------------------------------------------------


def check_content(s: Settings) -> list[Finding]:
    from bot.engine.load import check_paths
    from bot.i18n.catalogs import po_path
    from bot.app.reload import check_catalogs
    from bot.safeguarding import validate_lexicon
    from bot.dialogue.services import LEXICON_FILE

    found = []
    if not Path(s.flows_dir).is_dir():
        found.append(
            Finding(
                "flows",
                FAIL,
                f"FLOWS_DIR {s.flows_dir} is not a folder",
                "point FLOWS_DIR at the flows (in Docker: /app/flows)",
            )
        )
    else:
        n_flows, problems = check_paths([str(s.flows_dir)])
        lexicon = Path(s.flows_dir) / LEXICON_FILE
        problems = sorted(set(problems) | set(validate_lexicon(lexicon) if lexicon.is_file() else []))
        if problems:
            shown = "\n      ".join(str(p) for p in problems[:20])
            found.append(
                Finding(
                    "flows",
                    FAIL,
                    f"{len(problems)} problem(s):\n      {shown}",
                    f"fix those lines; `{bot_command('flows check')}` lists them again",
                )
            )
        elif not lexicon.is_file():
            found.append(
                Finding(
                    "flows",
                    FAIL,
                    f"{n_flows} flow file(s) fine, but {lexicon} is missing",
                    "restore the crisis word list (safeguarding.yaml) from the repository",
                )
            )
        else:
            found.append(Finding("flows", OK, f"{n_flows} flow file(s) and the crisis word list are fine"))
    languages = list(dict.fromkeys([*s.languages, s.default_language]))
    missing = [lang for lang in languages if not po_path(s.locales_dir, lang).is_file()]
    broken = check_catalogs(s.locales_dir, languages)
    if broken:
        found.append(
            Finding(
                "catalogs",
                FAIL,
                f"{len(broken)} broken catalog(s):\n      " + "\n      ".join(broken),
                "fix the .po file (or take it back from the repository)",
            )
        )
    if missing:
        found.append(
            Finding(
                "catalogs",
                WARN,
                "no catalog for " + ", ".join(missing) + "; those texts show in English",
                f"check LOCALES_DIR ({s.locales_dir}) or LANGUAGES",
            )
        )
    if not broken and not missing:
        found.append(Finding("catalogs", OK, f"{len(languages)} language(s) readable"))
        found.append(check_profile(s, languages))
        found += check_reviews(s)
    return found


def check_profile(s: Settings, languages: list[str]) -> Finding:
    """The bot's Telegram description and short description translated in every catalog
    (bot.i18n.profile): a youth must not see English before pressing Start; the bot's name
    in every catalog (set with setMyName where it differs), the menu button with them."""
    from bot.i18n.catalogs import Catalogs
    from bot.i18n.profile import NAME, TEXTS

    catalogs = Catalogs.load(s.locales_dir, languages, s.default_language, s.show_fuzzy)
    lacking = sorted(
        {
            lang
            for lang in languages
            for msgid in TEXTS.values()
            if not catalogs.has(lang, msgid) or (lang != "en" and catalogs.translator(lang).gettext(msgid) == msgid)
        }
    )
    if lacking:
        return Finding(
            "bot profile",
            WARN,
            "the description or short description is not translated for " + ", ".join(lacking),
            "translate them in those catalogs (bot/i18n/profile.py's texts; docs/TRANSLATING.md)",
        )
    nameless = sorted(lang for lang in languages if not catalogs.has(lang, NAME))
    if nameless:
        return Finding(
            "bot profile",
            WARN,
            "the bot's name is not in the catalog for " + ", ".join(nameless),
            'give "Sammanbot" as that language writes it (or the same word) in those catalogs',
        )
    default_name = catalogs.translator(s.default_language).gettext(NAME)
    named = sorted(lang for lang in languages if catalogs.translator(lang).gettext(NAME) != default_name)
    return Finding(
        "bot profile",
        OK,
        f"description and short description in {len(languages)} language(s); the name in its own script for "
        + (", ".join(named) or "none")
        + "; the menu button opens the commands",
    )


# -- machine translation ----------------------------------------------------------------


async def check_translation(s: Settings) -> list[Finding]:
    """TRANSLATE_URL answers /languages; which of the bot's languages it translates."""
    if not s.translate_url:
        return [
            Finding(
                "translation",
                OK,
                "TRANSLATE_URL is not set: no machine translation; staff add translations with /tr",
            )
        ]
    from bot.forwarding.translations import TranslationFailed, can_translate, provider_code
    from bot.translation.libretranslate import LibreTranslate

    key = s.translate_api_key.get_secret_value() if s.translate_api_key else None
    try:
        languages = await LibreTranslate(s.translate_url, key, timeout=API_TIMEOUT).languages()
    except TranslationFailed as exc:
        return [
            Finding(
                "translation",
                WARN,
                f"{exc}; translations wait until it answers",
                "start the LibreTranslate server (README: Translations) or check TRANSLATE_URL and TRANSLATE_API_KEY",
            )
        ]
    found = []
    for target in s.translate_targets:
        if provider_code(target) not in languages:
            found.append(Finding("translation", FAIL, f"TRANSLATE_TARGET {target} is not a language the server has"))
    sources = [lang for lang in s.languages if lang not in s.translate_targets]
    covered = [lang for lang in sources if all(can_translate(languages, lang, t) for t in s.translate_targets)]
    lacking = [lang for lang in sources if lang not in covered]
    detail = f"{s.translate_url} translates {', '.join(covered) or 'none of the languages'}"
    if lacking:
        detail += f"; no machine translation for {', '.join(lacking)} (staff add those with /tr)"
    found.append(Finding("translation", OK, detail))
    return found


def check_reviews(s: Settings) -> list[Finding]:
    """Per enabled language: how much is reviewed; a warning while a safety-critical text is not."""
    from bot.i18n.catalogs import SOURCE_LANGUAGE
    from bot.i18n.cli import read_catalog, template_path
    from bot.i18n.review import language_status

    pot = template_path(s.locales_dir)
    if not pot.is_file():
        return [Finding("reviewed texts", WARN, f"{pot} is missing", f"run `{bot_command('i18n extract')}`")]
    template = read_catalog(pot)
    statuses = [language_status(template, s.locales_dir, lang) for lang in s.languages if lang != SOURCE_LANGUAGE]
    summary = ", ".join(f"{st.lang} {st.reviewed}/{st.total}" for st in statuses)
    unsafe = [st for st in statuses if st.critical_unreviewed]
    if not unsafe:
        return [Finding("reviewed texts", OK, f"reviewed: {summary}; every safety-critical text is reviewed")]
    fallbacks = s.unreviewed_fallback
    lines = [
        f"{st.lang}: {len(st.critical_unreviewed)} of {st.critical_total}"
        + (f" (youth see the {fallbacks[st.lang].split(':')[0]} text instead)" if st.lang in fallbacks else "")
        for st in unsafe
    ]
    return [
        Finding(
            "reviewed texts",
            WARN,
            f"reviewed: {summary}; safety-critical texts (consent, privacy, crisis help) not reviewed:\n      "
            + "\n      ".join(lines),
            "have someone who speaks the language review them on the dashboard's Translations page "
            "(docs/TRANSLATING.md); meanwhile UNREVIEWED_FALLBACK can show another language's reviewed text",
        )
    ]


# -- the command ------------------------------------------------------------------------


async def diagnose(s: Settings) -> list[Finding]:
    found = check_settings(s)
    found += await check_telegram(s)
    found += await check_database(s)
    found += check_content(s)
    found += await check_translation(s)
    return found


def doctor_command(out: TextIO | None = None) -> int:
    out = out or sys.stdout
    print("Sammanbot doctor: checking this set-up", file=out)
    try:
        settings = Settings()
    except ValidationError as exc:
        for problem in settings_problems(exc):
            print(f"✗ settings: {problem}", file=out)
        print("    fix: correct those settings (environment or .env; the README lists them)", file=out)
        return 1
    from bot.telegram.client import configure_ptb

    configure_ptb()
    found = asyncio.run(diagnose(settings))
    for finding in found:
        print(finding.render(), file=out)
    failed = sum(f.level == FAIL for f in found)
    warned = sum(f.level == WARN for f in found)
    if failed:
        print(f"{failed} thing(s) to fix" + (f", {warned} warning(s)" if warned else ""), file=out)
        return 1
    print("All good" + (f" ({warned} warning(s))" if warned else "") + f": `{bot_command('run')}` can start.", file=out)
    return 0
