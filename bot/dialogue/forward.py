"""Turning a finished flow (an engine Forward event) into one anonymised submission,
and queueing its deliveries (built by bot.forwarding): the staff group's card and the
signed webhook.

Everything here runs inside the transaction of the update that finished the flow,
so the submission and its deliveries are stored together or not at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.forwarding import topics
from bot.dialogue import outgoing, translations
from bot.engine import events as ev
from bot.forwarding.submit import (
    StaffCard,
    anonymize_answers,
    deliveries,
    name_answers,
    submission_key,
)
from bot.i18n.langdetect import detect_language
from storage import answers, submissions
from storage.outbox import Priority

if TYPE_CHECKING:
    from bot.dialogue.conversation import Conversation


async def submit(conv: Conversation, event: ev.Forward) -> None:
    p = conv.participant
    texts = " ".join(v for v in event.answers.values() if isinstance(v, str))
    sub = await submissions.add(
        conv.s,
        key=submission_key(),
        participant_pseudonym=p.pseudonym,
        flow_id=event.flow,
        language=conv.lang,
        source=event.source or p.source,
        answers=anonymize_answers(
            event.answers, conv.sender.names, name_answers(conv.services.flowset.get(event.flow))
        ),
        detected_language=detect_language(texts) if texts else None,
        now=conv.now,
    )
    if sub is not None:
        await translations.queue(conv.s, conv.services.settings, sub, conv.now)
        await deliver(conv, sub)
    if conv.services.settings.raw_retention_days == 0:
        # RAW_RETENTION_DAYS=0: once forwarded (anonymised), the raw answers are not kept.
        await answers.purge_raw(conv.s, conv.now, now=conv.now, participant_id=p.id)


async def deliver(conv: Conversation, sub: Any, *, chat_id: int | None = None) -> None:
    """Queue the card for the staff (or safeguarding) chat and the webhook post."""
    settings = conv.services.settings
    flow = conv.services.flowset.get(sub.flow_id)
    title = flow.title if flow else sub.flow_id
    staff_chat = chat_id if chat_id is not None else settings.staff_chat_id
    translated = await translations.card_block_of(conv.s, sub.id)
    for d in deliveries(
        sub, title, staff_chat=staff_chat, webhook_url=settings.forward_webhook_url, translated=translated
    ):
        if isinstance(d, StaffCard):
            for payload in outgoing.send_message(d.chat_id, d.text, d.buttons, protect=True):
                topics.mark(payload, topics.of_submission(sub))
                await conv.call("sendMessage", payload, chat_id=d.chat_id, priority=Priority.STAFF, ref=d.ref)
        else:
            await conv.call("POST", d.body, chat_id=None, priority=Priority.STAFF, ref=d.ref, target="webhook")
