"""Shared fixtures (the fake Bot API server, the test databases) and the tiers' markers.

Each test is marked by the folder it lives in: tests/unit/ -> `unit`, tests/integration/ ->
`integration`, tests/reliability/ -> `reliability`, tests/browser/ -> `browser` (registered
in pyproject.toml; `pytest -m unit` runs one tier). A test outside these folders is an error.
"""

from pathlib import Path

import pytest

from tests.dbfixtures import db, db_url, fresh_pg_url, pg_url  # noqa: F401
from tests.fakebotapi.fixtures import fake_bot_api  # noqa: F401
from tests.fakelibretranslate.fixtures import fake_libretranslate  # noqa: F401

TESTS = Path(__file__).resolve().parent
TIERS = ("unit", "integration", "reliability", "browser")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        tier = Path(item.fspath).resolve().relative_to(TESTS).parts[0]
        if tier not in TIERS:
            raise pytest.UsageError(f"{item.nodeid}: a test belongs in one of tests/{{{','.join(TIERS)}}}/")
        item.add_marker(tier)


def pytest_configure(config) -> None:
    from bot.telegram.client import configure_ptb

    configure_ptb()  # as the bot's start-up does (bot.app.run), for tests that drive its parts directly
