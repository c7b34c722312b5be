"""What a youth's input does, whatever the front-end: Telegram (handler.py), the
terminal chat and the web simulator (bot/dialogue/simulation.py) all call these functions.

Inputs are front-end neutral: a text, a command line ("/start workshop-malmo"), a
button's callback data, or something that is not text. Everything a youth may do is
decided here: the safe word and crisis words first, the commands, follow-up answers,
the engine. Replies go out through the Conversation. What stays in handler.py is
Telegram's own: parsing updates, editing the pressed message, answering the press.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot import engine
from bot.i18n import promise, replies, texts
from bot.engine import events as ev
from bot.engine.inputs import parse_callback
from bot.dialogue.render import OutMessage, render
from bot.dialogue import crisis
from bot.dialogue import followup, own_data
from bot.dialogue.promise import promise_events
from bot.dialogue.conversation import Conversation

COMMANDS = tuple(texts.COMMANDS)  # a youth's commands (Telegram's command menu shows them)
FLOW_COMMANDS = ("back", "skip", "restart")  # the engine's, for a youth in a conversation
RESUME, RESTART = "r:c", "r:s"
DELETE_YES, DELETE_NO = "d:y", "d:n"
OWN_BUTTONS = (RESUME, RESTART, DELETE_YES, DELETE_NO, crisis.TALK_DATA)  # not the engine's


@dataclass
class Pressed:
    """How a button press went, for the front-end to show on the pressed message."""

    notice: str | None = None  # a short notice for the press itself (stale); None: nothing
    chosen: bool = False  # the engine took the answer: the question may show what was chosen
    redrawn: list[OutMessage] = field(default_factory=list)  # a multiple-choice toggle, redrawn


async def not_text(conv: Conversation) -> None:
    """A voice message, photo, sticker, …: nothing of it is kept."""
    await conv.say(texts.PLEASE_USE_TEXT)


async def text(conv: Conversation, written: str) -> None:
    services = conv.services
    lexicon = services.lexicon
    if lexicon is not None and lexicon.is_safe_word(written, services.settings.safe_word):
        await crisis.send_help(conv)
        return
    match = lexicon.match(written) if lexicon is not None else None
    if match is not None:
        await crisis.alert(conv, match, written)
    if await followup.followup_answer(conv, written):
        return
    if match is None:
        await conv.resume(engine.Text(written))
    else:
        await conv.resume_after_help(engine.Text(written))


async def command(conv: Conversation, line: str) -> None:
    """A line starting with "/": `/name@bot argument`."""
    word, _, arg = line.strip()[1:].partition(" ")
    name = word.split("@", 1)[0].lower()
    arg = arg.strip()
    if name == "start":
        await _start(conv, arg)
    elif name in ("menu", "language"):
        await conv.resume(engine.Command(name))
    elif name == "help":
        await conv.send(conv.tr.gettext(replies.HELP_INTRO) + "\n\n" + conv.tr.gettext(promise.HELP_HINT))
        await crisis.send_help(conv)
    elif name == "stop":
        conv.participant.stopped = True
        await conv.say(replies.STOPPED)
    elif name == "delete":
        await conv.say(
            replies.DELETE_CONFIRM,
            [
                [
                    (conv.tr.gettext(replies.DELETE_YES), DELETE_YES),
                    (conv.tr.gettext(replies.DELETE_NO), DELETE_NO),
                ]
            ],
        )
    elif name == "mydata":
        await own_data.send_mydata(conv)
    elif name == "privacy":
        await conv.reply_events(promise_events())
    elif name in FLOW_COMMANDS and conv.active:
        await conv.resume(engine.Command(name))
    else:
        await conv.say(texts.UNKNOWN_COMMAND)


async def _start(conv: Conversation, payload: str) -> None:
    fs = conv.services.flowset
    trigger = fs.trigger(payload) if payload else None
    if trigger and not conv.participant.source:
        conv.participant.source = trigger[1]
    if trigger and conv.participant.consent:
        await conv.start(trigger[0], trigger[1])
    elif conv.mid_flow and conv.session is not None and conv.session.flow != fs.onboarding_id and not payload:
        await conv.say(
            texts.RESUME_OR_RESTART,
            [
                [
                    (conv.tr.gettext(texts.CONTINUE), RESUME),
                    (conv.tr.gettext(texts.START_OVER), RESTART),
                ]
            ],
        )
    else:
        await conv.start_default(trigger[1] if trigger else None)
        if trigger and conv.session is not None and conv.session.status == "active":
            conv.front.then = trigger[0]  # after onboarding (and consent), this flow


async def press(conv: Conversation, data: str) -> Pressed:
    """A button under one of our messages; `data` is its callback data."""
    if data in (RESUME, RESTART):
        if conv.mid_flow:
            await (conv.repeat() if data == RESUME else conv.resume(engine.Command("restart")))
        else:
            await conv.start_default()
    elif data == DELETE_YES:
        await own_data.erase(conv)
    elif data == DELETE_NO:
        await conv.say(replies.DELETE_KEPT)
    elif data == crisis.TALK_DATA:
        await crisis.talk_to_person(conv)
    else:
        button = parse_callback(data)
        if button is None or not conv.active:
            return Pressed(notice=conv.tr.gettext(texts.STALE))
        before = len(conv.events)
        await conv.resume(button)
        new = conv.events[before:]
        if any(isinstance(e, ev.Stale) for e in new):
            return Pressed(notice=conv.tr.gettext(texts.STALE))
        updated = [e for e in new if isinstance(e, ev.Ask) and e.update]
        redrawn = render(updated, conv.tr, language_names=conv.services.settings.language_names)
        return Pressed(chosen=not updated, redrawn=redrawn)
    return Pressed()
