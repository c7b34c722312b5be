"""An urgent card is owned until it is handled: "I'll take this" (one owner, whoever
presses first, in Telegram or on the dashboard), "Done" with an optional note, and a
re-alert of a card nobody took: once to the group after URGENT_REALERT_MINUTES, and to
the escalation contact (ESCALATION_CHAT_ID and/or the signed webhook) then, or at once
out of the staffed hours. Each change is in the audit log under a staff label; the
card is redrawn where it was sent. Nothing of the youth is added: the alerts carry the
card's id, category and age."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.forwarding import topics
from bot.dialogue import outgoing
from bot.dialogue.services import Services
from bot.dialogue.translations import card_block_of
from bot.forwarding.cards import card_buttons, card_text
from storage import outbox, staff, submissions, translations, urgent
from storage.outbox import Priority

log = logging.getLogger(__name__)

TAKEN = "Already taken by {owner}."
NOT_URGENT = "This card is not urgent."


async def _queue(
    s: AsyncSession, chat_id: int | None, method: str, payload: Any, now: datetime, ref: str, **kw: Any
) -> None:
    await outbox.enqueue(
        s, chat_id=chat_id, method=method, payload=payload, priority=Priority.STAFF, ref=ref, now=now, **kw
    )


async def redraw(s: AsyncSession, sub: Any, title: str, now: datetime) -> None:
    """Edit the card, titled `title` (translations.known_title), where it was sent
    (nothing when it is not sent yet)."""
    state, chat_id, message_id = await translations.card_message(s, sub.id)
    if state != "sent" or chat_id is None or message_id is None:
        return
    text = card_text(sub, title, await card_block_of(s, sub.id))
    edit = outgoing.edit_text(chat_id, message_id, text, card_buttons(sub))
    await _queue(s, chat_id, "editMessageText", edit, now, f"hand-off:{sub.id}")


async def take(s: AsyncSession, submission_id: int, by: str, now: datetime, metrics: Any = None) -> str | None:
    """Claim the card for `by`; None when taken, else why not (for the presser). From
    Telegram or the dashboard; `metrics` (bot.base.metrics) counts the time to claim."""
    won, owner = await urgent.claim(s, submission_id, by, now)
    if not won:
        return TAKEN.format(owner=owner) if owner else NOT_URGENT
    sub = await submissions.get(s, submission_id)
    assert sub is not None
    await s.refresh(sub)
    if metrics is not None:
        metrics.urgent_time_to_claim.observe(max(0.0, (now - sub.created_at).total_seconds()))
    await staff.audit(s, staff_name=by, action="urgent.claim", target=f"submission:{submission_id}", now=now)
    return None


async def finish(s: AsyncSession, submission_id: int, by: str, note: str | None, now: datetime) -> str | None:
    """Mark the card done (with an optional note); None when done, else why not."""
    if not await urgent.done(s, submission_id, by, note, now):
        return NOT_URGENT
    detail = "with a note" if note else None  # the note itself stays on the card
    await staff.audit(
        s, staff_name=by, action="urgent.done", target=f"submission:{submission_id}", detail=detail, now=now
    )
    return None


async def realert_round(services: Services, now: datetime, *, queued_at: datetime | None = None) -> int:
    """Re-alert and escalate the unclaimed urgent cards that are due; how many alerts.

    `now` is the services' clock (the cards' ages; tests move it); `queued_at` the real
    time the alerts are queued at, which the sender's pacing compares with its own."""
    queued_at = queued_at or now
    settings = services.settings
    wait = settings.urgent_realert_minutes * 60
    out_of_hours = not settings.staffed.is_open(now)
    escalate_to = settings.escalation_chat_id
    webhook = settings.escalation_webhook and settings.forward_webhook_url
    sent = 0
    async with services.sessionmaker() as s, s.begin():
        for sub in await urgent.unclaimed(s, now):
            age = (now - sub.created_at).total_seconds()
            minutes = int(age // 60)
            head = f"⏰ Nobody has taken this urgent card yet ({minutes} min) — 🔴 {sub.category or 'safeguarding'}"
            if sub.realerted_at is None and age >= wait and await urgent.mark_realerted(s, sub.id, now):
                _, chat_id, message_id = await translations.card_message(s, sub.id)
                chat = chat_id or settings.safeguarding_chat_id or settings.staff_chat_id
                if chat is not None:
                    for payload in outgoing.send_message(chat, f"{head}\n#{sub.id}", protect=True):
                        topics.mark(payload, topics.URGENT)
                        if message_id is not None:
                            payload["reply_parameters"] = {
                                "message_id": message_id,
                                "allow_sending_without_reply": True,
                            }
                        await _queue(s, chat, "sendMessage", payload, queued_at, f"realert:{sub.id}")
                    sent += 1
            due = out_of_hours or age >= wait
            if (
                (escalate_to or webhook)
                and sub.escalated_at is None
                and due
                and await urgent.mark_escalated(s, sub.id, now)
            ):
                if escalate_to is not None:
                    when = "out of the staffed hours" if out_of_hours else f"after {minutes} min"
                    text = f"{head}\nUnclaimed urgent card #{sub.id} in the team's chat, {when}."
                    for payload in outgoing.send_message(escalate_to, text, protect=True):
                        topics.mark(payload, topics.URGENT)
                        await _queue(s, escalate_to, "sendMessage", payload, queued_at, f"escalate:{sub.id}")
                if webhook:
                    body = {
                        "event": "urgent.unclaimed",
                        "id": sub.id,
                        "category": sub.category,
                        "age_seconds": int(age),
                        "out_of_hours": out_of_hours,
                        "created_at": sub.created_at.isoformat(),
                    }
                    await _queue(s, None, "POST", body, queued_at, f"escalate:{sub.id}", target="webhook")
                sent += 1
                log.info("urgent card %d escalated", sub.id)
        services.metrics.urgent_open.set(await urgent.open_count(s))
    return sent
