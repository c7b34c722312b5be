"""Participants and their chats; erasure and data export for /delete and /mydata."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import and_, delete, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from storage import outbox, translations
from storage.models import Answer, Chat, Inbox, Outbox, Participant, Session, Submission


async def get_by_key(s: AsyncSession, key: str, *older: str) -> Participant | None:
    """The participant with this lookup key (or one of the `older` forms of it)."""
    keys = (key, *older)
    return (await s.scalars(select(Participant).where(Participant.key.in_(keys)))).first()


async def with_active_session(s: AsyncSession, key: str, *older: str) -> tuple[Participant | None, Session | None]:
    """`get_by_key`'s participant and their active engine session (storage/sessions.py
    `active_for`), in one statement: every update of a youth starts with both."""
    active = and_(Session.participant_id == Participant.id, Session.status == "active")
    stmt = select(Participant, Session).outerjoin(Session, active).where(Participant.key.in_((key, *older))).limit(1)
    found = (await s.execute(stmt)).first()
    return (found[0], found[1]) if found is not None else (None, None)


async def get(s: AsyncSession, participant_id: int) -> Participant | None:
    return await s.get(Participant, participant_id)


async def create(
    s: AsyncSession,
    *,
    key: str,
    pseudonym: str,
    language: str,
    source: str | None,
    now: datetime,
    salt: str | None = None,
    is_test: bool = False,
) -> Participant:
    row = Participant(
        key=key,
        pseudonym=pseudonym,
        salt=salt,
        language=language,
        source=source,
        consent=False,
        stopped=False,
        is_test=is_test,
        created_at=now,
        updated_at=now,
        last_seen_at=now,
    )
    s.add(row)
    await s.flush()
    return row


async def set_chat(s: AsyncSession, participant_id: int, chat_id: int) -> None:
    row = await s.get(Chat, participant_id)
    if row is None:
        s.add(Chat(participant_id=participant_id, chat_id=chat_id))
    else:
        row.chat_id = chat_id
    await s.flush()


async def chat_id_of(s: AsyncSession, participant_id: int) -> int | None:
    return await s.scalar(select(Chat.chat_id).where(Chat.participant_id == participant_id))


async def chat_ids_of(s: AsyncSession, participant_ids: list[int]) -> dict[int, int]:
    """Participant id -> chat id, for those of `participant_ids` that have a chat."""
    if not participant_ids:
        return {}
    rows = await s.execute(select(Chat.participant_id, Chat.chat_id).where(Chat.participant_id.in_(participant_ids)))
    return {int(p): int(c) for p, c in rows.all()}


async def by_pseudonym(s: AsyncSession, pseudonym: str) -> Participant | None:
    return await s.scalar(select(Participant).where(Participant.pseudonym == pseudonym))


async def by_chat_id(s: AsyncSession, chat_id: int) -> Participant | None:
    stmt = select(Participant).join(Chat, Chat.participant_id == Participant.id).where(Chat.chat_id == chat_id)
    return (await s.scalars(stmt)).first()


async def mark_stopped(s: AsyncSession, chat_id: int) -> bool:
    """The user blocked the bot; True if a participant had this chat."""
    ids = select(Chat.participant_id).where(Chat.chat_id == chat_id).scalar_subquery()
    result = await s.execute(
        update(Participant)
        .where(Participant.id == ids)
        .values(stopped=True)
        .execution_options(synchronize_session="fetch")
    )
    return cast(CursorResult[Any], result).rowcount > 0


ERASED = outbox.ERASED_REF  # rows still owed for an erased youth: deleted once sent


async def erase(s: AsyncSession, participant_id: int, *, delete_submissions: bool) -> bool:
    """Delete the participant and everything linked to them; False if unknown.

    Chats, sessions and answers go by ON DELETE CASCADE. Submissions are deleted or
    unlinked (pseudonym set to NULL). Handled inbox rows and sent/failed outbox rows
    of their chat go too, and so do sent staff-side copies of their submissions;
    pending ones stay so replies still owed (such as the confirmation of this erasure)
    are delivered, marked ERASED so the sender deletes them once sent.
    """
    participant = await s.get(Participant, participant_id)
    if participant is None:
        return False
    chat_id = await chat_id_of(s, participant_id)
    by_pseudonym = Submission.participant_pseudonym == participant.pseudonym
    own = list((await s.scalars(select(Submission.id).where(by_pseudonym))).all())
    # Staff-side copies (cards, webhook posts, follow-up answers, the cards' edits with
    # their translations and the translations' posts) carry the pseudonym or the key.
    kinds = ("submission", "webhook", "followup", "translation", "webhook-translation")
    refs = [f"{kind}:{sid}" for sid in own for kind in kinds]
    if delete_submissions:
        await translations.forget_cached(s, own)
        await s.execute(delete(Submission).where(by_pseudonym))
    else:
        await s.execute(update(Submission).where(by_pseudonym).values(participant_pseudonym=None))
    owed = Outbox.status == "pending"
    if refs:
        await s.execute(delete(Outbox).where(Outbox.ref.in_(refs), ~owed))
        await s.execute(update(Outbox).where(Outbox.ref.in_(refs), owed).values(ref=ERASED))
    if chat_id is not None:
        await s.execute(delete(Inbox).where(Inbox.chat_key == chat_id, Inbox.status != "pending"))
        # rows still to handle (this very update among them) lose their link to the chat
        await s.execute(
            update(Inbox)
            .where(Inbox.chat_key == chat_id)
            .values(chat_key=0)
            .execution_options(synchronize_session=False)
        )
        # replies set aside in a flood are kept, unlinked: the sender may still hold one
        await s.execute(
            update(Outbox)
            .where(Outbox.chat_id == chat_id, Outbox.ref == outbox.SUPERSEDED_REF)
            .values(chat_id=None)
            .execution_options(synchronize_session=False)
        )
        await s.execute(delete(Outbox).where(Outbox.chat_id == chat_id, ~owed))
        # replies still owed (the goodbye) are sent, then deleted by the sender
        await s.execute(update(Outbox).where(Outbox.chat_id == chat_id, owed).values(ref=ERASED))
    await s.delete(participant)
    await s.flush()
    return True


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def export_data(s: AsyncSession, participant_id: int) -> dict[str, Any]:
    """What is stored about a participant (no key, no chat id), JSON-serialisable."""
    p = await s.get(Participant, participant_id)
    if p is None:
        return {}
    sessions = (
        await s.scalars(select(Session).where(Session.participant_id == participant_id).order_by(Session.id))
    ).all()
    answers = (await s.scalars(select(Answer).where(Answer.participant_id == participant_id).order_by(Answer.id))).all()
    submissions = (
        await s.scalars(
            select(Submission).where(Submission.participant_pseudonym == p.pseudonym).order_by(Submission.id)
        )
    ).all()
    return {
        "participant": {
            "pseudonym": p.pseudonym,
            "language": p.language,
            "consent": p.consent,
            "consent_at": _iso(p.consent_at),
            "contact": p.contact,
            "contact_at": _iso(p.contact_at),
            "age_band": p.age_band,
            "source": p.source,
            "created_at": _iso(p.created_at),
            "last_seen_at": _iso(p.last_seen_at),
            "stopped": p.stopped,
        },
        "sessions": [
            {
                "flow_id": x.flow_id,
                "status": x.status,
                "started_at": _iso(x.started_at),
                "updated_at": _iso(x.updated_at),
            }
            for x in sessions
        ],
        "answers": [
            {
                "flow_id": a.flow_id,
                "step_id": a.step_id,
                "name": a.name,
                "value": a.value,
                "skipped": a.skipped,
                "created_at": _iso(a.created_at),
                "purged": a.purged_at is not None,
            }
            for a in answers
        ],
        "submissions": [
            {
                "flow_id": x.flow_id,
                "language": x.language,
                "answers": x.answers,
                "status": x.status,
                "created_at": _iso(x.created_at),
            }
            for x in submissions
        ],
    }
