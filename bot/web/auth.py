"""Staff sessions and access control: login, logout, and the `requires` decorator.

The session cookie holds a random id; the database keeps only its SHA-256, so a
leaked database cannot be replayed as a login. A new id is issued at every login
(no session fixation). Cookies are HttpOnly and SameSite=Strict, and Secure when
the request came over https or `web_secure_cookies` is set. Failed logins are
limited per account and per client address (ratelimit.py; the address as seen
through TRUSTED_PROXIES, proxies.py).
"""

from __future__ import annotations

import functools
import hashlib
import math
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.web import csrf, proxies
from bot.web.context import STAFF, ctx
from bot.web.pages import redirect, render
from bot.web.passwords import hash_password, needs_rehash, verify_password
from storage import staff as repo

COOKIE = "sb_session"
IDLE_TIMEOUT = timedelta(hours=8)
TOUCH_EVERY = timedelta(minutes=1)
# A translator sees only the Translations page (bot/web/text_review.py), for its languages.
ROLE_RANK = {"translator": 0, "reviewer": 1, "admin": 2}


@dataclass(frozen=True)
class Staff:
    """The logged-in staff member of a request."""

    id: int
    name: str
    role: str
    session_hash: str
    csrf_token: str
    simulator: Any
    languages: tuple[str, ...] = ()  # a translator's languages

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def may_translate(self, lang: str) -> bool:
        """Admins review every language, translators those given to their account."""
        return self.is_admin or (self.role == "translator" and lang in self.languages)


def translator_languages(role: str, given: str, configured: list[str]) -> tuple[list[str], str | None]:
    """A translator's languages from `ti,ar` (or `ti ar`), and the problem with them, if any.
    Other roles take none (admins review every language, reviewers none)."""
    codes = list(dict.fromkeys(c for c in given.replace(",", " ").split() if c))
    if role != "translator":
        return [], ("only a translator takes languages" if codes else None)
    if not codes:
        return [], "a translator needs at least one language, e.g. ti"
    unknown = [c for c in codes if c not in configured or c == "en"]
    if unknown:
        choices = ", ".join(c for c in configured if c != "en")
        return [], f"{', '.join(unknown)}: not a language to review here (choose from {choices})"
    return codes, None


def hash_session_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _secure(request: web.Request) -> bool:
    return request.secure or bool(getattr(ctx(request).settings, "web_secure_cookies", False))


def set_cookie(
    request: web.Request, response: web.StreamResponse, name: str, value: str, max_age: int | None = None
) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", httponly=True, samesite="Strict", secure=_secure(request)
    )


async def current_staff(request: web.Request) -> Staff | None:
    """The staff member behind the session cookie (cached on the request), or None."""
    if STAFF in request:
        return request[STAFF]
    staff = None
    session_id = request.cookies.get(COOKIE)
    if session_id:
        c = ctx(request)
        now = c.clock()
        id_hash = hash_session_id(session_id)
        async with c.sessionmaker.begin() as s:
            found = await repo.live_session(s, id_hash, now)
            if found is not None:
                session, user = found
                if now - session.last_seen_at >= TOUCH_EVERY:
                    await repo.touch_session(s, id_hash, now=now, expires_at=now + IDLE_TIMEOUT)
                staff = Staff(
                    user.id, user.name, user.role, id_hash, session.csrf_token, session.simulator, user.language_list
                )
    request[STAFF] = staff
    return staff


def _login_url(request: web.Request) -> str:
    url = request.app.router["login"].url_for()
    return str(url.with_query(next=request.path_qs)) if request.method == "GET" else str(url)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def requires(role: str) -> Callable[[Handler], Handler]:
    """Allow staff with at least `role`; POSTs must also carry the session's CSRF token."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            staff = await current_staff(request)
            if staff is None:
                if request.method == "GET":
                    raise web.HTTPSeeOther(_login_url(request))
                raise web.HTTPForbidden(text="Forbidden: please log in.")
            if request.method == "POST":
                await csrf.check_form(request, staff.csrf_token)
            if ROLE_RANK[staff.role] < ROLE_RANK[role]:
                return render(request, "forbidden.html", status=403)
            return await handler(request)

        guarded.required_role = role  # type: ignore[attr-defined]  # read by the role tests
        return guarded

    return wrap


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths (never `//host` or a scheme) are followed after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else default


async def login_page(request: web.Request) -> web.StreamResponse:
    return _login_form(request, error=None, status=200)


def _login_form(request: web.Request, *, error: str | None, status: int, name: str = "") -> web.StreamResponse:
    token = csrf.new_token()
    response = render(
        request,
        "login.html",
        status=status,
        login_token=token,
        error=error,
        name=name,
        next=request.query.get("next", ""),
    )
    set_cookie(request, response, csrf.LOGIN_COOKIE, token, max_age=3600)
    return response


def _too_many(request: web.Request, name: str, wait: timedelta) -> web.StreamResponse:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return _login_form(
        request,
        status=429,
        name=name,
        error=(f"Too many failed attempts. Wait {minutes} minute{'s' if minutes > 1 else ''} and try again."),
    )


async def login_submit(request: web.Request) -> web.StreamResponse:
    c = ctx(request)
    form = await request.post()
    if not csrf.tokens_match(request.cookies.get(csrf.LOGIN_COOKIE), form.get(csrf.FIELD)):
        raise web.HTTPForbidden(text="Forbidden: the login form expired. Reload the page and try again.")
    name = str(form.get("name", "")).strip()[:64]
    password = str(form.get("password", ""))
    address = proxies.client_address(
        request.remote, request.headers.getall(proxies.HEADER, []), getattr(c.settings, "trusted_proxies", [])
    )
    now = c.clock()
    async with c.sessionmaker.begin() as s:
        verdict = await c.limiter.check(s, name, address)
        wait = verdict.wait or await c.limiter.attempt(s, name, address, verdict)
        if wait is not None:
            return _too_many(request, name, wait)
        user = await repo.staff_by_name(s, name) if name else None
        ok = verify_password(user.password_hash if user else None, password) and user is not None
        if not ok or user is None or user.disabled:
            if user is not None:
                await repo.audit(s, staff_name=user.name, action="login_failed", now=now)
            return _login_form(request, error="Wrong name or password.", status=401, name=name)
        await c.limiter.succeeded(s, name, address)
        if needs_rehash(user.password_hash):
            await repo.set_password_hash(s, user.id, hash_password(password))
        old = request.cookies.get(COOKIE)
        if old:
            await repo.delete_session(s, hash_session_id(old))
        await repo.delete_expired_sessions(s, now)
        session_id = secrets.token_urlsafe(32)
        await repo.create_session(
            s,
            id_hash=hash_session_id(session_id),
            staff_id=user.id,
            csrf_token=csrf.new_token(),
            now=now,
            expires_at=now + IDLE_TIMEOUT,
        )
        await repo.audit(s, staff_name=user.name, action="login", now=now)
    default = str(request.app.router["translations" if user.role == "translator" else "submissions"].url_for())
    response = redirect(safe_next(str(form.get("next", "")), default))
    set_cookie(request, response, COOKIE, session_id)
    response.del_cookie(csrf.LOGIN_COOKIE, path="/")
    return response


@requires("translator")
async def logout(request: web.Request) -> web.StreamResponse:
    c = ctx(request)
    staff: Staff = request[STAFF]
    async with c.sessionmaker.begin() as s:
        await repo.delete_session(s, staff.session_hash)
        await repo.audit(s, staff_name=staff.name, action="logout", now=c.clock())
    response = redirect(str(request.app.router["login"].url_for()))
    response.del_cookie(COOKIE, path="/")
    return response
