"""The Translations page: people who speak a language review the bot's texts in it.

Translators see the languages given to their account, admins every language but the
English source. Per language, each text with its English source, where it is shown,
its draft and its limits; saving writes that one entry back to the language's .po file
(bot/i18n/poedit.py: fuzzy cleared, the reviewer's role noted, never their name),
compiles the .mo and reloads the catalogs, so the bot says the reviewed text from the
next message on. A text someone else saved meanwhile is refused with both versions
shown. Every review and comment is in the audit log.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiohttp import web
from babel import Locale

from bot.i18n.catalogs import SOURCE_LANGUAGE, plural_tags, po_path
from bot.i18n.checks import translation_problems
from bot.i18n.cli import read_catalog, template_path
from bot.i18n.poedit import EntryChanged, EntryNotFound, compile_mo, save_entry
from bot.i18n.review import DRAFT, MISSING, Text, language_texts, status_of
from bot.web.auth import Staff, requires
from bot.web.context import STAFF, ctx
from bot.web.pages import redirect, render, url_for
from storage import staff as repo

FILTERS = {
    "todo": "not reviewed",
    "critical": "safety-critical",
    DRAFT: "drafts",
    MISSING: "missing",
    "all": "all texts",
}
TARGET_MAX = 128


def text_anchor(context: str | None, msgid: str) -> str:
    """A short, stable id of a text, for links and forms."""
    return "t-" + hashlib.sha256(f"{context}\x04{msgid}".encode()).hexdigest()[:12]


def anchor(t: Text) -> str:
    return text_anchor(t.context, t.singular)


def _shown(t: Text, show: str) -> bool:
    if show == "all":
        return True
    if show == "critical":
        return t.critical
    if show in (DRAFT, MISSING):
        return t.state == show
    return t.state != "reviewed"


def _languages(request: web.Request, staff: Staff) -> list[str]:
    return [lang for lang in ctx(request).settings.languages if lang != SOURCE_LANGUAGE and staff.may_translate(lang)]


def _texts(request: web.Request, lang: str) -> list[Text]:
    locales = Path(ctx(request).settings.locales_dir)
    return language_texts(read_catalog(template_path(locales)), locales, lang)


@requires("translator")
async def overview(request: web.Request) -> web.StreamResponse:
    staff: Staff = request[STAFF]
    languages = _languages(request, staff)
    statuses = await asyncio.to_thread(lambda: [status_of(lang, _texts(request, lang)) for lang in languages])
    return render(request, "text_review.html", statuses=statuses)


def _language(request: web.Request) -> str | web.StreamResponse:
    """The page's language, or the answer refusing it."""
    lang = request.match_info["lang"]
    staff: Staff = request[STAFF]
    if lang not in ctx(request).settings.languages or lang == SOURCE_LANGUAGE:
        raise web.HTTPNotFound(text="There is no such language to review here.")
    if not staff.may_translate(lang):
        return render(
            request,
            "forbidden.html",
            status=403,
            reason=f"Your account may review {', '.join(staff.languages) or 'no language'}, not {lang}.",
        )
    return lang


def _page(
    request: web.Request,
    lang: str,
    texts: list[Text],
    *,
    status: int = 200,
    problem: dict[str, Any] | None = None,
) -> web.StreamResponse:
    show = request.query.get("show", "todo")
    if show not in FILTERS:
        show = "todo"
    if problem is not None:
        show = "all"
    locale = Locale.parse(lang)
    saved = request.query.get("saved", "")
    return render(
        request,
        "text_review_lang.html",
        status=status,
        lang=lang,
        rtl=locale.text_direction == "rtl",
        html_lang=lang.replace("_", "-"),
        plural_names=plural_tags(locale),
        summary=status_of(lang, texts),
        texts=[t for t in texts if _shown(t, show) or anchor(t) in (saved, problem and problem["anchor"])],
        show=show,
        filters=FILTERS,
        anchor=anchor,
        saved=saved,
        problem=problem,
    )


@requires("translator")
async def language_page(request: web.Request) -> web.StreamResponse:
    lang = _language(request)
    if not isinstance(lang, str):
        return lang
    texts = await asyncio.to_thread(_texts, request, lang)
    return _page(request, lang, texts)


def _forms(form: Any, t: Text, n_plural: int) -> list[str]:
    if not t.plural:
        return [str(form.get("text", ""))]
    return [str(form.get(f"text_{i}", "")) for i in range(n_plural)]


async def _reload(request: web.Request) -> list[str]:
    c = ctx(request)
    if c.reload_content is not None:
        return await c.reload_content("a translation was saved")
    await asyncio.to_thread(c.catalogs().reload)
    return []


@requires("translator")
async def save(request: web.Request) -> web.StreamResponse:
    lang = _language(request)
    if not isinstance(lang, str):
        return lang
    c = ctx(request)
    me: Staff = request[STAFF]
    form = await request.post()
    texts = await asyncio.to_thread(_texts, request, lang)
    wanted = str(form.get("key", ""))
    t = next((t for t in texts if anchor(t) == wanted), None)
    if t is None:
        raise web.HTTPNotFound(text="This text is not in the catalog any more; reload the page.")
    commenting = form.get("action") == "comment"
    note = str(form.get("note", "")).strip() or None
    forms = _forms(form, t, len(plural_tags(Locale.parse(lang))))

    def again(status: int, message: str, problems: Sequence[str] = ()) -> web.StreamResponse:
        problem = {"anchor": anchor(t), "message": message, "problems": list(problems), "forms": forms, "note": note}
        return _page(request, lang, texts, status=status, problem=problem)

    if commenting and not note:
        return again(400, "Write the comment first.")
    if t.digest is None:
        return again(
            409,
            "This text is not in the language's catalog file yet: an admin runs `python -m bot i18n update` first.",
        )
    if not commenting:
        problems = translation_problems(t.msgid, forms, lang=lang, limit=t.limit)
        if problems:
            return again(400, "Not saved: please fix this first.", problems)
    path = po_path(c.settings.locales_dir, lang)
    try:
        await asyncio.to_thread(
            save_entry,
            path,
            lang,
            t.context,
            t.singular,
            str(form.get("digest", "")),
            forms=None if commenting else forms,
            role=me.role,
            reviewed=not commenting,
            note=note,
            today=c.clock().date(),
        )
    except EntryChanged:
        fresh = await asyncio.to_thread(_texts, request, lang)
        texts = fresh
        return again(
            409,
            "Not saved: someone else saved this text while you were working on it. Their version is shown "
            "now; your text is kept in the box below it. Compare, then save again.",
        )
    except EntryNotFound:
        return again(409, "This text is not in the language's catalog file any more; reload the page.")
    await asyncio.to_thread(compile_mo, path, lang, bool(getattr(c.settings, "show_fuzzy", True)))
    problems = await _reload(request)
    changed = not commenting and tuple(forms) != t.forms
    detail = ("comment" if commenting else "reviewed" + (", text changed" if changed else ", as it was")) + (
        " (catalogs not reloaded: see the log)" if problems else ""
    )
    async with c.sessionmaker.begin() as s:
        await repo.audit(
            s,
            staff_name=me.name,
            action="translation_comment" if commenting else "translation_review",
            target=f"translation:{lang}:{t.context or t.singular}"[:TARGET_MAX],
            detail=detail,
            now=c.clock(),
        )
    show = str(form.get("show", "todo"))
    target = url_for(request, "translations_lang", {"show": show, "saved": anchor(t)}, lang=lang)
    return redirect(f"{target}#{anchor(t)}")
