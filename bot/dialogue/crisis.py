"""A youth in distress gets help at once: helplines in their language, when a person
from the team is there (bot.dialogue.staffed), a button to reach a person, and an
urgent card for the staff that says which category matched and what was written,
anonymised (bot.dialogue.written), never who it is."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.dialogue.forward import deliver
from bot.dialogue.staffed import talk_reply, team_line
from bot.dialogue.urgency import raise_recent
from bot.dialogue.written import written_answers
from bot.forwarding.submit import submission_key
from storage import submissions

if TYPE_CHECKING:
    from bot.dialogue.conversation import Conversation

TALK_DATA = "h:p"


async def send_help(conv: Conversation) -> None:
    """The warm message, the helplines, when the team is there and the 'talk to a person' button."""
    lexicon = conv.services.lexicon
    if lexicon is None:
        return
    tr = conv.tr
    *body, (button_context, button_msgid, _) = lexicon.help_contexts()
    lines = [tr.gettext(msgid, context) for context, msgid, _ in body]
    lines.append(team_line(tr, conv.services.settings, conv.services.clock()))
    await conv.send("\n\n".join(lines), [[(tr.gettext(button_msgid, button_context), TALK_DATA)]])


async def alert(conv: Conversation, match: Any, written: str) -> None:
    conv.services.metrics.safeguarding.labels(category=match.category).inc()
    await send_help(conv)
    shown = await written_answers(conv, written)
    await _urgent(conv, category=match.category, reason="crisis words", shown=shown)


async def talk_to_person(conv: Conversation) -> None:
    """The honest reply; the youth's recent urgent card raised, or else a new one."""
    await conv.send(talk_reply(conv.tr, conv.services.settings, conv.services.clock()))
    if not await raise_recent(conv):
        await _urgent(conv, category="asked for a person", reason="button")


async def _urgent(conv: Conversation, *, category: str, reason: str, shown: dict[str, Any] | None = None) -> None:
    settings = conv.services.settings
    p = conv.participant
    sub = await submissions.add(
        conv.s,
        key=submission_key(),
        participant_pseudonym=p.pseudonym,
        flow_id=(conv.session.flow if conv.session else None) or "safeguarding",
        language=conv.lang,
        source=p.source,
        answers={"alert": reason, **(shown or {})},
        urgent=True,
        category=category,
        now=conv.now,
    )
    if sub is not None:
        await deliver(conv, sub, chat_id=settings.safeguarding_chat_id or settings.staff_chat_id)
