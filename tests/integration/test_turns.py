"""Turns at SQLite's write lock: in order, `first_in_line` ahead of the queue, a waiter
that gives up skipped; and through a real SQLite engine, no transaction waits inside
SQLite's busy handler, and a long transaction can tell that a first-in-line one waits."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from storage.db import make_engine, make_sessionmaker, reading
from storage.turns import TurnQueue, first_in_line, first_waits


async def test_turns_go_in_order_with_first_ones_ahead():
    queue, served = TurnQueue(), []
    await queue.acquire(first=False)  # someone holds the lock

    async def wait(name: str, first: bool) -> None:
        await queue.acquire(first)
        served.append(name)
        queue.release()

    tasks = [
        asyncio.create_task(wait(name, first))
        for name, first in (("a", False), ("b", False), ("sender", True), ("c", False))
    ]
    await asyncio.sleep(0)
    queue.release()
    await asyncio.gather(*tasks)
    assert served == ["sender", "a", "b", "c"]


async def test_a_waiter_that_gives_up_is_skipped():
    queue = TurnQueue()
    await queue.acquire(first=False)
    quitter = asyncio.create_task(queue.acquire(first=False))
    stayer = asyncio.create_task(queue.acquire(first=False))
    await asyncio.sleep(0)
    quitter.cancel()
    await asyncio.sleep(0)
    queue.release()
    await asyncio.wait_for(stayer, 1)
    queue.release()
    await asyncio.wait_for(queue.acquire(first=False), 1)  # free again


async def test_sqlite_transactions_take_turns_and_first_in_line_goes_ahead(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")
    handlers, first = make_sessionmaker(engine), make_sessionmaker(first_in_line(engine))
    order: list[str] = []
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (who TEXT)"))
        gate = asyncio.Event()

        async def write(maker, who: str, hold: asyncio.Event | None = None) -> None:
            async with maker() as s, s.begin():
                await s.execute(text("INSERT INTO t VALUES (:w)"), {"w": who})
                order.append(who)
                if hold is not None:
                    await hold.wait()

        holder = asyncio.create_task(write(handlers, "holder", gate))
        while not order:
            await asyncio.sleep(0.01)
        queued = [asyncio.create_task(write(handlers, f"handler{i}")) for i in range(3)]
        await asyncio.sleep(0.1)
        queued.append(asyncio.create_task(write(first, "sender")))
        await asyncio.sleep(0.1)
        gate.set()
        await asyncio.wait_for(asyncio.gather(holder, *queued), 10)
        # the handlers queued before the sender, yet it went first
        assert order[:2] == ["holder", "sender"] and sorted(order[2:]) == ["handler0", "handler1", "handler2"]
        async with handlers() as s:
            assert (await s.execute(text("SELECT count(*) FROM t"))).scalar() == 5
    finally:
        await engine.dispose()


async def test_a_reader_takes_no_turn_while_a_writer_holds_the_lock(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'reads.db'}")
    writes = make_sessionmaker(engine)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (who TEXT)"))
            await conn.execute(text("INSERT INTO t VALUES ('before')"))
        async with writes() as w, w.begin():
            await w.execute(text("INSERT INTO t VALUES ('uncommitted')"))
            async with reading(writes)() as r:  # would wait for the turn if it took one
                rows = await asyncio.wait_for(r.execute(text("SELECT who FROM t")), 5)
                assert rows.scalars().all() == ["before"]
    finally:
        await engine.dispose()


async def test_a_holder_can_tell_that_a_first_in_line_writer_waits(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'waits.db'}")
    handlers, first = make_sessionmaker(engine), make_sessionmaker(first_in_line(engine))
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (who TEXT)"))

        async def write(maker) -> None:
            async with maker() as s, s.begin():
                await s.execute(text("INSERT INTO t VALUES ('x')"))

        async with handlers() as s, s.begin():
            await s.execute(text("INSERT INTO t VALUES ('holder')"))
            handler = asyncio.create_task(write(handlers))
            await asyncio.sleep(0.1)
            assert not first_waits(engine)  # another handler waits: no reason to give way
            intake = asyncio.create_task(write(first))
            await asyncio.sleep(0.1)
            assert first_waits(engine) and first_waits(first_in_line(engine))
        await asyncio.wait_for(asyncio.gather(handler, intake), 10)
        assert not first_waits(engine)
    finally:
        await engine.dispose()


async def test_a_first_in_line_waiter_that_gives_up_no_longer_counts():
    queue = TurnQueue()
    await queue.acquire(first=False)
    quitter = asyncio.create_task(queue.acquire(first=True))
    await asyncio.sleep(0)
    assert queue.first_waits
    quitter.cancel()
    await asyncio.sleep(0)
    assert not queue.first_waits
    queue.release()
