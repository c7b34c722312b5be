"""Submissions: filtered list, detail, status, tags, notes and bulk status changes.

Staff only ever see the submissions table (already anonymised answers and a
pseudonym). Every change is written to the audit log without any youth text.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import web

from bot.dialogue.idea_news import NOTE_MAX, tell_author
from bot.web.auth import Staff, requires
from bot.web.context import STAFF, ctx
from storage.ids import parse_id
from bot.web.labels import Labels
from bot.web.pages import redirect, render, url_for
from storage.submission_query import (
    COUNT_CAP,
    Cursor,
    Filters,
    count_query,
    normalise_tag,
    page_query,
)
from storage import staff as staff_repo
from storage import submissions, translations
from bot.dialogue.translations import HUMAN_MAX
from bot.forwarding.translations import source_language
from bot.web.translations import direction, targets
from storage.db import dialect_name
from storage.models import Submission
from storage.submissions import STATUSES

PAGE_SIZE = 50
BULK_MAX = 500
NOTES_MAX = 5000
PREVIEW_CHARS = 240


def topic_choices(flows: list[Any]) -> list[str]:
    """Choice ids of every question that saves the `topic` answer, across the live flows."""
    found: dict[str, None] = {}
    for flow in flows:
        for step in flow.steps.values():
            if getattr(step, "save", None) == "topic":
                for choice in getattr(step, "choices", None) or []:
                    found[choice.id] = None
    return list(found)


def preview(labels: Labels, row: Submission) -> list[str]:
    """The answers as short texts in words, each shown in its own direction (see submissions.html).
    The topic is in the line above; yes/no and numbers mean little without their question."""
    answers = row.answers
    pairs = answers.items() if isinstance(answers, dict) else [("", answers)]
    out, room = [], PREVIEW_CHARS
    for name, value in pairs:
        if value in (None, "", []) or name == "topic" or isinstance(value, (bool, int, float)) or room <= 0:
            continue
        text = labels.value(row.flow_id, name, value)
        out.append(text if len(text) <= room else text[: room - 1] + "…")
        room -= len(text)
    return out


def filter_options(request: web.Request) -> dict[str, Any]:
    c = ctx(request)
    flows = c.shown_flows()
    return {
        "flow_ids": [f.id for f in flows],
        "languages": list(c.settings.languages),
        "topics": topic_choices(flows),
        "statuses": STATUSES,
    }


@requires("reviewer")
async def list_page(request: web.Request) -> web.StreamResponse:
    c = ctx(request)
    filters, errors = Filters.from_query(request.query)
    after = Cursor.decode(request.query.get("after", "")) if request.query.get("after") else None
    async with c.sessionmaker() as s:
        await c.know_campaigns(s)  # their submissions titled by the question, and a flow to filter by
        dialect = dialect_name(s)
        rows = list((await s.execute(page_query(filters, dialect, after=after, limit=PAGE_SIZE + 1))).scalars())
        total = (await s.execute(count_query(filters, dialect))).scalar_one()
        shown = await translations.of_submissions(s, [r.id for r in rows[:PAGE_SIZE]])
        waiting = await translations.untranslated_per_language(s)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_url = (
        url_for(request, "submissions", {**filters.query(), "after": Cursor.of(rows[-1]).encode()}) if more else None
    )
    return render(
        request,
        "submissions.html",
        rows=rows,
        filters=filters,
        errors=errors,
        preview=preview,
        total=total,
        total_capped=total > COUNT_CAP,
        count_cap=COUNT_CAP,
        next_url=next_url,
        first_url=url_for(request, "submissions", filters.query()) if after else None,
        back=urlencode({**filters.query(), **({"after": after.encode()} if after else {})}),
        translations=shown,
        untranslated=waiting,
        direction=direction,
        **filter_options(request),
    )


async def _get(request: web.Request, s: Any) -> Submission:
    submission_id = parse_id(request.match_info["id"])
    row = await submissions.get(s, submission_id) if submission_id is not None else None
    if row is None:
        raise web.HTTPNotFound()
    return row


@requires("reviewer")
async def detail_page(request: web.Request) -> web.StreamResponse:
    async with ctx(request).sessionmaker() as s:
        row = await _get(request, s)
        await ctx(request).campaign_flows.know(s, [row.flow_id])
        shown = await translations.of_submission(s, row.id)
        jobs = await translations.jobs_of(s, row.id)
    back = request.query.get("back", "")
    return render(
        request,
        "submission.html",
        row=row,
        statuses=STATUSES,
        back=back,
        back_url=list_url(request, back),
        translations=shown,
        jobs=jobs,
        source=source_language(row),
        direction=direction,
        targets=targets(ctx(request).settings),
        human_max=HUMAN_MAX,
    )


def _detail_url(request: web.Request, row: Submission, back: str) -> str:
    return url_for(request, "submission", {"back": back} if back else None, id=row.id)


async def _change(request: web.Request, action: str) -> web.StreamResponse:
    c = ctx(request)
    staff: Staff = request[STAFF]
    form = await request.post()
    now = c.clock()
    async with c.sessionmaker.begin() as s:
        row = await _get(request, s)
        detail = _apply(row, action, form)
        if detail is None:
            raise web.HTTPBadRequest(text="Bad request: that change is not possible.")
        row.updated_at = now
        await staff_repo.audit(
            s, staff_name=staff.name, action=action, target=f"submission:{row.id}", detail=detail, now=now
        )
    return redirect(_detail_url(request, row, str(form.get("back", ""))))


def _apply(row: Submission, action: str, form: Any) -> str | None:
    """Change the row as the form says; returns the audit detail, or None if invalid."""
    if action in ("tag", "untag"):
        tag = normalise_tag(str(form.get("tag", "")))
        if tag is None:
            return None
        tags = [t for t in (row.tags or []) if t != tag]
        row.tags = [*tags, tag] if action == "tag" else tags
        return tag
    if action == "note":
        notes = str(form.get("notes", "")).strip()[:NOTES_MAX]
        row.notes = notes or None
        return f"{len(notes)} characters"  # the note itself may quote a youth: not logged
    return None


@requires("reviewer")
async def set_status(request: web.Request) -> web.StreamResponse:
    c = ctx(request)
    staff: Staff = request[STAFF]
    form = await request.post()
    status = str(form.get("status", ""))
    if status not in STATUSES:
        raise web.HTTPBadRequest(text="Bad request: unknown status.")
    note = str(form.get("note", "")).strip()
    if len(note) > NOTE_MAX:
        raise web.HTTPBadRequest(text=f"Bad request: the note to the author is longer than {NOTE_MAX} characters.")
    now = c.clock()
    async with c.sessionmaker.begin() as s:
        row = await _get(request, s)
        before = row.status
        await submissions.set_status(s, row, status, by=staff.name, now=now)
        await c.campaign_flows.know(s, [row.flow_id])  # the author's news names the question
        await tell_author(s, c.translator, c.known_flowset(), row, status, note, now)
        await staff_repo.audit(
            s,
            staff_name=staff.name,
            action="status",
            target=f"submission:{row.id}",
            # the note may quote the idea: only its length is kept; whether anyone was
            # written to is not said (it would tell staff something about the author)
            detail=f"{before} -> {status}" + (f", a note of {len(note)} characters" if note else ""),
            now=now,
        )
    return redirect(_detail_url(request, row, str(form.get("back", ""))))


@requires("reviewer")
async def add_tag(request: web.Request) -> web.StreamResponse:
    return await _change(request, "tag")


@requires("reviewer")
async def remove_tag(request: web.Request) -> web.StreamResponse:
    return await _change(request, "untag")


@requires("reviewer")
async def save_note(request: web.Request) -> web.StreamResponse:
    return await _change(request, "note")


@requires("reviewer")
async def bulk_status(request: web.Request) -> web.StreamResponse:
    c = ctx(request)
    staff: Staff = request[STAFF]
    form = await request.post()
    status = str(form.get("status", ""))
    picked = [parse_id(v) for v in form.getall("id", [])]
    if None in picked:
        raise web.HTTPBadRequest(text="Bad request: malformed selection.")
    ids = sorted({i for i in picked if i is not None})
    if status not in STATUSES or not ids or len(ids) > BULK_MAX:
        raise web.HTTPBadRequest(text=f"Bad request: choose a status and 1 to {BULK_MAX} submissions.")
    note = str(form.get("note", "")).strip()
    if len(note) > NOTE_MAX:
        raise web.HTTPBadRequest(text=f"Bad request: the note to the authors is longer than {NOTE_MAX} characters.")
    now = c.clock()
    async with c.sessionmaker.begin() as s:
        # the authors of the ideas whose status this changes hear of it as with a single
        # change (those already at this status are not told again)
        rows = [row for row in await submissions.of_ids(s, ids) if row.status != status]
        changed = await submissions.set_status(s, ids, status, by=staff.name, now=now)
        await c.campaign_flows.know(s, {row.flow_id for row in rows})
        flowset = c.known_flowset()
        for row in rows:
            await tell_author(s, c.translator, flowset, row, status, note, now)
        await staff_repo.audit(
            s,
            staff_name=staff.name,
            action="bulk_status",
            target=f"{changed} submissions",
            detail=f"-> {status}; ids {','.join(map(str, ids))}"
            + (f"; a note of {len(note)} characters" if note else ""),
            now=now,
        )
    return redirect(list_url(request, str(form.get("back", ""))))


def list_url(request: web.Request, back: str) -> str:
    """The list page for a `back` query string, keeping only well-formed filters."""
    params = dict(parse_qsl(back))
    filters, _errors = Filters.from_query(params)
    after = Cursor.decode(params.get("after", ""))
    return url_for(request, "submissions", {**filters.query(), **({"after": after.encode()} if after else {})})
