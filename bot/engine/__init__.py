"""The pure flow engine: YAML flows -> validated model; (session, input) -> (session, events).

No I/O, no clock reads and no Telegram, aiohttp or SQLAlchemy imports: callers pass
`now` and persist what the events say. See docs/FLOWS.md and docs/ARCHITECTURE.md.
Inside, loading goes one way: registry -> load -> check -> flowset.

May import: i18n (the bot's own message ids, texts.py) and base. Nothing that does I/O.
"""

from bot.engine.events import (
    Ask,
    ChooseLanguage,
    End,
    Event,
    Expired,
    Forward,
    ReminderDue,
    Reask,
    SaveAnswer,
    Say,
    SetProfile,
    Stale,
    event_from_dict,
)
from bot.engine.flowset import FlowSet
from bot.engine.registry import FlowRegistry
from bot.engine.inputs import Button, Command, Text, Tick, done_index, menu_index, parse_callback, skip_index
from bot.engine.load import load_flow_text, load_flows, replace_flow
from bot.engine.model import Flow
from bot.engine.runtime import next_tick_at, repeat, resume, start, tick
from bot.engine.session import Session
from bot.engine.texts_of import text_contexts

__all__ = [
    "Ask",
    "Button",
    "ChooseLanguage",
    "Command",
    "End",
    "Event",
    "Expired",
    "Flow",
    "FlowRegistry",
    "FlowSet",
    "Forward",
    "Reask",
    "ReminderDue",
    "SaveAnswer",
    "Say",
    "Session",
    "SetProfile",
    "Stale",
    "Text",
    "Tick",
    "done_index",
    "event_from_dict",
    "load_flow_text",
    "load_flows",
    "menu_index",
    "next_tick_at",
    "parse_callback",
    "repeat",
    "replace_flow",
    "resume",
    "skip_index",
    "start",
    "text_contexts",
    "tick",
]
