"""Alembic environment: runs on a connection handed over by `storage.migrate`.

`storage.migrate` passes an open synchronous connection (from an async engine's
`run_sync`) in `config.attributes["connection"]`; when Alembic is run directly, the
URL comes from `sqlalchemy.url` or the bot's settings.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

import storage.staff_models  # noqa: F401 - registers the staff tables on Base.metadata
import storage.translation_models  # noqa: F401 - registers the translation tables on Base.metadata
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from bot.base.settings import get_settings

    return get_settings().database_url


async def _run_async(url: str) -> None:
    from storage.db import make_engine

    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_run)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif (connection := config.attributes.get("connection")) is not None:
    _run(connection)
else:
    asyncio.run(_run_async(_url()))
