"""The web chat simulator (admins): talk to the bot in any language in the browser.

It runs the conversation code Telegram runs (bot.dialogue.youth: helplines for
crisis words, the commands, kind replies, the engine) through bot.dialogue.simulation, on the
dashboard's database inside a transaction that is always rolled back: nothing is
saved as an answer or submission, nor forwarded. The simulated youth (profile and
engine session) and the transcript live in the staff session row; a card for the
team is shown as the staff would see it (anonymised).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.dialogue import crisis, simulation
from bot.dialogue import youth
from bot.web.auth import Staff, requires
from bot.web.context import STAFF, ctx
from bot.web.pages import redirect, render, url_for
from storage import staff as staff_repo

TRANSCRIPT_MAX = 80
TEXT_MAX = 1000
LASTING = frozenset({crisis.TALK_DATA})  # buttons that stay pressable under newer messages
COMMANDS = ("start", "menu", "back", "skip", "restart", "language", "help", "mydata", "delete", "stop")


def _state(staff: Staff) -> dict[str, Any]:
    state = staff.simulator
    return state if isinstance(state, dict) and "transcript" in state and "youth" in state else {}


def _show(state: dict[str, Any], turn: simulation.Turn) -> None:
    """Add the bot's messages, the team's cards and notes to the transcript."""
    transcript = state["transcript"]
    for item in turn.shown:
        transcript.append(
            {"who": item.who, "text": item.text, "buttons": [list(map(list, row)) for row in item.buttons]}
        )
    del transcript[:-TRANSCRIPT_MAX]


async def _turn(
    request: web.Request, state: dict[str, Any], act: Callable[[Any], Awaitable[youth.Pressed | None]]
) -> None:
    """One turn of the simulated youth, in a transaction that is rolled back."""
    c = ctx(request)
    services = simulation.services_for(c.settings, c.sessionmaker, _flowset(request), c.catalogs())
    async with c.sessionmaker() as s:
        transaction = await s.begin()
        try:
            conv = await simulation.open_youth(services, s, c.clock(), state["lang"], state["youth"])
            pressed = await act(conv)
            state["youth"] = simulation.saved_youth(conv)
        finally:
            await transaction.rollback()
    _show(state, simulation.turn(conv, pressed))


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
    last_buttons: list[Any] = next(
        (m["buttons"] for m in reversed(transcript) if m["who"] == "bot" and m.get("buttons")), []
    )
    # The helplines' "talk to a person" stays pressable under its message, as in Telegram,
    # when newer questions have come below it.
    lasting = [
        m.get("buttons") if any(data in LASTING for row in m.get("buttons") or [] for _, data in row) else None
        for m in transcript
    ]
    session = (state.get("youth") or {}).get("session") or {}
    ended = session.get("status") in ("ended", "expired")
    return render(
        request,
        "simulator.html",
        state=state,
        transcript=transcript,
        buttons=last_buttons,
        lasting=[b if b is not last_buttons else None for b in lasting],
        ended=ended,
        flow_ids=[f.id for f in c.flows()],
        languages=list(c.settings.languages),
        commands=COMMANDS,
        default_language=c.settings.default_language,
    )


@requires("admin")
async def start(request: web.Request) -> web.StreamResponse:
    c = ctx(request)
    flowset = _flowset(request)
    form = await request.post()
    flow_id, lang = str(form.get("flow", "")), str(form.get("lang", ""))
    if flowset.get(flow_id) is None or lang not in c.settings.languages:
        raise web.HTTPBadRequest(text="Bad request: choose a flow and a language from the lists.")
    state: dict[str, Any] = {"flow": flow_id, "lang": lang, "youth": None, "transcript": []}
    if flow_id != flowset.onboarding_id:
        state["transcript"].append({"who": "note", "text": "trying one flow: acting as a youth who has agreed"})
    await _turn(request, state, lambda conv: simulation.begin(conv, flow_id, lang))
    return await _save(request, state)


async def _resume(request: web.Request, make: Callable[[Any], tuple[str, Any] | None]) -> web.StreamResponse:
    state = _state(request[STAFF])
    if not state:
        return redirect(url_for(request, "simulator"))
    made = make(await request.post())
    if made is None:
        raise web.HTTPBadRequest(text="Bad request: nothing to send.")
    shown, act = made
    state["transcript"].append({"who": "you", "text": shown})
    await _turn(request, state, act)
    return await _save(request, state)


@requires("admin")
async def send(request: web.Request) -> web.StreamResponse:
    def make(form: Any) -> tuple[str, Any] | None:
        text = str(form.get("text", ""))[:TEXT_MAX]
        return (text, lambda conv: simulation.write(conv, text)) if text.strip() else None

    return await _resume(request, make)


@requires("admin")
async def press(request: web.Request) -> web.StreamResponse:
    def make(form: Any) -> tuple[str, Any] | None:
        data = str(form.get("data", ""))[:64]  # Telegram's limit for callback data
        return (f"[{str(form.get('label', ''))[:80]}]", lambda conv: youth.press(conv, data)) if data else None

    return await _resume(request, make)


@requires("admin")
async def command(request: web.Request) -> web.StreamResponse:
    def make(form: Any) -> tuple[str, Any] | None:
        name = str(form.get("name", ""))
        return (f"/{name}", lambda conv: simulation.write(conv, f"/{name}")) if name in COMMANDS else None

    return await _resume(request, make)


@requires("admin")
async def reset(request: web.Request) -> web.StreamResponse:
    return await _save(request, None)
