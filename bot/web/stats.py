"""Statistics: submissions per topic, language and day, and each flow's drop-off per step.

Counts are grouped in SQL (`stats_queries`: rollup tables kept by triggers, or a live
aggregate for free-text and tag filters); charts are SVG drawn server-side by pygal and
shown as <img> (so they run no script), each with a table of the same numbers beside it.
Drop-off counts distinct youth per step who answered it: numbers only.
"""
from __future__ import annotations

from typing import Any

import pygal
from aiohttp import web
from pygal.style import Style

from bot.web.auth import requires
from bot.web.context import ctx
from bot.web.pages import render
from bot.web.stats_queries import KINDS, counts_query, reach_query
from bot.web.submission_query import Filters
from storage.db import dialect_name

STYLE = Style(background="white", plot_background="white", colors=("#2f6f8f",), font_family="sans-serif")


async def counts(request: web.Request, kind: str, filters: Filters) -> list[tuple[str, int]]:
    async with ctx(request).sessionmaker() as s:
        q = counts_query(kind, filters, dialect_name(s))
        rows = [(str(k) if k else "(none)", int(n)) for k, n in (await s.execute(q)).all()]
    if kind == "topic":
        rows.sort(key=lambda r: -r[1])
    return rows


async def dropoff(request: web.Request, flow: Any) -> list[tuple[str, int]]:
    """(step id, distinct youth who answered it) for each answer-saving step, in flow order."""
    async with ctx(request).sessionmaker() as s:
        reached = dict((await s.execute(reach_query(flow.id))).all())
    return [(step.id, int(reached.get(step.id, 0))) for step in flow.steps.values()
            if getattr(step, "save", None)]


def chart_svg(title: str, rows: list[tuple[str, int]], *, horizontal: bool = True) -> bytes:
    chart_type = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = chart_type(style=STYLE, js=[], show_legend=False, title=title, width=800,
                       height=max(240, 60 + 28 * len(rows)) if horizontal else 360,
                       x_label_rotation=0 if horizontal else 45, print_values=horizontal)
    chart.x_labels = [label for label, _ in rows]
    chart.add("count", [n for _, n in rows])
    return chart.render()


def _svg(body: bytes) -> web.Response:
    return web.Response(body=body, content_type="image/svg+xml")


@requires("reviewer")
async def stats_page(request: web.Request) -> web.StreamResponse:
    c = ctx(request)
    filters, errors = Filters.from_query(request.query)
    tables = {kind: await counts(request, kind, filters) for kind in KINDS}
    flows = c.flows()
    dropoffs = [(flow, await dropoff(request, flow)) for flow in flows]
    return render(request, "stats.html", filters=filters, errors=errors, tables=tables,
                  dropoffs=dropoffs, flow_ids=[f.id for f in flows], languages=list(c.settings.languages))


@requires("reviewer")
async def chart(request: web.Request) -> web.StreamResponse:
    kind = request.match_info["kind"]
    if kind not in KINDS:
        raise web.HTTPNotFound()
    filters, _errors = Filters.from_query(request.query)
    rows = await counts(request, kind, filters)
    return _svg(chart_svg(f"Submissions per {kind}", rows, horizontal=kind != "day"))


@requires("reviewer")
async def dropoff_chart(request: web.Request) -> web.StreamResponse:
    flowset = ctx(request).flowset()
    flow = flowset.get(request.match_info["flow"]) if flowset is not None else None
    if flow is None:
        raise web.HTTPNotFound()
    rows = await dropoff(request, flow)
    return _svg(chart_svg(f"{flow.id}: youth who reached each question", rows))
