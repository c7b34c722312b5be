"""Fixtures that run the whole bot in-process against the fake Bot API server.

`running_bot(fake, db_url, …)` starts `bot.app.run.serve()` exactly as `python -m bot run`
does (same services, same loops), pointed at the fake server and a test database,
and stops it cleanly afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from bot.app.run import serve
from bot.app.services import build_services
from bot.dialogue.services import Services
from bot.base.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
STAFF_CHAT_ID = -100_555_000_111


def free_port(count: int = 1) -> int:
    """A port that was free a moment ago, with the `count - 1` ports above it free too
    (`run --workers N` binds N ports in a row; another test may hold any of them)."""
    for _ in range(100):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + count <= 65536 and all(port_free(port) for port in range(base + 1, base + count)):
            return base
    raise RuntimeError(f"no {count} free ports in a row")


def port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def bot_settings(fake: Any, db_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(
        telegram_bot_token=fake.token,
        telegram_api_url=fake.url,
        database_url=db_url,
        var_dir=tmp_path / "var",
        flows_dir=Path(os.environ.get("TEST_FLOWS_DIR", ROOT / "flows")),
        locales_dir=ROOT / "locales",
        web_port=free_port(),
        poll_timeout=1,
        staff_chat_id=STAFF_CHAT_ID,
        pseudonym_key="test-pseudonym-key-not-secret",
        rate_per_chat_per_s=50.0,
        rate_per_chat_burst=50,
        rate_global_per_s=1000.0,
        rate_group_per_min=6000.0,  # the fake enforces no limits unless a test turns them on
    )
    values.update(overrides)
    return Settings(_env_file=None, **values)


@contextlib.asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[Services]:
    services = build_services(settings)
    ready, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(settings, ready=ready, stop=stop, services=services))
    waiter = asyncio.create_task(ready.wait())
    done, _ = await asyncio.wait({task, waiter}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        waiter.cancel()
        task.result()  # raises what stopped it
        raise RuntimeError("the bot stopped before it was ready")
    if waiter not in done:
        task.cancel()
        raise TimeoutError("the bot did not become ready")
    try:
        yield services
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/bot.db"


@contextlib.asynccontextmanager
async def bot_with_staff_group(fake: Any, tmp_path: Path, **overrides: Any) -> AsyncIterator[tuple[Services, Any]]:
    """The running bot on SQLite with an invented staff group; yields (services, group)."""
    lead = fake.new_user(first_name="Stina", last_name="Teamlead")
    group = fake.new_group("Sammanhacket team", members=[lead])
    settings = bot_settings(fake, sqlite_url(tmp_path), tmp_path, staff_chat_id=group.chat.id, **overrides)
    async with running_bot(settings) as services:
        yield services, group


class RecordedAnswers:
    """Stands in for PressAnswers where a test drives the inbox worker without a Bot
    API: the ids of the presses the worker hands on for answering, in order."""

    def __init__(self) -> None:
        self.ids: list[str] = []

    def send(self, answers: list[tuple[str, str | None]]) -> None:
        self.ids += [query_id for query_id, _notice in answers]

    async def drain(self, timeout: float) -> None:
        pass
