"""Shared fixtures: the fake Bot API server and the test databases."""

from tests.dbfixtures import db, db_url, fresh_pg_url, pg_url  # noqa: F401
from tests.fakebotapi.fixtures import fake_bot_api  # noqa: F401


def pytest_configure(config) -> None:
    from bot.telegram.client import configure_ptb

    configure_ptb()  # as the bot's start-up does (bot.app.run), for tests that drive its parts directly
