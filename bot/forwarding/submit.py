"""Turning a finished flow (an engine Forward event) into one anonymised submission,
and queueing its deliveries: the staff group's card and the signed webhook.

Everything here runs inside the transaction of the update that finished the flow,
so the submission and its deliveries are stored together or not at all.
"""
from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from bot.engine import events as ev
from bot.engine.model import TextStep
from bot.forwarding.cards import card_buttons, card_text
from bot.i18n.langdetect import detect_language
from bot.privacy.anonymizer import anonymize
from bot.telegram import outgoing
from storage import answers, submissions

if TYPE_CHECKING:
    from bot.telegram.conversation import Conversation

STAFF_PRIORITY = 1


def submission_key() -> str:
    """A fresh idempotency key. Random on purpose: a key derived from the participant
    (their keyed id, the flow, the time) would let whoever holds PSEUDONYM_KEY link a
    submission back to a Telegram id after /delete unlinked it."""
    return secrets.token_hex(16)


def _name_answers(conv: Conversation, flow_id: str) -> set[str]:
    flow = conv.services.flowset.get(flow_id)
    if flow is None:
        return set()
    return {
        step.save for step in flow.steps.values()
        if isinstance(step, TextStep) and step.asks_name and step.save
    }


def anonymize_answers(answers: dict[str, Any], names: tuple[str, ...], name_fields: set[str]) -> dict[str, Any]:
    def clean(field: str, value: Any) -> Any:
        if isinstance(value, str):
            return anonymize(value, names=names, name_answer=field in name_fields)
        if isinstance(value, list):
            return [clean(field, v) for v in value]
        return value

    return {name: clean(name, value) for name, value in answers.items()}


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
        answers=anonymize_answers(event.answers, conv.sender.names, _name_answers(conv, event.flow)),
        detected_language=detect_language(texts) if texts else None,
        now=conv.now,
    )
    if sub is not None:
        await deliver(conv, sub)
    if conv.services.settings.raw_retention_days == 0:
        # RAW_RETENTION_DAYS=0: once forwarded (anonymised), the raw answers are not kept.
        await answers.purge_raw(conv.s, conv.now, now=conv.now, participant_id=p.id)


async def deliver(conv: Conversation, sub: Any, *, chat_id: int | None = None) -> None:
    """Queue the card for the staff (or safeguarding) chat and the webhook post."""
    settings = conv.services.settings
    staff_chat = chat_id if chat_id is not None else settings.staff_chat_id
    if staff_chat is not None:
        flow = conv.services.flowset.get(sub.flow_id)
        title = flow.title if flow else sub.flow_id
        for payload in outgoing.send_message(staff_chat, card_text(sub, title), card_buttons(sub)):
            await conv.call("sendMessage", payload, chat_id=staff_chat, priority=STAFF_PRIORITY,
                            ref=f"submission:{sub.id}")
    if settings.forward_webhook_url:
        await conv.call("POST", webhook_body(sub), chat_id=None, priority=STAFF_PRIORITY,
                        ref=f"webhook:{sub.id}", target="webhook")


def webhook_body(sub: Any) -> dict[str, Any]:
    return {
        "idempotency_key": sub.key,
        "id": sub.id,
        "pseudonym": sub.participant_pseudonym,
        "flow": sub.flow_id,
        "language": sub.language,
        "detected_language": sub.detected_language,
        "source": sub.source,
        "urgent": sub.urgent,
        "category": sub.category,
        "answers": sub.answers,
        "created_at": sub.created_at.isoformat() if sub.created_at else None,
    }
