"""The Campaigns pages: compose (a flow, or one question with choices written per
language; the audience; a schedule; whether to leave out languages without a
translation), see the exact number of recipients and, per language, its youth, the
preview and the translation coverage before creating, send / pause / resume /
cancel, and a status page per campaign (per language: queued, started, skipped,
answered; the poll's counts) that refreshes itself while it goes out; send the results
back. Admins compose and send; reviewers see campaigns and results. Every change is in
the audit log; the pages show counts only, never who.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.dialogue import campaign_compose as compose
from bot.dialogue import campaign_rules as rules
from bot.dialogue.poll_results import ResultsRefused, campaign_tally, send_results
from bot.engine.model import MAX_LABEL
from bot.web.auth import Staff, requires
from bot.web.context import STAFF, ctx
from bot.web.labels import language_name
from storage.ids import parse_id
from bot.web.pages import redirect, render, url_for
from storage import campaigns

ACTIONS = ("send", "pause", "resume", "cancel")


def _campaign_id(request: web.Request) -> int:
    campaign_id = parse_id(request.match_info["id"])
    if campaign_id is None:
        raise web.HTTPNotFound()
    return campaign_id


TEXT_FIELDS = ("question", "choices", "why")  # one of each per language: question_ar, choices_ar, why_ar


def _texts(form: Any) -> dict[str, dict[str, Any]]:
    """The question's texts per language, from every `question_<lang>`, `choices_<lang>`
    (one choice a line) and `why_<lang>` field sent (so a language the form does not offer
    is refused by name, not dropped)."""
    out: dict[str, dict[str, Any]] = {}
    for key in form:
        kind, _, lang = str(key).partition("_")
        if kind in TEXT_FIELDS and lang:
            value = str(form.get(key, ""))
            text: Any = [line.strip() for line in value.splitlines() if line.strip()] if kind == "choices" else value
            out.setdefault(lang, {})[kind] = text
    return out


def _form_values(form: Any) -> dict[str, Any]:
    days = str(form.get("submitted_days", "") or "0").strip()
    return {
        "do": str(form.get("do", "")),
        "name": str(form.get("name", "")).strip()[:120],
        "flow": str(form.get("flow", "")),
        "texts": _texts(form),
        "leave_out": form.get("leave_out") == "1",
        "languages": [str(x) for x in form.getall("language", [])],
        "age_bands": [str(x) for x in form.getall("age_band", [])],
        "source": str(form.get("source", "")).strip(),
        "took_part": str(form.get("took_part", "")),
        "submitted_days": int(days) if days.lstrip("-").isdigit() else -1,
        "at": str(form.get("at", "")).strip(),
    }


async def _compose(
    request: web.Request,
    values: dict[str, Any],
    *,
    error: str | None,
    count: int | None,
    status: int,
    per_language: list[dict[str, Any]] | None = None,
) -> web.StreamResponse:
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
        default_language=c.settings.default_language,
        max_choices=rules.MAX_CHOICES,
        max_label=MAX_LABEL,
        age_bands=compose.age_bands(flows),
        values=values,
        error=error,
        count=count,
        preview=per_language or [],
        status=status,
    )


@requires("reviewer")
async def campaigns_page(request: web.Request) -> web.StreamResponse:
    empty = {"do": "", "name": "", "flow": "", "texts": {}, "leave_out": False, "languages": [], "age_bands": []}
    values = {**empty, "source": "", "took_part": "", "submitted_days": 0, "at": ""}
    return await _compose(request, values, error=None, count=None, status=200)


def _composed(request: web.Request, values: dict[str, Any]) -> compose.Composed:
    """What the form asks for, checked; CampaignRefused with the reason."""
    c = ctx(request)
    asked = compose.Asked(
        name=values["name"],
        flow=values["flow"],
        texts=values["texts"],
        leave_out=values["leave_out"],
        languages=values["languages"],
        age_bands=values["age_bands"],
        sources=[values["source"]],
        took_part=values["took_part"],
        submitted_days=values["submitted_days"],
        at=values["at"],
    )
    return compose.compose(
        asked,
        flowset=c.flowset(),
        catalogs=c.catalogs(),
        default=c.settings.default_language,
        configured=list(c.settings.languages),
        now=c.clock(),
        naive_is_utc=True,
    )


@requires("admin")
async def create(request: web.Request) -> web.StreamResponse:
    """ "Count recipients" shows the count and preview; "Create" creates (nothing when refused)."""
    c = ctx(request)
    me: Staff = request[STAFF]
    form = await request.post()
    values = _form_values(form)
    try:
        made = _composed(request, values)
        async with c.sessionmaker() as s:
            size, rows = await compose.per_language(s, made, flowset=c.flowset(), catalogs=c.catalogs(), now=c.clock())
        if form.get("do") != "create":
            return await _compose(request, values, error=None, count=size, status=200, per_language=rows)
        rules.check_size(size)
    except rules.CampaignRefused as exc:
        return await _compose(request, values, error=str(exc), count=None, status=400)
    async with c.sessionmaker.begin() as s:
        info = await compose.create(s, made, by=me.name, now=c.clock())
    return redirect(url_for(request, "campaign", id=info.id))


AUDIENCE_LABELS = {
    "languages": "Languages",
    "age_bands": "Age bands",
    "sources": "Source tags",
    "took_part": "Took part in flow",
    "submitted_days": "Submitted in the last N days",
    "left_out": "Left out (no translation)",
}


def _audience(audience: dict[str, Any], age_bands: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The audience's filters as staff read them: (what, which), language names in English."""
    bands = dict(age_bands)
    out = []
    for key in sorted(audience, key=list(AUDIENCE_LABELS).index):  # this order: JSONB keeps no order
        value = audience[key]
        values = value if isinstance(value, list) else [value]
        if key in ("languages", "left_out"):
            values = [language_name(str(v)) for v in values]
        elif key == "age_bands":
            values = [bands.get(str(v), str(v)) for v in values]
        out.append((AUDIENCE_LABELS[key], ", ".join(str(v) for v in values)))
    return out


async def _campaign(request: web.Request, campaign_id: int, *, error: str = "", status: int = 200) -> web.Response:
    """The campaign's status page (with `error`: why an action was refused, said on it)."""
    c = ctx(request)
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
        audience=_audience(campaign.audience, compose.age_bands(c.flows())),
        progress=sorted(progress.items()),
        totals=totals,
        tally=tally,
        actions=[a for a in ACTIONS if campaign.status in campaigns.MOVES[a]],
        live=campaign.status in ("scheduled", "sending"),
        no_telegram=c.settings.telegram_bot_token is None,
        error=error,
        status=status,
    )


@requires("reviewer")
async def campaign_page(request: web.Request) -> web.StreamResponse:
    return await _campaign(request, _campaign_id(request))


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
        moved = await campaigns.move(s, campaign_id, action, now, by=me.name)
    if moved is None:
        refused = f"Not done: campaign {campaign_id} is {before.status}: it cannot {action}."
        return await _campaign(request, campaign_id, error=refused, status=400)
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
        return await _campaign(request, campaign_id, error=f"Not sent: {exc}.", status=400)
    return redirect(url_for(request, "campaign", id=campaign_id))
