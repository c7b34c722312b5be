"""The dialect's INSERT (with ON CONFLICT support) for the session's database."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession


def dialect_insert(bind: AsyncSession | AsyncConnection, table: Any) -> Any:
    name = bind.get_bind().dialect.name if isinstance(bind, AsyncSession) else bind.dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"unsupported database dialect: {name}")
