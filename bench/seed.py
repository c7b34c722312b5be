"""Fast bulk loaders (not through the bot): invented participants, sessions, answers and
submissions, by SQLite executemany or PostgreSQL COPY. Deterministic (seeded random).
The rollup triggers of migration 0003 run during the load, as they would in use."""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import make_url

LANGS = ["sv", "en", "ar", "fa_AF", "ps", "so", "ti", "uk"]
FLOWS = ["share_idea", "need", "workshop_feedback"]
TOPICS = ["school", "housing", "free_time", "work", "health", "language"]
STATUSES = ["new", "new", "new", "reviewed", "shortlisted", "archived"]
WORDS = (
    "more football after school homework club library volunteers language cafe swimming "
    "lessons summer jobs mentors bus cards cheaper music studio cooking evenings girls only "
    "gym hours quiet room study help driving licence theory practice"
).split()
# Answer-saving steps of the shipped flows, in order (the statistics page's drop-off).
FLOW_STEPS = {
    "share_idea": ["area", "idea", "who"],
    "need": ["hardest", "more", "helps"],
    "workshop_feedback": ["rating", "times", "comment"],
}
PSEUDONYMS = 100_000  # submissions come from this many youth
T0 = datetime(2025, 1, 1, tzinfo=UTC)
CHUNK = 20_000


def _sqlite_path(url: str) -> str:
    return make_url(url).database or ""


def _ts(dt: datetime, sqlite: bool) -> Any:
    return dt.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else dt


def participants_rows(n: int, sqlite: bool) -> Iterator[tuple[tuple, tuple, tuple]]:
    """(participant, chat, session) rows for n invented participants (ids 1..n)."""
    rnd = random.Random(1)
    tick = _ts(datetime.now(UTC) + timedelta(days=30), sqlite)  # not due during the benchmark
    for i in range(1, n + 1):
        at = _ts(T0 + timedelta(seconds=37 * i), sqlite)
        key = hashlib.sha256(f"bench-participant-{i}".encode()).hexdigest()
        lang = rnd.choice(LANGS)
        yield (
            (
                i,
                key,
                f"Bench-{i:08d}",
                lang,
                True,
                at,
                rnd.choice(["13-15", "16-17", "18-25"]),
                None,
                at,
                at,
                at,
                False,
                False,
            ),
            (i, 8_000_000_000 + i),
            (
                i,
                i,
                "share_idea",
                "bench",
                "active",
                json.dumps({"step": "area", "vars": {"lang": lang}, "stack": []}),
                at,
                at,
                None,
                tick,
            ),
        )


def submission_rows(n: int, sqlite: bool) -> Iterator[tuple]:
    rnd = random.Random(2)
    for i in range(1, n + 1):
        at = _ts(T0 + timedelta(seconds=5 * i), sqlite)
        idea = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(6, 18)))
        answers = json.dumps(
            {"topic": rnd.choice(TOPICS), "idea": idea, "helps": ["me", "friends"]}, ensure_ascii=False
        )
        tags = json.dumps(["bench"] if i % 50 == 0 else [])
        yield (
            i,
            f"bench-{i}",
            f"Bench-{i % PSEUDONYMS:08d}",
            rnd.choice(FLOWS),
            rnd.choice(LANGS),
            None,
            answers,
            None,
            i % 997 == 0,
            None,
            rnd.choice(STATUSES),
            tags,
            None,
            None,
            at,
            at,
            False,
        )


def answer_rows(runs: int, participants: int, sqlite: bool) -> Iterator[tuple]:
    """Answers of `runs` conversations by participants 1..participants, each stopping at
    a random step; one in three conversations is old enough to have its values purged."""
    rnd = random.Random(3)
    ident = 0
    for r in range(1, runs + 1):
        flow, steps = rnd.choice(list(FLOW_STEPS.items()))
        at = T0 + timedelta(seconds=20 * r)
        purged = r % 3 == 0
        for step in steps[: rnd.randint(1, len(steps))]:
            ident += 1
            value = None if purged else json.dumps(rnd.choice(WORDS))
            yield (
                ident,
                r % participants + 1,
                None,
                flow,
                step,
                step,
                value,
                False,
                True,
                None,
                _ts(at, sqlite),
                _ts(at, sqlite) if purged else None,
            )


P_COLS = (
    "id",
    "key",
    "pseudonym",
    "language",
    "consent",
    "consent_at",
    "age_band",
    "source",
    "created_at",
    "updated_at",
    "last_seen_at",
    "stopped",
    "is_test",
)
C_COLS = ("participant_id", "chat_id")
S_COLS = (
    "id",
    "participant_id",
    "flow_id",
    "flow_version",
    "status",
    "state",
    "started_at",
    "updated_at",
    "expires_at",
    "tick_at",
)
A_COLS = (
    "id",
    "participant_id",
    "session_id",
    "flow_id",
    "step_id",
    "name",
    "value",
    "skipped",
    "forward",
    "detected_language",
    "created_at",
    "purged_at",
)
SUB_COLS = (
    "id",
    "key",
    "participant_pseudonym",
    "flow_id",
    "language",
    "source",
    "answers",
    "detected_language",
    "urgent",
    "category",
    "status",
    "tags",
    "notes",
    "status_by",
    "created_at",
    "updated_at",
    "is_test",
)


def _chunks(rows: Iterator[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _sqlite_load(path: str, tables: list[tuple[str, tuple[str, ...], Iterator[tuple]]]) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        for table, cols, rows in tables:
            sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            for chunk in _chunks(rows):
                conn.executemany(sql, chunk)
        conn.commit()
        conn.execute("ANALYZE")
    finally:
        conn.close()


async def _pg_load(url: str, tables: list[tuple[str, tuple[str, ...], Iterator[tuple]]]) -> None:
    import asyncpg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        for table, cols, rows in tables:
            for chunk in _chunks(rows):
                await conn.copy_records_to_table(table, records=chunk, columns=list(cols))
            if cols[0] == "id":  # the serial must continue after the loaded ids
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
        # What autovacuum would soon do: visibility map, hint bits, merged GIN pending lists.
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


async def load(url: str, tables: list[tuple[str, tuple[str, ...], Iterator[tuple]]]) -> None:
    if url.startswith("sqlite"):
        await asyncio.to_thread(_sqlite_load, _sqlite_path(url), tables)
    else:
        await _pg_load(url, tables)


async def seed_participants(url: str, n: int) -> None:
    sqlite = url.startswith("sqlite")
    rows = list(participants_rows(n, sqlite))
    await load(
        url,
        [
            ("participants", P_COLS, iter(r[0] for r in rows)),
            ("chats", C_COLS, iter(r[1] for r in rows)),
            ("sessions", S_COLS, iter(r[2] for r in rows)),
        ],
    )


async def seed_submissions(url: str, n: int) -> None:
    await load(url, [("submissions", SUB_COLS, submission_rows(n, url.startswith("sqlite")))])


async def seed_answers(url: str, runs: int) -> None:
    """Participants (as many as submissions have pseudonyms) and their answers of `runs`
    conversations, for the drop-off statistics."""
    participants = min(runs, PSEUDONYMS)
    await seed_participants(url, participants)
    await load(url, [("answers", A_COLS, answer_rows(runs, participants, url.startswith("sqlite")))])
