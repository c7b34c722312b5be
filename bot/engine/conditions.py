"""Evaluation of `next:` conditions on the answers saved so far in a flow run."""

from __future__ import annotations

from typing import Any

from bot.engine.model import Condition, Route


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list):  # a multiple-choice answer "equals" x when x was chosen
        return any(_same(x, b) for x in a)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


def holds(cond: Condition, answers: dict[str, Any], skipped: set[str] | frozenset[str]) -> bool:
    """True when the condition holds; unanswered or skipped answers match no comparison."""
    if cond.answered is not None:
        return cond.answered in answers and cond.answered not in skipped
    if cond.skipped is not None:
        return cond.skipped in skipped
    if cond.all_ is not None:
        return all(holds(c, answers, skipped) for c in cond.all_)
    if cond.any_ is not None:
        return any(holds(c, answers, skipped) for c in cond.any_)
    if cond.not_ is not None:
        return not holds(cond.not_, answers, skipped)
    name = cond.answer or ""
    if name not in answers or name in skipped:
        return False
    value = answers[name]
    if cond.equals is not None:
        return _same(value, cond.equals)
    if cond.one_of is not None:
        return any(_same(value, x) for x in cond.one_of)
    num = _number(value)
    if num is None:
        return False
    for op, limit in (("gt", cond.gt), ("gte", cond.gte), ("lt", cond.lt), ("lte", cond.lte)):
        if limit is not None:
            return {"gt": num > limit, "gte": num >= limit, "lt": num < limit, "lte": num <= limit}[op]
    return False


def route(routes: list[Route], answers: dict[str, Any], skipped: set[str] | frozenset[str]) -> str | None:
    """The target of the first route whose condition holds (a route without `when` always does)."""
    for r in routes:
        if r.when is None or holds(r.when, answers, skipped):
            return r.to
    return None
