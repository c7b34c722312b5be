"""The web chat simulator (admins): talk to any flow in any language in the browser.

It runs the same engine and renderer as Telegram. The conversation lives in the
staff session row (server-side) and nothing is saved as an answer or submission,
nor forwarded: Forward events are only shown as a note in the transcript.
"""
from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.web.auth import Staff, requires
from bot.web.context import STAFF, ctx
from bot.web.pages import redirect, render, url_for
from storage import staff as staff_repo

TRANSCRIPT_MAX = 80
TEXT_MAX = 1000
COMMANDS = ("back", "skip", "menu", "restart", "language")


def _state(staff: Staff) -> dict[str, Any]:
    state = staff.simulator
    return state if isinstance(state, dict) and "session" in state else {}


def _translator(request: web.Request, lang: str) -> Any:
    from bot.render import ENGLISH

    try:
        return ctx(request).catalogs().translator(lang)
    except Exception:  # noqa: BLE001 - no catalogs yet: the English source texts will do
        return ENGLISH


def apply_events(request: web.Request, state: dict[str, Any], events: list[Any]) -> None:
    """Add the bot's messages (and notes on what would be saved/forwarded) to the transcript."""
    from bot.engine.events import Forward, SaveAnswer, SetProfile
    from bot.render import render as render_events

    for e in events:
        if isinstance(e, SetProfile) and e.field == "language":
            state["lang"] = str(e.value)
    transcript = state["transcript"]
    for e in events:
        if isinstance(e, SaveAnswer):
            transcript.append({"who": "note", "text": f"would save {e.name} (test only, not stored)"})
        elif isinstance(e, Forward):
            transcript.append({"who": "note", "text": "would forward to the team (test only, never sent)"})
    for msg in render_events(events, _translator(request, state["lang"])):
        transcript.append({"who": "bot", "text": msg.text, "buttons": [list(map(list, row)) for row in msg.buttons]})
    del transcript[:-TRANSCRIPT_MAX]


async def _save(request: web.Request, state: dict[str, Any] | None) -> web.StreamResponse:
    staff: Staff = request[STAFF]
    async with ctx(request).sessionmaker.begin() as s:
        await staff_repo.set_simulator_state(s, staff.session_hash, state)
    return redirect(url_for(request, "simulator") + "#latest")


def _flowset(request: web.Request) -> Any:
    flowset = ctx(request).flowset()
    if flowset is None:
        raise web.HTTPConflict(text="The flows have problems; fix them (see the flows page) before simulating.")
    return flowset


@requires("admin")
async def page(request: web.Request) -> web.StreamResponse:
    c = ctx(request)
    state = _state(request[STAFF])
    transcript = state.get("transcript", [])
    last_buttons = next((m["buttons"] for m in reversed(transcript) if m["who"] == "bot" and m.get("buttons")), [])
    ended = state.get("session", {}).get("status") in ("ended", "expired")
    return render(request, "simulator.html", state=state, transcript=transcript, buttons=last_buttons,
                  ended=ended, flow_ids=[f.id for f in c.flows()], languages=list(c.settings.languages),
                  commands=COMMANDS, default_language=c.settings.default_language)


@requires("admin")
async def start(request: web.Request) -> web.StreamResponse:
    from bot.engine import start as engine_start

    c = ctx(request)
    flowset = _flowset(request)
    form = await request.post()
    flow_id, lang = str(form.get("flow", "")), str(form.get("lang", ""))
    if flowset.get(flow_id) is None or lang not in c.settings.languages:
        raise web.HTTPBadRequest(text="Bad request: choose a flow and a language from the lists.")
    # Starting a flow directly skips onboarding: act as a youth who agreed, as `bot chat` does.
    seed = None if flow_id == flowset.onboarding_id else {"consent": True}
    session, events = engine_start(flowset, flow_id, now=c.clock(), lang=lang, source="simulator", session=seed)
    state = {"flow": flow_id, "lang": lang, "session": session, "transcript": []}
    apply_events(request, state, events)
    return await _save(request, state)


async def _resume(request: web.Request, make_input: Any) -> web.StreamResponse:
    from bot.engine import resume

    state = _state(request[STAFF])
    if not state:
        return redirect(url_for(request, "simulator"))
    form = await request.post()
    made = make_input(form)
    if made is None:
        raise web.HTTPBadRequest(text="Bad request: nothing to send.")
    shown, inp = made
    state["transcript"].append({"who": "you", "text": shown})
    session, events = resume(_flowset(request), state["session"], inp, now=ctx(request).clock())
    state["session"] = session
    apply_events(request, state, events)
    return await _save(request, state)


@requires("admin")
async def send(request: web.Request) -> web.StreamResponse:
    from bot.engine import Text

    def make(form: Any) -> tuple[str, Any] | None:
        text = str(form.get("text", ""))[:TEXT_MAX]
        return (text, Text(text)) if text.strip() else None

    return await _resume(request, make)


@requires("admin")
async def press(request: web.Request) -> web.StreamResponse:
    from bot.engine import parse_callback

    def make(form: Any) -> tuple[str, Any] | None:
        button = parse_callback(str(form.get("data", "")))
        return (f"[{str(form.get('label', ''))[:80]}]", button) if button else None

    return await _resume(request, make)


@requires("admin")
async def command(request: web.Request) -> web.StreamResponse:
    from bot.engine import Command

    def make(form: Any) -> tuple[str, Any] | None:
        name = str(form.get("name", ""))
        return (f"/{name}", Command(name)) if name in COMMANDS else None

    return await _resume(request, make)


@requires("admin")
async def reset(request: web.Request) -> web.StreamResponse:
    return await _save(request, None)
