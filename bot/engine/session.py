"""The engine's session: typed dataclasses, and their stored JSON form.

The stored form (storage's `sessions.state`) is a JSON object with the keys of today's
format (`flow`, `version`, `step`, `stack`, `answers`, `ask`, …). `Session.from_json`
reads any such object, also an old, partial or damaged one: a key that is missing or of
the wrong type takes its default, and keys the engine does not know (a front end's own
state, stored beside the engine's) are ignored. `to_json` writes every engine key.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

SESSION_VERSION = 1

Label = tuple[str, str | None]  # (msgid, context) of a chosen answer's label


@dataclass
class Frame:
    """A sub-flow's return point: the calling flow's step, on the version it ran."""

    flow: str
    version: str | None
    step: str

    def to_json(self) -> dict[str, Any]:
        return {"flow": self.flow, "version": self.version, "step": self.step}

    @classmethod
    def from_json(cls, raw: Any) -> Frame | None:
        if not isinstance(raw, Mapping) or not isinstance(raw.get("flow"), str) or not isinstance(raw.get("step"), str):
            return None
        return cls(raw["flow"], _str(raw.get("version")), raw["step"])


@dataclass
class Position:
    """A question asked earlier (for /back): where it was, with the sub-flow stack then."""

    flow: str
    version: str | None
    step: str
    stack: list[Frame] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "version": self.version,
            "step": self.step,
            "stack": [f.to_json() for f in self.stack],
        }

    @classmethod
    def from_json(cls, raw: Any) -> Position | None:
        frame = Frame.from_json(raw)
        if frame is None:
            return None
        return cls(frame.flow, frame.version, frame.step, _frames(raw.get("stack")))


@dataclass
class Session:
    """Where one youth is: the flow run, its answers, the open question, profile flags.

    `status` is `active` (resting on the question `step`, number `ask`), `menu` or
    `expired`; `mode` is `language` while the language is being chosen."""

    flow: str | None = None
    version: str | None = None
    step: str | None = None
    stack: list[Frame] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=dict)  # name -> JSON value, this run's
    skipped: list[str] = field(default_factory=list)
    labels: dict[str, list[Label]] = field(default_factory=dict)
    forward: list[str] = field(default_factory=list)  # answers meant for the team
    history: list[Position] = field(default_factory=list)
    ask: int = 0
    tries: int = 0
    selected: list[str] = field(default_factory=list)
    mode: str | None = None
    lang: str = "en"
    source: str | None = None
    consent: bool = False
    under13: bool = False
    status: str = "menu"
    run: str | None = None  # the top-level flow of this run
    last_input_at: datetime | None = None
    reminded: bool = False
    started_at: datetime | None = None
    menu: Label | None = None  # the menu's prompt, to show it again

    def copy(self) -> Session:
        """A copy sharing nothing mutable (faster than deepcopy on the hot path)."""
        return replace(
            self,
            stack=_copied(self.stack),
            answers=copy.deepcopy(self.answers),
            skipped=list(self.skipped),
            labels={name: list(labels) for name, labels in self.labels.items()},
            forward=list(self.forward),
            history=[Position(p.flow, p.version, p.step, _copied(p.stack)) for p in self.history],
            selected=list(self.selected),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "v": SESSION_VERSION,
            "flow": self.flow,
            "version": self.version,
            "step": self.step,
            "stack": [f.to_json() for f in self.stack],
            "answers": copy.deepcopy(self.answers),
            "skipped": list(self.skipped),
            "labels": {name: [list(label) for label in labels] for name, labels in self.labels.items()},
            "forward": list(self.forward),
            "history": [p.to_json() for p in self.history],
            "ask": self.ask,
            "tries": self.tries,
            "selected": list(self.selected),
            "mode": self.mode,
            "lang": self.lang,
            "source": self.source,
            "consent": self.consent,
            "under13": self.under13,
            "status": self.status,
            "run": self.run,
            "last_input_at": _iso(self.last_input_at),
            "reminded": self.reminded,
            "started_at": _iso(self.started_at),
            "menu": list(self.menu) if self.menu is not None else None,
        }

    @classmethod
    def from_json(cls, raw: Any) -> Session:
        """The session of a stored JSON object of any age; anything else: a fresh one."""
        if not isinstance(raw, Mapping):
            return cls()
        d = cls()
        answers = raw.get("answers")
        labels = raw.get("labels")
        return cls(
            flow=_str(raw.get("flow")),
            version=_str(raw.get("version")),
            step=_str(raw.get("step")),
            stack=_frames(raw.get("stack")),
            answers=copy.deepcopy(dict(answers)) if isinstance(answers, Mapping) else {},
            skipped=_strs(raw.get("skipped")),
            labels={str(k): _labels(v) for k, v in labels.items()} if isinstance(labels, Mapping) else {},
            forward=_strs(raw.get("forward")),
            history=[p for p in map(Position.from_json, _list(raw.get("history"))) if p is not None],
            ask=_int(raw.get("ask"), d.ask),
            tries=_int(raw.get("tries"), d.tries),
            selected=_strs(raw.get("selected")),
            mode=_str(raw.get("mode")),
            lang=_str(raw.get("lang")) or d.lang,
            source=_str(raw.get("source")),
            consent=_bool(raw.get("consent")),
            under13=_bool(raw.get("under13")),
            status=_str(raw.get("status")) or d.status,
            run=_str(raw.get("run")),
            last_input_at=_when(raw.get("last_input_at")),
            reminded=_bool(raw.get("reminded")),
            started_at=_when(raw.get("started_at")),
            menu=_label(raw.get("menu")),
        )


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any, default: int) -> int:
    return int(value) if isinstance(value, int) else default


def _bool(value: Any) -> bool:
    return value if isinstance(value, bool) else False


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _strs(value: Any) -> list[str]:
    return [x for x in _list(value) if isinstance(x, str)]


def _copied(frames: list[Frame]) -> list[Frame]:
    return [Frame(f.flow, f.version, f.step) for f in frames]


def _frames(value: Any) -> list[Frame]:
    return [f for f in map(Frame.from_json, _list(value)) if f is not None]


def _label(value: Any) -> Label | None:
    if isinstance(value, (list, tuple)) and len(value) == 2 and isinstance(value[0], str):
        return value[0], _str(value[1])
    return None


def _labels(value: Any) -> list[Label]:
    return [label for label in map(_label, _list(value)) if label is not None]


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def _when(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
