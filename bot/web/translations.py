"""Translations in the dashboard: a person's translation added on a submission's page
("✍️ Add translation": reviewer role and CSRF checked like every form, attributed in the
audit log, shown above machine ones, and on the staff card), and each text's direction
(Arabic, Dari and Pashto right to left) for showing original and translation side by side.
"""

from __future__ import annotations

from functools import lru_cache

from aiohttp import web
from babel import Locale, UnknownLocaleError

from bot.dialogue.translations import HUMAN_MAX, add_human, known_title, redraw_card
from bot.web.auth import Staff, requires
from bot.web.context import STAFF, ctx
from bot.web.pages import redirect, url_for
from storage import submissions
from storage.ids import parse_id


@lru_cache(maxsize=64)
def direction(lang: str | None) -> str:
    """ "rtl" or "ltr" for a language code (unknown ones: "auto", the browser decides)."""
    try:
        return "rtl" if Locale.parse(lang or "").text_direction == "rtl" else "ltr"
    except (ValueError, UnknownLocaleError):
        return "auto"


def targets(settings: object) -> list[str]:
    """Languages a person may translate into: the translation targets, then the rest."""
    first = list(getattr(settings, "translate_targets", []))
    return first + [lang for lang in getattr(settings, "languages", []) if lang not in first]


@requires("reviewer")
async def add_translation(request: web.Request) -> web.StreamResponse:
    c = ctx(request)
    staff: Staff = request[STAFF]
    form = await request.post()
    text = str(form.get("text", "")).strip()
    target = str(form.get("target", "")) or c.settings.translate_target
    if not text or len(text) > HUMAN_MAX:
        raise web.HTTPBadRequest(text=f"Bad request: a translation is 1 to {HUMAN_MAX} characters.")
    if target not in targets(c.settings):
        raise web.HTTPBadRequest(text=f"Bad request: {target[:20]!r} is not one of the bot's languages.")
    submission_id = parse_id(request.match_info["id"])
    now = c.clock()
    async with c.sessionmaker.begin() as s:
        sub = await submissions.get(s, submission_id) if submission_id is not None else None
        if sub is None:
            raise web.HTTPNotFound()
        await add_human(s, c.settings, sub, text, by=staff.name, target=target, via="dashboard", now=now)
        await redraw_card(s, sub, await known_title(s, c.campaign_flows, c.flowset(), sub.flow_id), now)
    back = str(form.get("back", ""))
    return redirect(url_for(request, "submission", {"back": back} if back else None, id=sub.id))
