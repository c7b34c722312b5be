"""Hooks on a transaction for the layers above storage: run something once it commits,
and see the outbox rows queued inside a block. They keep SQLAlchemy's event API here,
so no adapter needs it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Outbox


def after_commit(s: AsyncSession, callback: Callable[[], object]) -> None:
    """Call `callback` once the transaction `s` is in commits (never if it rolls back)."""
    event.listen(s.sync_session, "after_commit", lambda _session: callback(), once=True)


@contextmanager
def queued_outbox(s: AsyncSession) -> Iterator[list[Outbox]]:
    """The outbox rows added to `s` while the block runs (ids are set once flushed)."""
    queued: list[Outbox] = []

    def collect(_session: Any, instance: Any) -> None:
        if isinstance(instance, Outbox):
            queued.append(instance)

    sync = s.sync_session
    event.listen(sync, "transient_to_pending", collect)
    try:
        yield queued
    finally:
        event.remove(sync, "transient_to_pending", collect)
