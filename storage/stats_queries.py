"""The statistics page's SQL: counts per topic, language or UTC day, and reach per step.

Counts come from the `submission_counts` rollup (kept exact by triggers, migration
0003) whenever the filters only use its columns: flow, language, topic, status,
source, test submissions and the date range (whole UTC days, so it maps to `day`).
A free-text `q` or a `tag` filter is not in the rollup: then the same counts are
aggregated live over `submissions`. Both give the same keys: a missing topic is ''.

Reach (the funnel) comes from the `step_reach` rollup (migration 0005): distinct
participants who were ASKED each question, whether or not their answer was stored
(answers before consent never are). It counts every participant; the few test
participants are counted live from `step_visits` and subtracted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select, true
from sqlalchemy.sql import ColumnElement

from storage.submission_query import Filters
from storage.models import Participant, StepReach, StepVisit, Submission, SubmissionCount

KINDS = ("topic", "language", "day")
TOPIC_MAX = 200  # as in the rollup (migration 0003)


def uses_rollup(filters: Filters) -> bool:
    return not filters.q and not filters.tag and not filters.untranslated


def counts_query(kind: str, filters: Filters, dialect: str) -> Select[str, int]:
    """(key, count) of the filtered submissions, grouped by topic, language or UTC day."""
    return rollup_counts_query(kind, filters) if uses_rollup(filters) else live_counts_query(kind, filters, dialect)


def rollup_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    c = SubmissionCount
    where: list[ColumnElement[bool]] = []
    if not filters.tests:
        where.append(c.is_test.is_(False))
    for column, value in (
        (c.flow_id, filters.flow),
        (c.language, filters.language),
        (c.topic, filters.topic),
        (c.status, filters.status),
        (c.source, filters.source),
    ):
        if value:
            where.append(column == value)
    start, end = filters.days()
    if start:
        where.append(c.day >= start.isoformat())
    if end:
        where.append(c.day <= end.isoformat())
    return where


def rollup_counts_query(kind: str, filters: Filters) -> Select[str, int]:
    c = SubmissionCount
    column = {"topic": c.topic, "language": c.language, "day": c.day}[kind].label("key")
    total = func.sum(c.n)
    return select(column, total).where(*rollup_conditions(filters)).group_by(column).having(total > 0).order_by(column)


def _live_column(kind: str, dialect: str) -> Any:
    if kind == "topic":
        return func.coalesce(func.substr(Submission.answers["topic"].as_string(), 1, TOPIC_MAX), "")
    if kind == "language":
        return Submission.language
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", Submission.created_at), "YYYY-MM-DD")
    return func.date(Submission.created_at)  # SQLite keeps naive UTC text


def live_counts_query(kind: str, filters: Filters, dialect: str) -> Select[str, int]:
    column = _live_column(kind, dialect).label("key")
    return select(column, func.count()).where(*filters.conditions(dialect)).group_by(column).order_by(column)


def reach_query(flow_id: str) -> Select[Any]:
    """(step id, distinct non-test participants who reached it) for one flow."""
    everyone = select(StepReach.step_id.label("step"), StepReach.n.label("n")).where(StepReach.flow_id == flow_id)
    tests = (
        select(StepVisit.step_id.label("step"), (-func.count()).label("n"))
        .join(Participant, Participant.id == StepVisit.participant_id)
        .where(StepVisit.flow_id == flow_id, Participant.is_test == true())  # the partial index
        .group_by(StepVisit.step_id)
    )
    both = everyone.union_all(tests).subquery()
    return select(both.c.step, func.sum(both.c.n)).group_by(both.c.step)
