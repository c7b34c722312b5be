"""Dashboard filters -> SQL over the submissions table, with keyset pagination.

Everything is filtered and ordered in the database (never by loading rows): equality
filters use the single-column indexes, and the list order (urgent first, newest first)
is the index `ix_submissions_urgent_created_at_id`, which keyset pages walk.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import BigInteger, Text, any_, cast, exists, func, literal, or_, select, tuple_, type_coerce
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.sql import ColumnElement, Select

from storage.ids import parse_id
from storage.db import dialect_name
from storage.models import Submission
from storage.submissions import STATUSES
from storage.translation_models import Translation
from storage.translations import untranslated

COUNT_CAP = 10_000  # counting stops here, so a count never scans a million rows


@dataclass(frozen=True)
class Filters:
    flow: str = ""
    language: str = ""
    topic: str = ""
    status: str = ""
    tag: str = ""
    source: str = ""
    q: str = ""
    date_from: str = ""  # YYYY-MM-DD, inclusive
    date_to: str = ""  # YYYY-MM-DD, inclusive
    tests: str = ""  # "1": include test submissions
    untranslated: str = ""  # "1": only submissions without any translation yet

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> tuple[Filters, list[str]]:
        """Filters from a query string; malformed values are dropped and explained."""
        values = {f.name: str(query.get(f.name, "")).strip()[:200] for f in fields(cls)}
        errors = []
        if values["status"] and values["status"] not in STATUSES:
            errors.append(f"unknown status {values['status']!r}")
            values["status"] = ""
        for name in ("date_from", "date_to"):
            if values[name] and _parse_date(values[name]) is None:
                errors.append(f"{name.replace('_', ' ')} must be a date like 2025-03-01")
                values[name] = ""
        values["tag"] = normalise_tag(values["tag"]) or ""
        values["untranslated"] = "1" if values["untranslated"] else ""
        return cls(**values), errors

    def query(self) -> dict[str, str]:
        """The filters as query parameters (empty ones left out)."""
        return {k: v for k, v in asdict(self).items() if v}

    def days(self) -> tuple[date | None, date | None]:
        """The date range (UTC days, both inclusive); None where open."""
        return _parse_date(self.date_from), _parse_date(self.date_to)

    def conditions(self, dialect: str) -> list[ColumnElement[bool]]:
        s = Submission
        where: list[ColumnElement[bool]] = []
        if not self.tests:
            where.append(s.is_test.is_(False))
        for column, value in (
            (s.flow_id, self.flow),
            (s.language, self.language),
            (s.status, self.status),
            (s.source, self.source),
        ):
            if value:
                where.append(column == value)
        if self.topic:
            where.append(s.answers["topic"].as_string() == self.topic)
        if self.tag:
            where.append(json_array_contains(s.tags, self.tag, dialect))
        start, end = self.days()
        if start:
            where.append(s.created_at >= datetime.combine(start, time(), UTC))
        if end:
            where.append(s.created_at < datetime.combine(end + timedelta(days=1), time(), UTC))
        if self.untranslated:
            where.append(untranslated())
        if self.q:
            where.append(or_(text_search(s.answers, self.q, dialect), translation_search(self.q, dialect)))
        return where


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def normalise_tag(tag: str) -> str | None:
    """Tags are short, lower-case, single-spaced; None when nothing usable is left."""
    cleaned = " ".join(tag.replace(",", " ").split()).casefold()[:40]
    return cleaned or None


def json_array_contains(column: Any, value: str, dialect: str) -> ColumnElement[bool]:
    if dialect == "postgresql":
        return type_coerce(column, JSONB).contains([value])  # jsonb @>
    each = func.json_each(column).table_valued("value")
    return exists(select(literal(1)).select_from(each).where(each.c.value == value))


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def text_search(column: Any, term: str, dialect: str) -> ColumnElement[bool]:
    """Case-insensitive substring search in the JSON text of the answers.

    The JSON may hold non-ASCII text as-is (PostgreSQL) or as \\uXXXX escapes (SQLite
    with the default serializer), so both spellings of the term are tried. On
    PostgreSQL the haystack is exactly the expression of the trigram index
    `ix_submissions_answers_trgm`; SQLite's LIKE already ignores ASCII case, and its
    lower() changes nothing else, so the per-row copy lower() makes is skipped there.
    """
    haystack: ColumnElement[str] = cast(column, Text)
    if dialect != "sqlite":
        haystack = func.lower(haystack)
    lowered = term.casefold()
    spellings = {json.dumps(lowered, ensure_ascii=False)[1:-1], json.dumps(lowered)[1:-1]}
    return or_(*(haystack.like(f"%{_like_escape(v)}%", escape="\\") for v in sorted(spellings)))


def translation_search(term: str, dialect: str) -> ColumnElement[bool]:
    """Case-insensitive substring search in the submission's translations.

    On PostgreSQL the matching submission ids are gathered once (an uncorrelated
    subquery, run before the scan) and compared as `id = ANY(ids)`: both halves of the
    text search's OR are then index conditions, so the planner can OR two bitmap scans
    (the trigram index with the filters, migration 0013, and the primary key). A
    correlated EXISTS would make it recheck every row the filters leave instead."""
    matches = func.lower(Translation.text).like(f"%{_like_escape(term.casefold())}%", escape="\\")
    if dialect == "postgresql":
        ids = select(func.array_agg(Translation.submission_id)).where(matches).scalar_subquery()
        return Submission.id == any_(cast(ids, ARRAY(BigInteger)))
    return exists().where(Translation.submission_id == Submission.id, matches)


@dataclass(frozen=True)
class Cursor:
    """Where a page ended, in list order: (urgent, created_at, id), all descending."""

    urgent: bool
    created_at: datetime
    id: int

    def encode(self) -> str:
        return f"{int(self.urgent)}.{self.created_at.astimezone(UTC).strftime('%Y%m%dT%H%M%S.%f')}.{self.id}"

    @classmethod
    def decode(cls, text: str) -> Cursor | None:
        try:
            urgent, stamp, frac, ident = text.split(".")
            when = datetime.strptime(f"{stamp}.{frac}", "%Y%m%dT%H%M%S.%f").replace(tzinfo=UTC)
        except ValueError:
            return None
        row_id = parse_id(ident)
        return cls(urgent == "1", when, row_id) if row_id is not None else None

    @classmethod
    def of(cls, row: Submission) -> Cursor:
        return cls(bool(row.urgent), row.created_at, row.id)


ORDER = (Submission.urgent.desc(), Submission.created_at.desc(), Submission.id.desc())


def page_query(filters: Filters, dialect: str, *, after: Cursor | None, limit: int) -> Select[Any]:
    q = select(Submission).where(*filters.conditions(dialect)).order_by(*ORDER).limit(limit)
    if after is not None:
        key = tuple_(Submission.urgent, Submission.created_at, Submission.id)
        q = q.where(
            key
            < tuple_(
                literal(after.urgent, Submission.urgent.type),
                literal(after.created_at, Submission.created_at.type),
                literal(after.id, Submission.id.type),
            )
        )
    return q


def count_query(filters: Filters, dialect: str) -> Select[Any]:
    """How many match, up to COUNT_CAP + 1 (shown as "more than 10000")."""
    capped = select(Submission.id).where(*filters.conditions(dialect)).limit(COUNT_CAP + 1).subquery()
    return select(func.count()).select_from(capped)


async def iter_submissions(sessionmaker: Any, filters: Filters, batch: int = 500) -> AsyncIterator[Submission]:
    """Every filtered submission in list order (urgent first, newest first), a batch at a
    time with keyset paging, so an export of a million rows never holds them all."""
    after = None
    while True:
        async with sessionmaker() as s:
            rows = list((await s.scalars(page_query(filters, dialect_name(s), after=after, limit=batch))).all())
        for row in rows:
            yield row
        if len(rows) < batch:
            return
        after = Cursor.of(rows[-1])
