"""Engine events: what should happen after an input, as message ids, not text.

Every event is a frozen dataclass with `to_dict()` (JSON-serialisable, with a
`type` key) so storage can keep them in the outbox; `event_from_dict` reverses it.
`context` is the gettext message context (see texts_of.py); None for the bot's own
strings in bot/i18n/texts.py. Params may hold a label reference {"msgid", "context"} (a
saved choice) or a list of them, which render translates before formatting.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

ChoiceRef = tuple[str, str, str | None]  # (choice_id, label_msgid, label_context)


@dataclass(frozen=True)
class Event:
    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k, v in d.items():
            if isinstance(v, tuple):
                d[k] = list(v)
        if "choices" in d:
            d["choices"] = [list(c) for c in d["choices"]]
        d["type"] = type(self).__name__
        return d


@dataclass(frozen=True)
class Say(Event):
    msgid: str
    context: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Ask(Event):
    ask: int
    step: str
    kind: str  # choice | multi | text | number | yesno | menu | language
    msgid: str
    context: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    choices: tuple[ChoiceRef, ...] = ()
    optional: bool = False
    selected: tuple[str, ...] = ()
    update: bool = False  # same question again with a new selection (multi): edit, don't resend
    icons: tuple[str, ...] = ()  # per-choice emoji shown before the label (menu), not translated


@dataclass(frozen=True)
class Reask(Event):
    reason: str
    params: dict[str, Any] = field(default_factory=dict)
    offer_skip_or_menu: bool = False
    ask: int = 0
    n_choices: int = 0  # Skip/Menu buttons use inputs.skip_index/menu_index of this


@dataclass(frozen=True)
class Stale(Event):
    ask: int


@dataclass(frozen=True)
class SaveAnswer(Event):
    flow: str
    step: str
    name: str
    value: Any
    forward: bool
    skipped: bool = False
    asks_name: bool = False


@dataclass(frozen=True)
class SetProfile(Event):
    field: str  # language | age_band | consent | contact
    value: Any


@dataclass(frozen=True)
class Forward(Event):
    flow: str
    source: str | None
    answers: dict[str, Any]


@dataclass(frozen=True)
class ReminderDue(Event):
    flow: str
    msgid: str
    context: str | None


@dataclass(frozen=True)
class Expired(Event):
    flow: str


@dataclass(frozen=True)
class End(Event):
    flow: str
    msgid: str | None = None
    context: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChooseLanguage(Event):
    pass


EVENT_TYPES: dict[str, type[Event]] = {
    c.__name__: c
    for c in (Say, Ask, Reask, Stale, SaveAnswer, SetProfile, Forward, ReminderDue, Expired, End, ChooseLanguage)
}


def event_from_dict(d: dict[str, Any]) -> Event:
    """Rebuild an event from `to_dict()` output (e.g. read back from the outbox)."""
    cls = EVENT_TYPES[d["type"]]
    kwargs = {f.name: d[f.name] for f in fields(cls) if f.name in d}
    if "choices" in kwargs:
        kwargs["choices"] = tuple(tuple(c) for c in kwargs["choices"])
    for key in ("selected", "icons"):
        if key in kwargs:
            kwargs[key] = tuple(kwargs[key])
    return cls(**kwargs)
