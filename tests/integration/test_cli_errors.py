"""What a person reads when a setting is wrong: one line saying what and how to fix it,
the same from every command, never a traceback (`python -m bot …` as a child process).

Databases: an unknown host, a refused port, a missing PostgreSQL database and a URL
that is no database URL, for every command that touches the database; `postgres://`,
`postgresql://` and `sqlite:///` work. Tokens: one not of Telegram's form is refused at
start; a Bot API that cannot be reached is said once, with what to check.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import subprocess
import sys

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from bot.cli.doctor import FAIL, check_settings, check_telegram
from bot.base.settings import Settings, async_database_url, token_problem
from bot.telegram.client import make_bot
from bot.telegram.intake import Poller
from storage.migrate import newest_revision
from tests.botfixtures import ROOT, free_port
from tests.clirun import Running, cli_env, command

HEAD = newest_revision()
PASSWORD = "a long secret pass\n"
# Every command that touches the database, with what it needs on stdin.
DATABASE_COMMANDS = [
    (["run"], None),
    (["run", "--workers", "2"], None),  # said once by the supervisor, not by each restarted worker
    (["staff", "add", "ada", "--role", "admin", "--password-stdin"], PASSWORD),
    (["staff", "passwd", "ada", "--password-stdin"], PASSWORD),
    (["db", "upgrade"], None),
    (["export"], None),
]
EXAMPLES = "sqlite+aiosqlite:///./var/sammanbot.db or postgresql+asyncpg://user:password@host:5432/dbname"
TOKEN_HINT = (
    "TELEGRAM_BOT_TOKEN is not a Telegram bot token (those look like 123456789:AAH…: digits, a colon, "
    "35 letters, digits, - or _). Fix: get one from @BotFather in Telegram (/newbot, or /mybots → API "
    "Token; README: Getting a bot token), or unset it to run only the simulator and the dashboard."
)
GOOD_FORM_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"  # invented


def closed_port() -> int:
    """A port nothing listens on (just freed by us)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def assert_every_command_says(url: str, tmp_path, where: str, what: str, fix: str) -> None:
    env = cli_env(tmp_path, DATABASE_URL=url, WEB_PORT=str(free_port(2)))
    line = f"Sammanbot cannot use the database {where}: {what}. Fix: {fix}.\n"
    for argv, stdin in DATABASE_COMMANDS:
        done = command(argv, env, tmp_path, stdin=stdin)
        assert (done.returncode, done.stdout, done.stderr) == (1, "", line), argv
    doctor = command(["doctor"], env, tmp_path)
    assert doctor.returncode == 1
    assert f"✗ database: {where}: {what}\n    fix: {fix}\n" in doctor.stdout
    assert "Traceback" not in doctor.stdout + doctor.stderr


def test_an_unknown_host_is_named_and_the_password_hidden(tmp_path):
    assert_every_command_says(
        "postgresql+asyncpg://postgres:s3cret@no-such-host.invalid:5432/sammanbot",
        tmp_path,
        "postgresql+asyncpg://postgres:***@no-such-host.invalid:5432/sammanbot",
        "the host no-such-host.invalid cannot be found",
        "check the host name in DATABASE_URL (and this machine's network)",
    )


def test_a_refused_port_is_named(tmp_path):
    assert_every_command_says(
        "postgresql+asyncpg://postgres@127.0.0.1:1/sammanbot",
        tmp_path,
        "postgresql+asyncpg://postgres@127.0.0.1:1/sammanbot",
        "nothing accepts connections at 127.0.0.1:1 (connection refused)",
        "start the database server, or correct the host and port in DATABASE_URL",
    )


def test_a_missing_database_says_how_to_create_it(pg_url, tmp_path):
    url = make_url(pg_url)
    missing = f"{url.database}_missing"
    where = url.set(database=missing).render_as_string(hide_password=True)
    assert_every_command_says(
        where,
        tmp_path,
        where,
        f'there is no database "{missing}" on {url.host}:{url.port}',
        f"create it (createdb -h {url.host} -U {url.username} {missing}) or correct its name in DATABASE_URL",
    )


def test_a_url_that_is_no_database_url_shows_what_one_looks_like(tmp_path):
    assert_every_command_says(
        "localhost:5432/sammanbot",
        tmp_path,
        "localhost:5432/sammanbot",
        "DATABASE_URL is not a URL of a database the bot knows (it does not parse)",
        f"set DATABASE_URL to {EXAMPLES}",
    )
    env = cli_env(tmp_path, DATABASE_URL="mysql://root@localhost/sammanbot")
    done = command(["db", "upgrade"], env, tmp_path)
    assert (done.returncode, done.stderr) == (
        1,
        (
            "Sammanbot cannot use the database mysql://root@localhost/sammanbot: DATABASE_URL is not a URL of a "
            f"database the bot knows (no async driver for mysql). Fix: set DATABASE_URL to {EXAMPLES}.\n"
        ),
    )


async def test_postgres_and_postgresql_urls_work_for_every_command(pg_url, tmp_path):
    async_url = make_url(pg_url)
    plain = async_url.set(drivername="postgres").render_as_string(hide_password=False)
    shown = async_url.render_as_string(hide_password=True)
    env = cli_env(tmp_path, DATABASE_URL=plain, WEB_PORT=str(free_port(2)))

    done = command(["db", "upgrade"], env, tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        f"{shown}: upgraded from an empty database to revision {HEAD} (head)\n",
        "",
    )
    done = command(["staff", "add", "ada", "--role", "admin", "--password-stdin"], env, tmp_path, stdin=PASSWORD)
    assert (done.returncode, done.stderr) == (0, "staff account 'ada' (admin) created\n")
    done = command(["staff", "passwd", "ada", "--password-stdin"], env, tmp_path, stdin="another long pass\n")
    assert (done.returncode, done.stderr) == (0, "new password set for 'ada'; their dashboard sessions have ended\n")
    done = command(["export", "--format", "json"], env, tmp_path)
    assert (done.returncode, json.loads(done.stdout), done.stderr) == (0, [], "exported 0 submission(s)\n")
    assert f"✓ database: {shown} is reachable, schema up to date\n" in command(["doctor"], env, tmp_path).stdout

    bot = await Running.start(["run"], env | {"DATABASE_URL": plain.replace("postgres://", "postgresql://")}, tmp_path)
    await bot.wait_for("Dashboard: ")
    assert await bot.stop() == 0, bot.output
    assert "Traceback" not in bot.output


def test_a_plain_sqlite_url_gets_the_async_driver(tmp_path):
    done = command(["db", "upgrade"], cli_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/plain.db"), tmp_path)
    assert (done.returncode, done.stdout) == (
        0,
        f"sqlite+aiosqlite:///{tmp_path}/plain.db: upgraded from an empty database to revision {HEAD} (head)\n",
    )


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:pw@db.example.org/ideas", "postgresql+asyncpg://u:pw@db.example.org/ideas"),
        ("postgresql://u@db.example.org:6543/ideas", "postgresql+asyncpg://u@db.example.org:6543/ideas"),
        (
            "POSTGRES://u@h/d?sslmode=require&application_name=bot",
            "postgresql+asyncpg://u@h/d?ssl=require&application_name=bot",
        ),
        ("postgresql+asyncpg://u@h/d?ssl=require", "postgresql+asyncpg://u@h/d?ssl=require"),
        ("sqlite:///./var/sammanbot.db", "sqlite+aiosqlite:///./var/sammanbot.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("not a url", "not a url"),
    ],
)
def test_database_urls_are_mapped_to_the_async_drivers_in_the_settings(given, used):
    assert async_database_url(given) == used
    assert Settings(_env_file=None, database_url=given).database_url == used


# -- the token ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        "123456:ABC",
        "not-a-token",
        "123456789-AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0",
        "bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0",
    ],
)
def test_a_token_not_of_telegrams_form_is_refused_at_start(token, tmp_path):
    env = cli_env(tmp_path, TELEGRAM_BOT_TOKEN=token, WEB_PORT=str(free_port(2)))
    done = command(["run"], env, tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (1, "", f"Sammanbot cannot start: {TOKEN_HINT}\n")
    assert not (tmp_path / "var" / "bot.db").exists()  # refused before anything was set up


def test_the_doctor_names_a_malformed_token_and_does_not_send_it(tmp_path):
    s = Settings(_env_file=None, telegram_bot_token="123456:ABC", var_dir=tmp_path, pseudonym_key="k")
    assert [(f.level, f.detail) for f in check_settings(s) if f.topic == "token"] == [(FAIL, TOKEN_HINT)]
    assert asyncio.run(check_telegram(s)) == []  # no getMe with it


def test_a_pasted_token_is_trimmed_and_an_empty_one_is_unset():
    assert Settings(_env_file=None, telegram_bot_token=f"  {GOOD_FORM_TOKEN}\n").telegram_bot_token == SecretStr(
        GOOD_FORM_TOKEN
    )
    assert Settings(_env_file=None, telegram_bot_token="").telegram_bot_token is None
    assert token_problem(SecretStr(GOOD_FORM_TOKEN)) is None and token_problem(None) is None


async def test_without_network_the_bot_says_once_what_to_check(tmp_path):
    api = f"http://127.0.0.1:{closed_port()}"
    env = cli_env(tmp_path, TELEGRAM_BOT_TOKEN=GOOD_FORM_TOKEN, TELEGRAM_API_URL=api, WEB_PORT=str(free_port(2)))
    bot = await Running.start(["run"], env, tmp_path)
    await bot.wait_for("Bot API still not reachable", count=2)
    assert await bot.stop() == 0, bot.output
    messages = [line.split(" bot: ", 1)[1].rstrip("\n") for line in bot.lines if " bot: " in line]
    assert messages[0] == (
        f"the Bot API at {api} cannot be reached (NetworkError). Check this machine's network "
        "connection (and proxy) and TELEGRAM_API_URL; retrying until it answers, first in 1s"
    )
    assert messages[1:3] == [
        "Bot API still not reachable (NetworkError, try 2); retrying in 2s",
        "Bot API still not reachable (NetworkError, try 3); retrying in 4s",
    ]
    assert sum("TELEGRAM_API_URL" in line for line in bot.lines) == 1
    assert "stopped before the Bot API answered" in messages
    assert "Traceback" not in bot.output and "cannot start" not in bot.output
    assert GOOD_FORM_TOKEN.split(":")[1] not in bot.output


@pytest.mark.filterwarnings("ignore:Please use 'Bot.getUpdates'")
async def test_polling_that_loses_the_network_says_once_what_to_check(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="bot.telegram.intake")
    api = f"http://127.0.0.1:{closed_port()}"
    settings = Settings(_env_file=None, telegram_bot_token=GOOD_FORM_TOKEN, telegram_api_url=api)
    poller = Poller(make_bot(settings), None, lambda: None, timeout=1, api_url=api)  # type: ignore[arg-type]
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run(stop))
    async with asyncio.timeout(120):
        while poller.outage.failures < 3:
            await asyncio.sleep(0.05)
    stop.set()
    await task
    said = [r.getMessage() for r in caplog.records if r.name == "bot.telegram.intake"]
    assert said[0].startswith(
        f"the Bot API at {api} cannot be reached (NetworkError). Check this machine's "
        "network connection (and proxy) and TELEGRAM_API_URL"
    )
    assert all(m.startswith("Bot API still not reachable (NetworkError, try ") for m in said[1:])
    assert not any(r.exc_info for r in caplog.records)


# -- where things are, at start -----------------------------------------------------------


async def test_run_says_where_the_dashboard_and_simulator_are_and_not_alembics_set_up(tmp_path):
    port = free_port()
    bot = await Running.start(["run"], cli_env(tmp_path, WEB_PORT=str(port)), tmp_path)
    await bot.wait_for("Dashboard: ")
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/staff/") as page:
            dashboard = (page.status, str(page.url.path))
        async with http.get(f"{base}/staff/simulator", allow_redirects=False) as page:
            simulator = (page.status, page.headers.get("Location", ""))
    assert await bot.stop() == 0, bot.output
    messages = [line.split(": ", 1)[1].rstrip("\n") for line in bot.lines]
    assert f"Dashboard: {base}/staff/  Simulator: {base}/staff/simulator" in messages
    assert messages.count(f"database schema upgraded from empty to revision {HEAD}") == 1
    assert not [line for line in bot.lines if "alembic" in line.lower()]
    assert dashboard == (200, "/staff/login")  # the addresses said are the real ones
    assert simulator[0] in (302, 303) and "/staff/login" in simulator[1]

    again = await Running.start(["run"], cli_env(tmp_path, WEB_PORT=str(port)), tmp_path)
    await again.wait_for("Dashboard: ")
    assert await again.stop() == 0
    assert "upgraded" not in again.output  # nothing to do: nothing said


async def test_the_telegram_bot_says_where_the_dashboard_is_too(fake_bot_api, tmp_path):
    port = free_port()
    env = cli_env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=fake_bot_api.token,
        TELEGRAM_API_URL=fake_bot_api.url,
        POLL_TIMEOUT="1",
        WEB_PORT=str(port),
        FLOWS_DIR=str(ROOT / "flows"),
    )
    bot = await Running.start(["run"], env, tmp_path)
    await bot.wait_for("Dashboard: ")
    assert await bot.stop() == 0, bot.output
    assert (
        f"Dashboard: http://127.0.0.1:{port}/staff/  Simulator: http://127.0.0.1:{port}/staff/simulator" in bot.output
    )
    assert "Sammanbot is running as @sammanbot_test_bot" in bot.output


# -- settings that cannot even be decoded, and the wrong Python --------------------------


@pytest.mark.parametrize(
    "setting, value, shown",
    [
        ("LANGUAGES", "sv,en", """LANGUAGES must be a JSON list, e.g. LANGUAGES='["sv", "en"]'"""),
        ("TRUSTED_PROXIES", "10.0.0.1", """TRUSTED_PROXIES must be a JSON list, e.g. TRUSTED_PROXIES='["10.0.0.1"]'"""),
        ("PUBLIC_NUMBERS", "112,1177", """PUBLIC_NUMBERS must be a JSON list, e.g. PUBLIC_NUMBERS='["112", "1177"]'"""),
        (
            "LANGUAGE_NAMES",
            "fa_AF:Dari",
            """LANGUAGE_NAMES must be a JSON object, e.g. LANGUAGE_NAMES='{"fa_AF": "Dari"}'""",
        ),
    ],
)
def test_a_list_setting_not_written_as_json_is_one_line_with_the_json_to_write(tmp_path, setting, value, shown):
    env = cli_env(tmp_path, **{setting: value})
    for argv in (["doctor"], ["run"], ["export"]):
        done = command(argv, env, tmp_path)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.splitlines()[-1] == (
            f"Sammanbot cannot read its settings: {shown}. "
            "Fix: correct it in the environment or .env (the README lists the settings)."
        )


def test_the_bot_run_by_a_python_without_its_packages_says_which_python_to_use(tmp_path):
    bare = tmp_path / "bare"  # a Python that has none of the bot's packages
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    python = bare / "bin" / "python"
    done = subprocess.run(
        [str(python), "-m", "bot", "staff", "add", "ada", "--role", "admin"],
        env=cli_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith(f"Sammanbot's packages are not installed for this Python ({python}: ")
    assert done.stderr.rstrip().endswith("Fix: run `make install` once, then use .venv/bin/python -m bot …")
