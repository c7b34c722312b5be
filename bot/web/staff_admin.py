"""Admin pages: staff accounts (add, disable, enable) and the audit log."""

from __future__ import annotations

from aiohttp import web

from bot.web.auth import Staff, requires, translator_languages
from bot.web.context import STAFF, ctx
from storage.ids import parse_id
from bot.web.pages import redirect, render, url_for
from bot.web.passwords import hash_password, password_problem
from storage import staff as repo
from storage.staff_models import ROLES

AUDIT_PAGE = 100


@requires("admin")
async def staff_page(request: web.Request) -> web.StreamResponse:
    return await _staff_page(request, error=None, status=200)


async def _staff_page(request: web.Request, *, error: str | None, status: int) -> web.StreamResponse:
    async with ctx(request).sessionmaker() as s:
        users = await repo.list_staff(s)
    languages = [lang for lang in ctx(request).settings.languages if lang != "en"]
    return render(request, "staff.html", users=users, roles=ROLES, languages=languages, error=error, status=status)


@requires("admin")
async def add_staff(request: web.Request) -> web.StreamResponse:
    c = ctx(request)
    me: Staff = request[STAFF]
    form = await request.post()
    name, role, password = str(form.get("name", "")).strip(), str(form.get("role", "")), str(form.get("password", ""))
    languages, language_problem = translator_languages(
        role, " ".join(str(v) for v in form.getall("languages", [])), list(c.settings.languages)
    )
    problem = (
        "the name must be 1-64 characters"
        if not 0 < len(name) <= 64
        else "choose a role"
        if role not in ROLES
        else language_problem or password_problem(password)
    )
    if problem:
        return await _staff_page(request, error=problem, status=400)
    now = c.clock()
    detail = f"{role} ({', '.join(languages)})" if languages else role
    try:
        async with c.sessionmaker.begin() as s:
            await repo.add_staff(
                s, name=name, role=role, password_hash=hash_password(password), now=now, languages=languages
            )
            await repo.audit(s, staff_name=me.name, action="staff_add", target=f"staff:{name}", detail=detail, now=now)
    except repo.StaffNameTaken:
        return await _staff_page(request, error="that name is taken", status=409)
    return redirect(url_for(request, "staff"))


@requires("admin")
async def set_disabled(request: web.Request) -> web.StreamResponse:
    c = ctx(request)
    me: Staff = request[STAFF]
    form = await request.post()
    disabled = form.get("disabled") == "1"
    now = c.clock()
    async with c.sessionmaker.begin() as s:
        user = await repo.staff_by_name(s, request.match_info["name"])
        if user is None:
            raise web.HTTPNotFound()
        if user.id == me.id and disabled:
            raise web.HTTPBadRequest(text="Bad request: you cannot disable your own account.")
        await repo.set_disabled(s, user.id, disabled)
        await repo.audit(
            s,
            staff_name=me.name,
            action="staff_disable" if disabled else "staff_enable",
            target=f"staff:{user.name}",
            now=now,
        )
    return redirect(url_for(request, "staff"))


@requires("admin")
async def audit_page(request: web.Request) -> web.StreamResponse:
    before = request.query.get("before", "")
    async with ctx(request).sessionmaker() as s:
        entries = await repo.audit_page(s, before_id=parse_id(before) if before else None, limit=AUDIT_PAGE)
    next_url = url_for(request, "audit", {"before": entries[-1].id}) if len(entries) == AUDIT_PAGE else None
    return render(request, "audit.html", entries=entries, next_url=next_url)
