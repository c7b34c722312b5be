"""Build the dashboard Application: routes, templates, static files and security headers.

Mount it under the bot's main web app, e.g. `main.add_subapp("/staff/", create_web_app(...))`;
every link is built from route names, so any prefix works.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.web import (
    auth,
    campaigns,
    export,
    flows_page,
    security,
    simulator,
    staff_admin,
    stats,
    submissions,
    text_review,
    translations,
    urgent,
)
from bot.web.context import CONTEXT, WebContext, utcnow
from bot.web.pages import make_environment, render
from bot.web.ratelimit import LoginLimiter

STATIC = Path(__file__).resolve().parent / "static"


async def _home(request: web.Request) -> web.StreamResponse:
    """Submissions, or for a translator the Translations page (the only one it may see)."""
    staff = await auth.current_staff(request)
    page = "translations" if staff is not None and staff.role == "translator" else "submissions"
    raise web.HTTPSeeOther(str(request.app.router[page].url_for()))


def _routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/", _home, name="home")
    r.add_get("/login", auth.login_page, name="login")
    r.add_post("/login", auth.login_submit, name="login_submit")
    r.add_post("/logout", auth.logout, name="logout")
    r.add_get("/submissions", submissions.list_page, name="submissions")
    r.add_post("/submissions/bulk", submissions.bulk_status, name="bulk_status")
    r.add_get("/submissions/export.csv", export.export_csv, name="export_csv")
    r.add_get("/submissions/export.xlsx", export.export_xlsx, name="export_xlsx")
    r.add_get("/submissions/{id}", submissions.detail_page, name="submission")
    r.add_post("/submissions/{id}/status", submissions.set_status, name="submission_status")
    r.add_post("/submissions/{id}/tag", submissions.add_tag, name="submission_tag")
    r.add_post("/submissions/{id}/untag", submissions.remove_tag, name="submission_untag")
    r.add_post("/submissions/{id}/note", submissions.save_note, name="submission_note")
    r.add_post("/submissions/{id}/translation", translations.add_translation, name="submission_translation")
    r.add_get("/stats", stats.stats_page, name="stats")
    r.add_get("/stats/chart/{kind}.svg", stats.chart, name="stats_chart")
    r.add_get("/stats/funnel/{flow}.svg", stats.funnel_chart, name="stats_funnel")
    r.add_get("/campaigns", campaigns.campaigns_page, name="campaigns")
    r.add_post("/campaigns", campaigns.create, name="campaign_create")
    r.add_get("/campaigns/{id}", campaigns.campaign_page, name="campaign")
    r.add_post("/campaigns/{id}/results", campaigns.results, name="campaign_results")
    r.add_post("/campaigns/{id}/{action}", campaigns.move, name="campaign_move")
    r.add_get("/urgent", urgent.urgent_page, name="urgent")
    r.add_post("/urgent/{id}/{action}", urgent.hand_off, name="urgent_hand_off")
    r.add_get("/flows", flows_page.flows_page, name="flows")
    r.add_get("/flows/{flow}", flows_page.flow_page, name="flow")
    r.add_get("/simulator", simulator.page, name="simulator")
    r.add_post("/simulator/start", simulator.start, name="simulator_start")
    r.add_post("/simulator/send", simulator.send, name="simulator_send")
    r.add_post("/simulator/press", simulator.press, name="simulator_press")
    r.add_post("/simulator/command", simulator.command, name="simulator_command")
    r.add_post("/simulator/reset", simulator.reset, name="simulator_reset")
    r.add_get("/staff", staff_admin.staff_page, name="staff")
    r.add_post("/staff", staff_admin.add_staff, name="staff_add")
    r.add_post("/staff/{name}/disabled", staff_admin.set_disabled, name="staff_disabled")
    r.add_get("/audit", staff_admin.audit_page, name="audit")
    r.add_get("/translations", text_review.overview, name="translations")
    r.add_get("/translations/{lang}", text_review.language_page, name="translations_lang")
    r.add_post("/translations/{lang}", text_review.save, name="translations_save")
    r.add_static("/static", STATIC, name="static")


# A refused request in the dashboard's layout, with a way back, instead of a bare text page.
PROBLEM_TITLES = {400: "That did not work", 404: "Not found"}


@web.middleware
async def problem_pages(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status not in PROBLEM_TITLES:
            raise
        message = exc.text or exc.reason
        if exc.status == 404 and message.startswith("404"):
            message = "There is no such page, or what it showed is gone."
        message = message.removeprefix("Bad request: ")
        message = message[:1].upper() + message[1:]
        back = str(request.app.router["submissions"].url_for())
        return render(
            request, "problem.html", status=exc.status, title=PROBLEM_TITLES[exc.status], message=message, back=back
        )


def create_web_app(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Any,
    flows_provider: Callable[[], tuple[Any, list[Any]]],
    catalogs_provider: Callable[[], Any] | None = None,
    clock: Callable[[], datetime] = utcnow,
    secret: bytes | None = None,
    reload_content: Callable[[str], Awaitable[list[str]]] | None = None,
    metrics: Any = None,
) -> web.Application:
    """The dashboard app.

    `flows_provider()` returns the live `(FlowSet | None, problems)` (e.g. from the
    bot's FlowRegistry); `catalogs_provider()` returns `bot.i18n.catalogs.Catalogs` (default:
    `bot.i18n.catalogs.get_catalogs(settings)`); `clock` is for tests; `secret` keys the
    login counts (default: the deployment's pseudonym key); `reload_content(reason)` makes
    the bot use a saved translation at once (bot/app/reload.py; default: the catalogs'
    own reload); `metrics` counts what the dashboard does that /metrics shows (a claim).
    """
    if secret is None:
        from bot.privacy.pseudonym import load_or_create_key

        secret = load_or_create_key(settings)
    app = web.Application(client_max_size=1024 * 1024, middlewares=[problem_pages])
    app[CONTEXT] = WebContext(
        sessionmaker=sessionmaker,
        settings=settings,
        flows_provider=flows_provider,
        catalogs_provider=catalogs_provider,
        templates=make_environment(),
        limiter=LoginLimiter(clock, secret),
        clock=clock,
        reload_content=reload_content,
        metrics=metrics,
    )
    security.install(app)
    _routes(app)
    return app
