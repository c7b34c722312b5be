"""Follow-up messages through machine translation (queued by bot/dialogue/followup.py),
made in the translation worker's rounds: the team's question goes to the youth in their
language, marked as machine-translated, the team's words under it; the youth's answer
(already at the card) is followed by its translation, as a reply to the card.

A question the provider cannot translate after GIVE_UP tries goes to the youth as the
team wrote it, so a question is never held back for long; an answer's translation is
then dropped (the answer itself is already with the team).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from bot.dialogue import outgoing
from bot.dialogue.followup import ask, youth_of
from bot.dialogue.services import Services
from bot.forwarding.translations import MachineTranslator, TranslationFailed, backoff, provider_code
from bot.i18n import replies
from storage import outbox, submissions, translations
from storage.outbox import Priority

log = logging.getLogger(__name__)

GIVE_UP = 5  # tries (about half a minute with the backoff)


async def work_followups(services: Services, translator: MachineTranslator, now: datetime, limit: int) -> int:
    """Translate and send every due follow-up once; returns how many were sent."""
    async with services.sessionmaker() as s:
        ids = await translations.due_followups(s, now, limit)
    sent = 0
    for followup_id in ids:
        sent += await _one(services, translator, followup_id)
    return sent


async def _translated(services: Services, translator: MachineTranslator, followup_id: int) -> tuple[bool, str | None]:
    """(go on, the translation): go on is False while a later try is due."""
    async with services.sessionmaker() as s:
        row = await translations.followup(s, followup_id)
        if row is None or row.status != "pending" or not row.text:
            return False, None
        text, source, target, attempts = row.text, row.source, row.target, row.attempts
    metrics = services.metrics.translations
    try:
        (out,) = await translator.translate(
            [text], source if source == "auto" else provider_code(source), provider_code(target)
        )
    except TranslationFailed as exc:
        metrics.labels(outcome="error").inc()
        if attempts + 1 < GIVE_UP:
            async with services.sessionmaker() as s, s.begin():
                row = await translations.followup(s, followup_id)
                if row is not None:
                    await translations.followup_retry(s, row, datetime.now(UTC) + timedelta(seconds=backoff(attempts)))
            return False, None
        log.warning("follow-up %d not translated after %d tries (%s)", followup_id, GIVE_UP, exc)
        return True, None
    metrics.labels(outcome="ok").inc()
    return True, out


async def _one(services: Services, translator: MachineTranslator, followup_id: int) -> int:
    go_on, translated = await _translated(services, translator, followup_id)
    if not go_on:
        return 0
    now = datetime.now(UTC)
    async with services.sessionmaker() as s, s.begin():
        row = await translations.followup(s, followup_id)
        sub = await submissions.get(s, row.submission_id) if row is not None else None
        if row is None or sub is None or row.status != "pending" or not row.text:
            return 0
        sent = True
        if row.direction == "question":
            conv = await youth_of(services, s, sub, now)
            if conv is None:
                sent = False
            elif translated is None:  # given up: as the team wrote it
                await ask(conv, replies.TEAM_ASKS, question=row.text)
            else:
                await ask(conv, replies.TEAM_ASKS_MACHINE, question=translated, original=row.text)
        elif translated is not None:
            body = f"🌐 {row.source}→{row.target} · machine ({translator.name}):\n{translated}\n#{sub.id}"
            for payload in outgoing.send_message(row.staff_chat, body, protect=True):
                payload["reply_parameters"] = {"message_id": row.card, "allow_sending_without_reply": True}
                await outbox.enqueue(
                    s,
                    chat_id=row.staff_chat,
                    method="sendMessage",
                    payload=payload,
                    priority=Priority.STAFF,
                    ref=f"followup:{sub.id}",
                    now=now,
                )
        else:
            sent = False
        await translations.followup_finished(s, row, "sent" if sent else "failed")
    return 1 if sent else 0
