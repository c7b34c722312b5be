"""Campaigns and their recipients: create, list, change state, expand an audience, hand
out the next recipients, count how a campaign goes. Plain values in and out; the caller
owns the transaction.

Who may get a campaign at all (`reachable`): consent and the contact opt-in given, not
stopped (`/stop` or a 403). The audience's filters narrow that down. Recipients are
unique per campaign (nothing is sent twice); erasure removes a youth's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, exists, func, insert, literal, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from storage import staff
from storage.models import (
    Answer,
    Campaign,
    CampaignRecipient,
    Chat,
    Participant,
    Session,
    StepVisit,
    Submission,
)

AUDIENCE_KEYS = ("languages", "age_bands", "sources", "took_part", "submitted_days", "left_out")
QUESTION_FLOW = "campaign-{id}"  # a one-question campaign's flow: no flow file's id has a "-"
# what a staff member may do in which state
MOVES = {
    "send": ("draft", "scheduled"),
    "pause": ("sending", "scheduled"),
    "resume": ("paused",),
    "cancel": ("draft", "scheduled", "sending", "paused"),
}


@dataclass(frozen=True)
class CampaignInfo:
    id: int
    name: str
    flow_id: str
    status: str
    audience: dict[str, Any]
    scheduled_at: datetime | None
    created_at: datetime
    finished_at: datetime | None
    results_sent_at: datetime | None
    question: dict[str, Any] | None = None  # a one-question campaign's texts


def _info(c: Campaign) -> CampaignInfo:
    return CampaignInfo(
        c.id,
        c.name,
        c.flow_id,
        c.status,
        dict(c.audience),
        c.scheduled_at,
        c.created_at,
        c.finished_at,
        c.results_sent_at,
        dict(c.question) if c.question is not None else None,
    )


def reachable() -> ColumnElement[bool]:
    """May be written to first: consent, the contact opt-in, not stopped or blocked."""
    return and_(Participant.consent.is_(True), Participant.contact.is_(True), Participant.stopped.is_(False))


def audience_filter(audience: dict[str, Any], now: datetime) -> ColumnElement[bool]:
    """The audience's filters on participants, with `reachable()`."""
    conditions = [reachable()]
    if audience.get("languages"):
        conditions.append(Participant.language.in_(audience["languages"]))
    if audience.get("age_bands"):
        conditions.append(Participant.age_band.in_(audience["age_bands"]))
    if audience.get("sources"):
        conditions.append(Participant.source.in_(audience["sources"]))
    if audience.get("took_part"):
        conditions.append(
            exists().where(StepVisit.participant_id == Participant.id, StepVisit.flow_id == audience["took_part"])
        )
    if audience.get("submitted_days"):
        since = now - timedelta(days=int(audience["submitted_days"]))
        conditions.append(
            exists().where(Submission.participant_pseudonym == Participant.pseudonym, Submission.created_at >= since)
        )
    return and_(*conditions)


async def audience_size(s: AsyncSession, audience: dict[str, Any], now: datetime) -> int:
    """The exact number of youth the audience reaches now."""
    stmt = select(func.count()).select_from(Participant).where(audience_filter(audience, now))
    return int(await s.scalar(stmt) or 0)


async def audience_by_language(s: AsyncSession, audience: dict[str, Any], now: datetime) -> dict[str, int]:
    """The exact number of youth the audience reaches now, per language."""
    stmt = (
        select(Participant.language, func.count()).where(audience_filter(audience, now)).group_by(Participant.language)
    )
    return {str(lang): int(n) for lang, n in (await s.execute(stmt)).all()}


async def create(
    s: AsyncSession,
    *,
    name: str,
    flow_id: str,
    audience: dict[str, Any],
    scheduled_at: datetime | None,
    created_by: str | None,
    now: datetime,
    question: dict[str, Any] | None = None,
) -> CampaignInfo:
    """A new campaign: scheduled when it has a time, else a draft (sent with `move(…, "send")`).
    With a `question` it runs that question (flow id `campaign-<id>`, `flow_id` unused).
    In the audit log under `created_by`."""
    row = Campaign(
        name=name,
        flow_id=flow_id if question is None else "",
        question=question,
        audience={k: v for k, v in audience.items() if k in AUDIENCE_KEYS and v},
        status="scheduled" if scheduled_at is not None else "draft",
        scheduled_at=scheduled_at,
        created_by=created_by,
        created_at=now,
        updated_at=now,
    )
    s.add(row)
    await s.flush()
    if question is not None:
        row.flow_id = QUESTION_FLOW.format(id=row.id)
        await s.flush()
    await staff.audit(s, staff_name=created_by, action="campaign_create", target=f"campaign:{row.id}", now=now)
    return _info(row)


async def get(s: AsyncSession, campaign_id: int) -> CampaignInfo | None:
    row = await s.get(Campaign, campaign_id)
    return _info(row) if row is not None else None


async def question_of(s: AsyncSession, campaign_id: int) -> dict[str, Any] | None:
    """A one-question campaign's stored question (None: none, or no such campaign)."""
    found = await s.scalar(select(Campaign.question).where(Campaign.id == campaign_id))
    return dict(found) if found is not None else None


async def all_campaigns(s: AsyncSession) -> list[CampaignInfo]:
    rows = (await s.scalars(select(Campaign).order_by(Campaign.id.desc()))).all()
    return [_info(r) for r in rows]


async def move(
    s: AsyncSession, campaign_id: int, action: str, now: datetime, *, by: str | None = None
) -> CampaignInfo | None:
    """send / pause / resume / cancel (in the audit log under `by`); None when the
    campaign is not in a state that allows it."""
    row = await s.get(Campaign, campaign_id, with_for_update=True)
    if row is None or row.status not in MOVES[action]:
        return None
    if action == "send":
        row.status, row.scheduled_at = "scheduled", now  # due at once: the next round expands it
    elif action == "pause":
        row.status = "paused"
    elif action == "resume":
        row.status = "sending" if row.expanded_at is not None else "scheduled"
    else:
        row.status, row.finished_at = "cancelled", now
    row.updated_at = now
    await s.flush()
    await staff.audit(s, staff_name=by, action=f"campaign_{action}", target=f"campaign:{campaign_id}", now=now)
    return _info(row)


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(Campaign.status == "scheduled", Campaign.scheduled_at <= now, Campaign.expanded_at.is_(None))


async def any_due(s: AsyncSession, now: datetime) -> bool:
    """Whether a scheduled campaign is due to be expanded (a look before `expand_due`)."""
    return bool(await s.scalar(select(exists().where(_due(now)))))


async def expand_due(s: AsyncSession, now: datetime) -> list[int]:
    """Due scheduled campaigns become `sending`, their audience listed as recipients.

    The state change is conditional (`expanded_at IS NULL`), so of several processes one
    expands a campaign; recipients are listed in the same statement's transaction.
    """
    due = (await s.scalars(select(Campaign.id).where(_due(now)))).all()
    expanded = []
    for campaign_id in due:
        result = await s.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id, Campaign.expanded_at.is_(None), Campaign.status == "scheduled")
            .values(status="sending", expanded_at=now, updated_at=now)
        )
        if cast(CursorResult[Any], result).rowcount != 1:
            continue
        audience = await s.scalar(select(Campaign.audience).where(Campaign.id == campaign_id))
        at = literal(now, type_=CampaignRecipient.__table__.c.created_at.type)  # stored as the model stores it
        chosen = select(literal(campaign_id), Participant.id, Participant.language, literal("queued"), at).where(
            audience_filter(dict(audience or {}), now)
        )
        await s.execute(
            insert(CampaignRecipient).from_select(
                ["campaign_id", "participant_id", "language", "status", "created_at"], chosen
            )
        )
        expanded.append(campaign_id)
    return expanded


def _mid_flow(now: datetime) -> ColumnElement[bool]:
    """The youth rests in a flow (a saved session with an expiry: bot/dialogue/conversation.py)."""
    return exists().where(
        Session.participant_id == CampaignRecipient.participant_id,
        Session.status == "active",
        Session.expires_at.is_not(None),
        Session.expires_at > now,
    )


def _not_offered_since(now: datetime, again_after: timedelta) -> ColumnElement[bool]:
    return or_(CampaignRecipient.offered_at.is_(None), CampaignRecipient.offered_at < now - again_after)


async def offerable(s: AsyncSession, now: datetime, limit: int, *, again_after: timedelta) -> list[tuple[int, int]]:
    """(recipient id, participant id) of queued recipients of sending campaigns whose
    start may be put in the inbox now: not offered within `again_after`, not seen
    mid-flow. Only reads (a look outside the write transaction); `mark_offered` takes them."""
    stmt = (
        select(CampaignRecipient.id, CampaignRecipient.participant_id)
        .join(Campaign, Campaign.id == CampaignRecipient.campaign_id)
        .where(
            Campaign.status == "sending",
            CampaignRecipient.status == "queued",
            _not_offered_since(now, again_after),
            ~_mid_flow(now),
        )
        .order_by(CampaignRecipient.id)
        .limit(limit)
    )
    return [(int(r), int(p)) for r, p in (await s.execute(stmt)).all()]


async def mark_offered(s: AsyncSession, recipient_ids: list[int], now: datetime, *, again_after: timedelta) -> set[int]:
    """Mark recipients offered, those still queued and not offered since the look; returns
    the ids marked (a turn handled meanwhile is not offered again)."""
    if not recipient_ids:
        return set()
    stmt = (
        update(CampaignRecipient)
        .where(
            CampaignRecipient.id.in_(recipient_ids),
            CampaignRecipient.status == "queued",
            _not_offered_since(now, again_after),
        )
        .values(offered_at=now)
        .returning(CampaignRecipient.id)
        .execution_options(synchronize_session=False)
    )
    return {int(r) for r in (await s.scalars(stmt)).all()}


@dataclass(frozen=True)
class Turn:
    """A recipient's turn as the inbox row handler sees it."""

    recipient_id: int
    participant_id: int
    campaign_status: str
    flow_id: str


async def turn(s: AsyncSession, recipient_id: int) -> Turn | None:
    """The recipient's turn, when still queued."""
    row = (
        await s.execute(
            select(CampaignRecipient.participant_id, Campaign.status, Campaign.flow_id)
            .join(Campaign, Campaign.id == CampaignRecipient.campaign_id)
            .where(CampaignRecipient.id == recipient_id, CampaignRecipient.status == "queued")
        )
    ).first()
    return Turn(recipient_id, int(row[0]), str(row[1]), str(row[2])) if row else None


async def settle(s: AsyncSession, recipient_id: int, status: str, now: datetime) -> bool:
    """queued -> started / skipped; False when someone else already did (nothing twice)."""
    values: dict[str, Any] = {"status": status}
    if status == "started":
        values["started_at"] = now
    result = await s.execute(
        update(CampaignRecipient)
        .where(CampaignRecipient.id == recipient_id, CampaignRecipient.status == "queued")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount == 1


async def finish_done(s: AsyncSession, now: datetime) -> list[int]:
    """Sending campaigns with no queued recipient left become `done`."""
    queued = exists().where(CampaignRecipient.campaign_id == Campaign.id, CampaignRecipient.status == "queued")
    done = list((await s.scalars(select(Campaign.id).where(Campaign.status == "sending", ~queued))).all())
    if done:
        await s.execute(
            update(Campaign)
            .where(Campaign.id.in_(done), Campaign.status == "sending")
            .values(status="done", finished_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    return done


async def progress(s: AsyncSession, campaign_id: int) -> dict[str, dict[str, int]]:
    """Per language: queued, started, skipped and answered (a submission of the
    campaign's flow after the start) counts."""
    flow_id = await s.scalar(select(Campaign.flow_id).where(Campaign.id == campaign_id))
    out: dict[str, dict[str, int]] = {}
    rows = await s.execute(
        select(CampaignRecipient.language, CampaignRecipient.status, func.count())
        .where(CampaignRecipient.campaign_id == campaign_id)
        .group_by(CampaignRecipient.language, CampaignRecipient.status)
    )
    for language, status, n in rows.all():
        out.setdefault(language, {"queued": 0, "started": 0, "skipped": 0, "answered": 0})[status] = int(n)
    answered = exists().where(
        Submission.participant_pseudonym == Participant.pseudonym,
        Submission.flow_id == flow_id,
        Submission.created_at >= CampaignRecipient.started_at,
    )
    answers = await s.execute(
        select(CampaignRecipient.language, func.count())
        .join(Participant, Participant.id == CampaignRecipient.participant_id)
        .where(CampaignRecipient.campaign_id == campaign_id, CampaignRecipient.status == "started", answered)
        .group_by(CampaignRecipient.language)
    )
    for language, n in answers.all():
        out.setdefault(language, {"queued": 0, "started": 0, "skipped": 0, "answered": 0})["answered"] = int(n)
    return out


async def answers_of(s: AsyncSession, campaign_id: int) -> list[dict[str, Any]]:
    """The anonymised answers of the campaign's flow its recipients sent after their start."""
    stmt = (
        select(Submission.answers)
        .join(Participant, Participant.pseudonym == Submission.participant_pseudonym)
        .join(CampaignRecipient, CampaignRecipient.participant_id == Participant.id)
        .join(Campaign, Campaign.id == CampaignRecipient.campaign_id)
        .where(
            Campaign.id == campaign_id,
            CampaignRecipient.status == "started",
            Submission.flow_id == Campaign.flow_id,
            Submission.created_at >= CampaignRecipient.started_at,
        )
    )
    return [dict(a or {}) for a in (await s.scalars(stmt)).all()]


def _took_part(campaign_id: int, flow_id: str, step_id: str | None) -> ColumnElement[bool]:
    """The participant was started on the campaign and answered its question (`step_id`;
    None: any question of its flow) after that, not skipped."""
    answered = [
        Answer.participant_id == CampaignRecipient.participant_id,
        Answer.flow_id == flow_id,
        Answer.skipped.is_(False),
        Answer.created_at >= CampaignRecipient.started_at,
    ]
    if step_id is not None:
        answered.append(Answer.step_id == step_id)
    return Participant.id.in_(
        select(CampaignRecipient.participant_id).where(
            CampaignRecipient.campaign_id == campaign_id,
            CampaignRecipient.status == "started",
            exists().where(*answered),
        )
    )


async def took_part_count(s: AsyncSession, campaign_id: int, step_id: str | None) -> int:
    """How many recipients answered the campaign's question (`_took_part`)."""
    flow_id = await s.scalar(select(Campaign.flow_id).where(Campaign.id == campaign_id))
    stmt = select(func.count()).select_from(Participant).where(_took_part(campaign_id, str(flow_id), step_id))
    return int(await s.scalar(stmt) or 0)


async def results_audience(
    s: AsyncSession, campaign_id: int, *, everyone: bool, step_id: str | None
) -> list[tuple[int, str]]:
    """(chat id, language) of who gets the results, reachable now: those who took part
    (answered the campaign's question `step_id`), or every reachable youth."""
    stmt = select(Chat.chat_id, Participant.language).join(Participant, Participant.id == Chat.participant_id)
    stmt = stmt.where(reachable())
    if not everyone:
        flow_id = await s.scalar(select(Campaign.flow_id).where(Campaign.id == campaign_id))
        stmt = stmt.where(_took_part(campaign_id, str(flow_id), step_id))
    return [(int(c), str(lang)) for c, lang in (await s.execute(stmt.order_by(Chat.chat_id))).all()]


async def mark_results_sent(s: AsyncSession, campaign_id: int, now: datetime) -> bool:
    """Once per campaign, and only once it is done; False otherwise."""
    result = await s.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.status == "done", Campaign.results_sent_at.is_(None))
        .values(results_sent_at=now, updated_at=now)
    )
    return cast(CursorResult[Any], result).rowcount == 1
