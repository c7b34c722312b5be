"""Statistics: submissions per topic, language and day, and each flow's funnel.

Counts are grouped in SQL (`stats_queries`: rollup tables kept by triggers, or a live
aggregate for free-text and tag filters); charts are SVG drawn server-side by pygal and
shown as <img> (so they run no script), each with a table of the same numbers beside it.
Every chart comes in two sizes, drawn for the width it is shown at (a phone gets the
narrow one, with type at its natural size); count axes have whole-number ticks only.
The funnel counts distinct youth who REACHED each question (were asked it), in the
order a youth meets them: answers before consent are never stored, but the question
was still reached. Labels are the questions, topics and languages in words (`labels`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pygal
from aiohttp import web
from babel.dates import format_date
from pygal.style import Style

from bot.web.auth import requires
from bot.web.context import ctx
from bot.web.diagram import flow_order
from bot.web.labels import ASKING, UI_LANGUAGE, Labels
from bot.web.pages import render
from storage.stats_queries import KINDS, counts_query, reach_query
from storage.submission_query import Filters
from storage.db import dialect_name

FILL_DAYS_MAX = 400  # missing days between the first and last are drawn as 0, up to this span


@dataclass(frozen=True)
class Size:
    width: int
    font: int
    label_chars: int  # longer labels are cut with "…" (the table beside has them whole)
    ticks: int  # at most this many ticks on the count axis


SIZES = {"wide": Size(760, 14, 60, 10), "narrow": Size(360, 16, 17, 5)}


async def counts(request: web.Request, kind: str, filters: Filters) -> list[tuple[str, int]]:
    """(key, count) per topic or language (most first) or UTC day (every day in the range)."""
    async with ctx(request).sessionmaker() as s:
        q = counts_query(kind, filters, dialect_name(s))
        rows = [(str(k) if k else "", int(n)) for k, n in (await s.execute(q)).all()]
    if kind in ("topic", "language"):
        rows.sort(key=lambda r: -r[1])  # most first (sorted() is stable: ties keep the key order)
    if kind == "day":
        rows = fill_days(rows)
    return rows


def fill_days(rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Every day from the first to the last, 0 where nothing came (a time axis stays true)."""
    try:
        days = {date.fromisoformat(k): n for k, n in rows}
    except ValueError:
        return rows
    if not days or (max(days) - min(days)).days > FILL_DAYS_MAX:
        return rows
    first, span = min(days), (max(days) - min(days)).days
    return [((first + timedelta(d)).isoformat(), days.get(first + timedelta(d), 0)) for d in range(span + 1)]


def funnel_steps(flow: Any) -> list[Any]:
    """The questions of a flow (the steps a session rests on), in the order a youth meets them."""
    return [flow.steps[sid] for sid in flow_order(flow) if isinstance(flow.steps[sid], ASKING)]


def meeting_order(flowset: Any) -> list[Any]:
    """The flows in the order youth meet them: onboarding, the main menu's, then the rest."""
    if flowset is None:
        return []
    first = [flowset.get(flowset.onboarding_id)] if flowset.onboarding_id else []
    seen = [*first, *flowset.menu()]
    return seen + [f for f in flowset.flows.values() if f not in seen]


async def funnel(request: web.Request, flow: Any) -> list[tuple[str, int]]:
    """(step id, distinct youth who reached it) for each question of the flow."""
    async with ctx(request).sessionmaker() as s:
        reached = {step: int(n) for step, n in (await s.execute(reach_query(flow.id))).all()}
    return [(step.id, reached.get(step.id, 0)) for step in funnel_steps(flow)]


def labelled(kind: str, rows: list[tuple[str, int]], labels: Labels, flow_id: str = "") -> list[tuple[str, int]]:
    """The same rows with their keys in words."""
    namers: dict[str, Callable[[str], str]] = {
        "topic": labels.topic,
        "language": labels.language,
        "day": str,
        "funnel": lambda step: labels.step(flow_id, step),
    }
    name = namers[kind]
    return [(name(key), n) for key, n in rows]


def count_ticks(top: int, most: int) -> list[int]:
    """Whole-number ticks from 0 to `top` or just past it, at most `most` of them, in
    steps of 1, 2, 5, 10, 20, 50…"""
    for exp in range(19):
        for base in (1, 2, 5):
            step = base * 10**exp
            n = max(-(-top // step), 1)
            if n + 1 <= most:
                return list(range(0, n * step + 1, step))
    return [0, top]


def short_day(label: str) -> str:
    """A chart's day label: "Mar 1" for 2025-03-01 (the table beside has the full date)."""
    try:
        return format_date(date.fromisoformat(label), "MMM d", locale=UI_LANGUAGE)
    except ValueError:
        return label


def _cut(label: str, chars: int) -> str:
    return label if len(label) <= chars else label[: chars - 1].rstrip() + "…"


def chart_svg(rows: list[tuple[str, int]], *, horizontal: bool = True, size: str = "wide") -> bytes:
    """A bar chart of (label, count): horizontal bars top-down in row order, or columns."""
    z = SIZES[size]
    style = Style(
        background="white",
        plot_background="white",
        colors=("#7fb0c8",),
        font_family="sans-serif",
        label_font_size=z.font,
        major_label_font_size=z.font,
        value_font_size=z.font,
        value_colors=("#1d2329",),
    )
    ticks = count_ticks(max((n for _, n in rows), default=0), z.ticks)
    options: dict[str, Any] = dict(
        style=style,
        js=[],
        show_legend=False,
        width=z.width,
        margin=8,
        margin_right=28,
        truncate_label=-1,
        range=(0, ticks[-1]),
        print_values=horizontal,
        print_zeroes=True,
    )
    if horizontal:
        rows = rows[::-1]  # pygal draws the first bar at the bottom
        chart = pygal.HorizontalBar(height=60 + 36 * max(len(rows), 1), **options)
        chart.x_labels = [_cut(label, z.label_chars) for label, _ in rows]
    else:
        per_column = (z.width - 80) / max(len(rows), 1)
        every = max(1, math.ceil(1.8 * z.font / per_column))  # a slanted label needs ~1.8 em across
        chart = pygal.Bar(
            height=300, x_label_rotation=-45, show_minor_x_labels=False, x_labels_major_every=every, **options
        )
        chart.x_labels = [short_day(label) for label, _ in rows]
    chart.y_labels = ticks
    chart.add("count", [n for _, n in rows])
    return chart.render()


def _svg(body: bytes) -> web.Response:
    return web.Response(body=body, content_type="image/svg+xml")


def _size(request: web.Request) -> str:
    return "narrow" if request.query.get("size") == "narrow" else "wide"


@requires("reviewer")
async def stats_page(request: web.Request) -> web.StreamResponse:
    c = ctx(request)
    await c.know_campaigns()
    flows = c.shown_flows()
    labels = Labels(flows)
    filters, errors = Filters.from_query(request.query)
    tables = {kind: labelled(kind, await counts(request, kind, filters), labels) for kind in KINDS}
    met = meeting_order(c.flowset()) + c.campaign_flows.flows_in(UI_LANGUAGE)
    funnels = [(flow, labelled("funnel", await funnel(request, flow), labels, flow.id)) for flow in met]
    return render(
        request,
        "stats.html",
        filters=filters,
        errors=errors,
        tables=tables,
        funnels=[(f, rows) for f, rows in funnels if rows],
        flow_ids=[f.id for f in flows],
        languages=list(c.settings.languages),
    )


@requires("reviewer")
async def chart(request: web.Request) -> web.StreamResponse:
    kind = request.match_info["kind"]
    if kind not in KINDS:
        raise web.HTTPNotFound()
    filters, _errors = Filters.from_query(request.query)
    rows = labelled(kind, await counts(request, kind, filters), Labels(ctx(request).flows()))  # no flow titles
    return _svg(chart_svg(rows, horizontal=kind != "day", size=_size(request)))


@requires("reviewer")
async def funnel_chart(request: web.Request) -> web.StreamResponse:
    c = ctx(request)
    await c.know_campaigns()
    flows = c.shown_flows()
    flow = next((f for f in flows if f.id == request.match_info["flow"]), None)
    if flow is None:
        raise web.HTTPNotFound()
    rows = labelled("funnel", await funnel(request, flow), Labels(flows), flow.id)
    return _svg(chart_svg(rows, size=_size(request)))
