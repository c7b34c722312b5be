"""A simulated youth for `python -m bot chat` and the web simulator.

Both run the conversation code Telegram runs (bot.dialogue.youth: crisis words,
commands, kind replies, the engine) on a real database. Only the way out differs:
what the bot would send is recorded instead of queued, and shown — the youth's
messages and, where something reaches the team, the card exactly as the staff would
see it (anonymised), in a team chat of its own that exists only here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.engine import events as ev
from bot.engine.flowset import FlowSet
from bot.engine.registry import FlowRegistry
from bot.engine.model import LanguageStep
from bot.engine.session import Session
from bot.base.metrics import Metrics
from bot.dialogue.services import LEXICON_FILE, Services
from bot.base.settings import Settings
from bot.dialogue import state, youth
from bot.dialogue.conversation import Call, Conversation, Sender

YOUTH = 1  # user and chat id of the simulated youth (its own database, or rolled back)
TEAM_CHAT = -1  # the simulated team's group: cards for it are shown, never sent
KEY = "sammanbot simulator: invented youth only"  # pseudonyms of simulated youth
PROFILE = ("language", "age_band", "consent", "source")


@dataclass
class Shown:
    who: str  # "bot": to the youth; "team": what the staff would see; "note": what happened
    text: str
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)
    updated: bool = False  # the bot redrew its question (a multiple-choice toggle)


@dataclass
class Turn:
    shown: list[Shown]
    typing: bool | None  # the open question wants typed text or a number (None: no question)


def simulation_settings(settings: Settings, **changes: Any) -> Settings:
    """The settings with cards going to the simulated team, nothing to a webhook."""
    return settings.model_copy(
        update={
            "staff_chat_id": TEAM_CHAT,
            "safeguarding_chat_id": None,
            "forward_webhook_url": None,
            "pseudonym_key": SecretStr(KEY),
            **changes,
        }
    )


def services_for(settings: Settings, sessionmaker: Any, flowset: FlowSet, catalogs: Any) -> Services:
    """A simulation's services around a database and the flows, catalogs and crisis
    words already loaded (the web simulator's: those of the dashboard)."""
    flows = FlowRegistry(settings.flows_dir)
    flows.current = flowset  # the ones loaded when it started: a simulation does not reload
    return Services(
        settings=simulation_settings(settings),
        db=sessionmaker.kw.get("bind"),
        sessionmaker=sessionmaker,
        flows=flows,
        catalogs=catalogs,
        lexicon=lexicon_of(settings),
        pseudonym_key=KEY.encode(),
        metrics=Metrics(),
    )


@functools.lru_cache(maxsize=4)
def _lexicon(path: str, mtime_ns: int, languages: tuple[str, ...]) -> Any:
    from bot.safeguarding import load_lexicon

    return load_lexicon(path, languages)[0]


def lexicon_of(settings: Settings) -> Any:
    """The crisis word list of the flows folder (read again when the file changes)."""
    path = Path(settings.flows_dir) / LEXICON_FILE
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return None
    return _lexicon(str(path), mtime, tuple(settings.languages))


async def open_youth(
    services: Services, s: Any, now: datetime, lang: str | None, saved: dict[str, Any] | None = None
) -> Conversation:
    """The simulated youth's conversation; `saved` (from `saved_youth`) restores one."""
    conv = await Conversation.open(services, s, Sender(YOUTH, YOUTH, lang), now, record=[])
    if saved:
        for name in PROFILE:
            setattr(conv.participant, name, saved["profile"].get(name))
        conv.participant.consent_at = now if conv.participant.consent else None
        conv.session, conv.front = state.load(saved.get("session"))
    return conv


def saved_youth(conv: Conversation) -> dict[str, Any] | None:
    """What restores this youth next time (None after /delete)."""
    if conv.session is None:
        return None
    session = state.dump(conv.session, conv.front)
    return {"profile": {name: getattr(conv.participant, name) for name in PROFILE}, "session": session}


async def begin(conv: Conversation, flow_id: str, lang: str) -> None:
    """Onboarding with the language already chosen, or one flow as a youth who agreed."""
    fs = conv.services.flowset
    if flow_id != fs.onboarding_id:
        conv.participant.consent, conv.participant.consent_at = True, conv.now
        conv.session = Session(consent=True, lang=lang)
        await conv.start(flow_id)
        return
    await youth.command(conv, "/start")
    flow = fs.get(flow_id)
    session = conv.session or Session()
    step = flow.steps.get(session.step or "") if flow else None
    if isinstance(step, LanguageStep) and lang in step.languages:
        del conv.events[:]  # the language question is answered for them
        if conv.record is not None:
            del conv.record[:]
        await youth.press(conv, f"{session.ask}:{list(step.languages).index(lang)}")


async def write(conv: Conversation, line: str) -> None:
    """A line the youth wrote: a command when it starts with "/"."""
    if line.lstrip().startswith("/"):
        await youth.command(conv, line)
    else:
        await youth.text(conv, line)


def turn(conv: Conversation, pressed: youth.Pressed | None = None) -> Turn:
    """What the turn showed: notes on what was saved, the team's cards, the replies."""
    shown = [Shown("note", note) for note in map(_note, conv.events) if note]
    shown += [s for s in map(_shown, conv.record or []) if s is not None]
    if pressed is not None:
        if pressed.notice:
            shown.append(Shown("note", pressed.notice))
        shown += [Shown("bot", m.text, m.buttons, updated=True) for m in pressed.redrawn]
    asks = [e for e in conv.events if isinstance(e, ev.Ask)]
    return Turn(shown, asks[-1].kind in ("text", "number") if asks else None)


def _note(e: ev.Event) -> str | None:
    if isinstance(e, ev.SaveAnswer):
        return (
            f"saved {e.name}" + (" (skipped)" if e.skipped else "") + (" [for the team]" if e.forward else " [private]")
        )
    if isinstance(e, ev.SetProfile):
        return f"profile {e.field} = {e.value!r}"
    if isinstance(e, ev.Forward):
        return "would forward to the team (a test: nothing is sent)"
    if isinstance(e, ev.End):
        return f"end of flow {e.flow}"
    return None


def _shown(call: Call) -> Shown | None:
    if call.method != "sendMessage":
        return None
    text = str(call.payload.get("text", ""))
    if call.chat_id == TEAM_CHAT:
        return Shown("team", text)
    rows = (call.payload.get("reply_markup") or {}).get("inline_keyboard", [])
    return Shown("bot", text, [[(b["text"], b["callback_data"]) for b in row] for row in rows])
