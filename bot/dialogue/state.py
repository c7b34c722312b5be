"""The stored state of a youth's conversation: the engine's session and the dialogue's own.

Both live in one JSON object (storage's `sessions.state`): the engine's keys (see
bot/engine/session.py) and, beside them, the keys below, which the engine never reads.
`load` splits a stored object of any age into the two; `dump` joins them again, so rows
written before and after the typed state are read alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.engine.session import Session

THEN = "then"  # the flow a deep link asked for, started after onboarding
FOLLOWUP = "followup"  # the team's question waiting for the youth's answer


@dataclass(frozen=True)
class Followup:
    """Where the youth's answer to the team's question goes: the card of a submission."""

    submission: int
    chat: int
    card: int

    def to_json(self) -> dict[str, Any]:
        return {"submission": self.submission, "chat": self.chat, "card": self.card}

    @classmethod
    def from_json(cls, raw: Any) -> Followup | None:
        if not isinstance(raw, Mapping):
            return None
        submission, chat, card = raw.get("submission"), raw.get("chat"), raw.get("card")
        if isinstance(submission, int) and isinstance(chat, int) and isinstance(card, int):
            return cls(submission, chat, card)
        return None


@dataclass
class Front:
    """The dialogue's own state between updates."""

    then: str | None = None
    followup: Followup | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.then is not None:
            out[THEN] = self.then
        if self.followup is not None:
            out[FOLLOWUP] = self.followup.to_json()
        return out

    @classmethod
    def from_json(cls, raw: Any) -> Front:
        if not isinstance(raw, Mapping):
            return cls()
        then = raw.get(THEN)
        return cls(then if isinstance(then, str) else None, Followup.from_json(raw.get(FOLLOWUP)))


def load(raw: Any) -> tuple[Session | None, Front]:
    """A stored state (None: no session yet) as the engine's session and the dialogue's."""
    if raw is None:
        return None, Front()
    return Session.from_json(raw), Front.from_json(raw)


def dump(session: Session, front: Front) -> dict[str, Any]:
    """The stored form: the engine's keys and the dialogue's beside them."""
    return {**session.to_json(), **front.to_json()}
