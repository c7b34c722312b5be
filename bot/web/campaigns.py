"""The Campaigns pages: compose (a flow, the audience, a schedule), see the exact number
of recipients and a per-language preview before creating, send / pause / resume /
cancel, and a status page per campaign (per language: queued, started, skipped,
answered; the poll's counts) that refreshes itself while it goes out; send the results
back. Admins compose and send; reviewers see campaigns and results. Every change is in
the audit log; the pages show counts only, never who.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.dialogue import campaign_rules as rules
from bot.dialogue.poll_results import ResultsRefused, campaign_tally, poll_question, send_results
from bot.engine.texts_of import step_context
from bot.web.auth import Staff, requires
from bot.web.context import STAFF, ctx
from storage.ids import parse_id
from bot.web.pages import redirect, render, url_for
from storage import campaigns

ACTIONS = ("send", "pause", "resume", "cancel")


def _campaign_id(request: web.Request) -> int:
    campaign_id = parse_id(request.match_info["id"])
    if campaign_id is None:
        raise web.HTTPNotFound()
    return campaign_id


def _age_bands(flows: list[Any]) -> list[tuple[str, str]]:
    """(id, label) of the age bands the onboarding asks for."""
    for flow in flows:
        for step in flow.steps.values():
            if getattr(step, "profile", None) == "age_band":
                return [(c.id, c.label) for c in step.choices]
    return []


def _form_values(form: Any) -> dict[str, Any]:
    days = str(form.get("submitted_days", "") or "0").strip()
    return {
        "name": str(form.get("name", "")).strip()[:120],
        "flow": str(form.get("flow", "")),
        "languages": [str(x) for x in form.getall("language", [])],
        "age_bands": [str(x) for x in form.getall("age_band", [])],
        "source": str(form.get("source", "")).strip(),
        "took_part": str(form.get("took_part", "")),
        "submitted_days": int(days) if days.lstrip("-").isdigit() else -1,
        "at": str(form.get("at", "")).strip(),
    }


def preview(c: Any, flow_id: str, languages: list[str]) -> list[dict[str, Any]]:
    """The poll's question per language, and whether it is translated (else it falls back
    as the bot does)."""
    flowset = c.flowset()
    flow = flowset.get(flow_id) if flowset is not None else None
    step = poll_question(flow) if flow is not None else None
    if flow is None or step is None:
        return []
    text = step.lines()[-1]
    catalogs = c.catalogs()
    out = []
    for lang in languages or list(c.settings.languages):
        shown = catalogs.translator(lang).gettext(text, step_context(flow.id, step.id))
        out.append({"lang": lang, "text": shown, "translated": lang == "en" or shown != text})
    return out


async def _compose(request: web.Request, values: dict[str, Any], *, error: str | None, count: int | None, status: int):
    c = ctx(request)
    async with c.sessionmaker() as s:
        listed = await campaigns.all_campaigns(s)
    flows = c.flows()
    return render(
        request,
        "campaigns.html",
        campaigns=listed,
        flows=sorted(f.id for f in flows),
        languages=list(c.settings.languages),
        age_bands=_age_bands(flows),
        values=values,
        error=error,
        count=count,
        preview=preview(c, values["flow"], values["languages"]) if values.get("flow") else [],
        status=status,
    )


@requires("reviewer")
async def campaigns_page(request: web.Request) -> web.StreamResponse:
    empty = {"name": "", "flow": "", "languages": [], "age_bands": [], "source": "", "took_part": ""}
    return await _compose(request, {**empty, "submitted_days": 0, "at": ""}, error=None, count=None, status=200)


async def _checked(request: web.Request, values: dict[str, Any]) -> tuple[dict[str, Any], Any, int]:
    """The audience, the schedule and the exact count; CampaignRefused with the reason."""
    c = ctx(request)
    flow_ids = sorted(f.id for f in c.flows())
    if not values["name"]:
        raise rules.CampaignRefused("give the campaign a name")
    rules.check_flow(values["flow"], flow_ids)
    audience = rules.audience(
        languages=values["languages"],
        age_bands=values["age_bands"],
        sources=[values["source"]],
        took_part=values["took_part"],
        submitted_days=values["submitted_days"],
        configured=list(c.settings.languages),
        flow_ids=flow_ids,
    )
    now = c.clock()
    at = rules.parse_when(values["at"], now, naive_is_utc=True)
    async with c.sessionmaker() as s:
        size = await campaigns.audience_size(s, audience, now)
    return audience, at, size


@requires("admin")
async def create(request: web.Request) -> web.StreamResponse:
    """ "Count recipients" shows the count and preview; "Create" creates (nothing when refused)."""
    c = ctx(request)
    me: Staff = request[STAFF]
    form = await request.post()
    values = _form_values(form)
    try:
        audience, at, size = await _checked(request, values)
        if form.get("do") != "create":
            return await _compose(request, values, error=None, count=size, status=200)
        rules.check_size(size)
    except rules.CampaignRefused as exc:
        return await _compose(request, values, error=str(exc), count=None, status=400)
    now = c.clock()
    async with c.sessionmaker.begin() as s:
        made = await campaigns.create(
            s,
            name=values["name"],
            flow_id=values["flow"],
            audience=audience,
            scheduled_at=at,
            created_by=me.name,
            now=now,
        )
    return redirect(url_for(request, "campaign", id=made.id))


@requires("reviewer")
async def campaign_page(request: web.Request) -> web.StreamResponse:
    c = ctx(request)
    campaign_id = _campaign_id(request)
    async with c.sessionmaker() as s:
        campaign = await campaigns.get(s, campaign_id)
        if campaign is None:
            raise web.HTTPNotFound()
        progress = await campaigns.progress(s, campaign_id)
        tally = await campaign_tally(s, c.flowset(), campaign_id)
    totals = {k: sum(n[k] for n in progress.values()) for k in ("queued", "started", "skipped", "answered")}
    return render(
        request,
        "campaign.html",
        campaign=campaign,
        progress=sorted(progress.items()),
        totals=totals,
        tally=tally,
        actions=[a for a in ACTIONS if campaign.status in campaigns.MOVES[a]],
        live=campaign.status in ("scheduled", "sending"),
        error=request.query.get("error", ""),
    )


@requires("admin")
async def move(request: web.Request) -> web.StreamResponse:
    c = ctx(request)
    me: Staff = request[STAFF]
    campaign_id, action = _campaign_id(request), request.match_info["action"]
    if action not in ACTIONS:
        raise web.HTTPNotFound()
    now = c.clock()
    async with c.sessionmaker.begin() as s:
        before = await campaigns.get(s, campaign_id)
        if before is None:
            raise web.HTTPNotFound()
        if await campaigns.move(s, campaign_id, action, now, by=me.name) is None:
            raise web.HTTPBadRequest(
                text=f"Bad request: campaign {campaign_id} is {before.status}: it cannot {action}."
            )
    return redirect(url_for(request, "campaign", id=campaign_id))


@requires("admin")
async def results(request: web.Request) -> web.StreamResponse:
    c = ctx(request)
    me: Staff = request[STAFF]
    campaign_id = _campaign_id(request)
    everyone = (await request.post()).get("everyone") == "1"
    now = c.clock()
    try:
        async with c.sessionmaker.begin() as s:
            await send_results(s, c.catalogs(), c.flowset(), campaign_id, everyone=everyone, now=now, by=me.name)
    except ResultsRefused as exc:
        raise web.HTTPBadRequest(text=f"Bad request: {exc}.") from None
    return redirect(url_for(request, "campaign", id=campaign_id))
