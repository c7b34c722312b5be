"""What an urgent card shows of what the youth wrote: the message that set it off and
their last few written answers before it, each anonymised like every forwarded text
(bot.privacy: names, usernames, numbers, addresses removed), so the person on duty can
tell a song lyric from a plan. Never raw text: only what the anonymiser returns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.engine.model import TextStep
from bot.forwarding.submit import name_answers
from bot.privacy.anonymizer import anonymize
from storage import answers

if TYPE_CHECKING:
    from bot.dialogue.conversation import Conversation

EARLIER = 3  # written answers shown before the message that set the card off


async def written_answers(conv: Conversation, written: str) -> dict[str, Any]:
    """The card's answers beside `alert`: `earlier 1` … (oldest first), then `written`."""
    names = conv.sender.names
    shown: dict[str, Any] = {}
    recent = await answers.recent_texts(conv.s, conv.participant.id, EARLIER * 3)
    written_ones = [(flow_id, name, value) for flow_id, name, value in recent if _written(conv, flow_id, name)]
    for i, (flow_id, name, value) in enumerate(written_ones[-EARLIER:], start=1):
        asks_name = name in name_answers(conv.services.flowset.get(flow_id))
        shown[f"earlier {i}"] = anonymize(value, names=names, name_answer=asks_name)
    shown["written"] = anonymize(written, names=names)
    return shown


def _written(conv: Conversation, flow_id: str, name: str) -> bool:
    """Whether the answer was typed (a text step), not a button's value."""
    flow = conv.services.flowset.get(flow_id)
    steps = flow.steps.values() if flow is not None else ()
    return any(isinstance(step, TextStep) and step.save == name for step in steps)
