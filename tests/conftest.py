"""Shared fixtures: the fake Bot API server and the test databases."""

from tests.dbfixtures import db, db_url, fresh_pg_url, pg_url  # noqa: F401
from tests.fakebotapi.fixtures import fake_bot_api  # noqa: F401
