"""The Urgent page: urgent cards open (nobody has taken them), taken, and done, with who
took them and when; take or close one from here as from the card's buttons (the card in
Telegram is redrawn); and per week how many there were and the median time to take and
to close. Shows the card's category and times only — what the youth wrote stays on the
card and the submission page. Reviewers and admins; every change in the audit log."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from bot.dialogue import hand_off as cards
from bot.dialogue.translations import known_title
from bot.web.auth import Staff, requires
from bot.web.context import STAFF, ctx
from bot.web.pages import redirect, render, url_for
from storage import submissions, urgent
from storage.ids import parse_id

WEEKS = 12
NOTE_MAX = 280
ACTIONS = ("claim", "done")


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    start, end = _aware(start), _aware(end)
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds() / 60)


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def weekly(rows: list[Any]) -> list[dict[str, Any]]:
    """Per ISO week, newest first: cards, median minutes to take and to close."""
    weeks: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for row in rows:
        year, week, _ = _aware(row.created_at).isocalendar()  # type: ignore[union-attr]
        weeks[(year, week)].append(row)
    out = []
    for (year, week), cards_of_week in sorted(weeks.items(), reverse=True):
        to_claim = [m for r in cards_of_week if (m := _minutes(r.created_at, r.claimed_at)) is not None]
        to_done = [m for r in cards_of_week if (m := _minutes(r.created_at, r.done_at)) is not None]
        out.append(
            {
                "week": f"{year}-W{week:02d}",
                "cards": len(cards_of_week),
                "open": sum(1 for r in cards_of_week if r.claimed_by is None and r.done_at is None),
                "to_claim": _median(to_claim),
                "to_done": _median(to_done),
            }
        )
    return out


@requires("reviewer")
async def urgent_page(request: web.Request) -> web.StreamResponse:
    c = ctx(request)
    now = c.clock()
    async with c.sessionmaker() as s:
        rows = await urgent.listing(s, now - timedelta(weeks=WEEKS), limit=2000)
    lists: dict[str, list[Any]] = {"open": [], "claimed": [], "done": []}
    for row in rows:
        state = "done" if row.done_at else "claimed" if row.claimed_by else "open"
        lists[state].append(row)
    return render(
        request,
        "urgent.html",
        lists=lists,
        weeks=weekly(rows),
        age=lambda row: _minutes(row.created_at, now),
        notice=request.query.get("notice", "")[:120],
        note_max=NOTE_MAX,
    )


@requires("reviewer")
async def hand_off(request: web.Request) -> web.StreamResponse:
    """Take (claim) or close (done, with an optional note) one urgent card."""
    c = ctx(request)
    staff: Staff = request[STAFF]
    action = request.match_info["action"]
    card_id = parse_id(request.match_info["id"])
    if action not in ACTIONS or card_id is None:
        raise web.HTTPNotFound()
    form = await request.post()
    note = str(form.get("note", "")).strip() or None
    if note and len(note) > NOTE_MAX:
        raise web.HTTPBadRequest(text=f"Bad request: the note is longer than {NOTE_MAX} characters.")
    now = c.clock()
    async with c.sessionmaker.begin() as s:
        row = await submissions.get(s, card_id)
        if row is None or not row.urgent:
            raise web.HTTPNotFound()
        if action == "claim":
            notice = await cards.take(s, card_id, staff.name, now, c.metrics)
        else:
            notice = await cards.finish(s, card_id, staff.name, note, now)
        if notice is None:
            await s.refresh(row)
            await cards.redraw(s, row, await known_title(s, c.campaign_flows, c.flowset(), row.flow_id), now)
    return redirect(url_for(request, "urgent", {"notice": notice or ""}))
