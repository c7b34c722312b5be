"""The sender's own rate: sends per second while rows were owed, not first to last send.

A rate taken from the first send to the last counts the stretches in which nothing was
due yet (the handlers still producing the answers) against the sender. Here demand is
read back from the outbox (when each paced row became due) and supply from the fake's
arrival times, and only the time during which at least one row was due and not yet at
the fake is counted. Rows a policy holds on purpose (reminders while youth wait) are
given as due from the moment the hold lifted, which the caller knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from storage.db import make_engine
from storage.models import Outbox
from tests.fakebotapi.limits import is_paced


@dataclass(frozen=True)
class DueRate:
    rate: float  # sends per second of busy time
    busy_s: float  # time with at least one row due and not yet delivered
    sends: int  # sends counted in that time


async def due_times(url: str, *, priorities: tuple[int, ...] | None = None) -> list[tuple[int, float]]:
    """(priority, due time as a Unix timestamp) of every paced Telegram row in the outbox."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            stmt = select(Outbox.priority, Outbox.method, Outbox.created_at).where(Outbox.target == "telegram")
            if priorities is not None:
                stmt = stmt.where(Outbox.priority.in_(priorities))
            rows = (await conn.execute(stmt)).all()
    finally:
        await engine.dispose()
    return [(int(p), _stamp(at)) for p, method, at in rows if is_paced(method)]


def _stamp(at: datetime) -> float:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


def rate_while_due(due: list[float], sent: list[float]) -> DueRate:
    """Sends per second over the time in which more rows had become due than had
    arrived at the fake (each send stands for one row: valid with 0 × 429)."""
    events = sorted([(t, 1) for t in due] + [(t, -1) for t in sent])
    owed, busy, sends, since = 0, 0.0, 0, 0.0
    for t, step in events:
        if owed > 0:
            busy += t - since
            if step < 0:
                sends += 1
        owed = max(0, owed + step)  # a send seen before its row's stamp (clock skew) owes nothing
        since = t
    return DueRate(sends / busy if busy else 0.0, busy, sends)
