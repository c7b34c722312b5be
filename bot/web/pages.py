"""Page rendering with Jinja2 (autoescape always on) and the helpers templates use.

Every page gets `labels` (bot.web.labels) for the live flows, so templates show
readable names instead of ids."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from yarl import URL

from bot.web import csrf
from bot.web.context import STAFF, ctx
from bot.web.labels import Labels, answer_text

__all__ = ["answer_text", "make_environment", "redirect", "render", "url_for"]  # answer_text: bot/web/export.py

TEMPLATES = Path(__file__).resolve().parent / "templates"


def make_environment() -> Environment:
    # autoescape=True for every template, whatever its file name: youth text is hostile input.
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["answer"] = answer_text
    env.filters["when"] = lambda d: d.strftime("%Y-%m-%d %H:%M") if isinstance(d, datetime) else ""
    return env


def url_for(request: web.Request, route: str, query: dict[str, Any] | None = None, /, **parts: Any) -> str:
    url: URL = request.app.router[route].url_for(**{k: str(v) for k, v in parts.items()})
    if query:
        url = url.with_query({k: v for k, v in query.items() if v not in (None, "")})
    return str(url)


def render(request: web.Request, template: str, *, status: int = 200, **context: Any) -> web.Response:
    staff = request.get(STAFF)
    env = ctx(request).templates
    html = env.get_template(template).render(
        staff=staff,
        csrf_field=csrf.FIELD,
        csrf_token=staff.csrf_token if staff else "",
        url=lambda route, query=None, /, **parts: url_for(request, route, query, **parts),
        path=request.path,
        labels=Labels(ctx(request).shown_flows()),
        **context,
    )
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def redirect(location: str) -> web.Response:
    """303 See Other: after a POST, the browser GETs the next page."""
    return web.Response(status=303, headers={"Location": location})
