"""Translations of a submission, front-end neutral: the machine jobs queued in the
submission's own transaction, the staff card's block of translations, and a person's
translation (from the staff group's `/tr` or the dashboard), attributed in the audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.base.settings import Settings
from bot.dialogue import outgoing
from bot.dialogue.campaign_flows import CampaignFlows
from bot.forwarding.cards import card_buttons, card_text
from bot.forwarding.submit import translation_body
from bot.forwarding.translations import HUMAN, card_block, provider_code, source_language
from storage import outbox, staff, translations
from storage.outbox import Priority

HUMAN_MAX = 3500  # characters of a person's translation (it must fit on the card)


def machine_targets(settings: Settings, source: str) -> list[str]:
    """The targets a submission in `source` is machine-translated into (none without
    TRANSLATE_URL, nor into its own language)."""
    if not settings.translate_url:
        return []
    return [t for t in settings.translate_targets if provider_code(t) != provider_code(source)]


async def queue(s: Any, settings: Settings, sub: Any, now: datetime) -> None:
    source = source_language(sub)
    await translations.queue(s, sub.id, source, machine_targets(settings, source), now)


async def card_block_of(s: Any, submission_id: int) -> str:
    """The card's translations block, as stored now."""
    rows = await translations.of_submission(s, submission_id)
    jobs = await translations.jobs_of(s, submission_id)
    return card_block(rows, [(j.source, j.target, j.status) for j in jobs])


async def add_human(
    s: Any, settings: Settings, sub: Any, text: str, *, by: str, target: str, via: str, now: datetime
) -> Any:
    """Store a person's translation of a submission and say who in the audit log (the
    text itself is not logged)."""
    row = await translations.add(
        s,
        submission_id=sub.id,
        kind=HUMAN,
        source=source_language(sub),
        target=target,
        text=text.strip()[:HUMAN_MAX],
        by=by[:64],
        now=now,
    )
    await staff.audit(
        s,
        staff_name=by[:64],
        action="translation",
        target=f"submission:{sub.id}",
        detail=f"{target} via {via}",
        now=now,
    )
    await post_to_webhook(s, settings, sub, row, now)
    return row


def title_of(flowset: Any, flow_id: str) -> str:
    flow = flowset.get(flow_id) if flowset is not None else None
    return flow.title if flow else flow_id


async def known_title(s: Any, campaign_flows: CampaignFlows, files: Any, flow_id: str) -> str:
    """title_of, the flow known first: a one-question campaign's card is titled by its
    question in a process that never ran the campaign too (`files`: the flow files' set)."""
    await campaign_flows.know(s, [flow_id])
    return title_of(campaign_flows.flowset(files) if files is not None else None, flow_id)


async def redraw_card(s: Any, sub: Any, title: str, now: datetime) -> str:
    """Have the staff card show the submission's translations as stored now: an edit of
    the card once it was sent, or a second message (ending `#id`, so a reply to it finds
    the submission) when it could not be. Returns where the card was: "sent", "failed",
    "pending" (nothing done: look again later) or "none" (no card)."""
    state, chat_id, message_id = await translations.card_message(s, sub.id)
    if state not in ("sent", "failed") or chat_id is None:
        return state
    block = await card_block_of(s, sub.id)
    if state == "sent" and message_id is not None:
        text = card_text(sub, title, block)
        method, payload = "editMessageText", outgoing.edit_text(chat_id, message_id, text, card_buttons(sub))
    else:
        method, payload = "sendMessage", outgoing.send_message(chat_id, f"{block}\n#{sub.id}", protect=True)[0]
    await outbox.enqueue(
        s,
        chat_id=chat_id,
        method=method,
        payload=payload,
        priority=Priority.STAFF,
        ref=f"translation:{sub.id}",
        now=now,
    )
    return state


async def post_to_webhook(s: Any, settings: Settings, sub: Any, row: Any, now: datetime) -> None:
    """With FORWARD_WEBHOOK_URL: the translation to the team's tool too (signed like the
    submission, through the outbox)."""
    if settings.forward_webhook_url:
        await outbox.enqueue(
            s,
            chat_id=None,
            method="POST",
            payload=translation_body(sub, row),
            priority=Priority.STAFF,
            target="webhook",
            ref=f"webhook-translation:{sub.id}",
            now=now,
        )
