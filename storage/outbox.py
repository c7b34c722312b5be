"""Outbox: everything that leaves the process; sent per chat in order, retried, never dropped."""

from __future__ import annotations

import base64
from collections.abc import Collection
from datetime import datetime
from enum import IntEnum
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, case, delete, exists, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import Outbox

ERROR_MAX = 200
ERASED_REF = "erased"  # the ref of rows still owed for a youth who erased themselves
# Replies to a flooding chat (bot/telegram/flood.py) are COALESCED: held back a moment,
# and a newer reply to the chat replaces one not yet due, which is then kept unsent as
# SUPERSEDED (status failed, its text blanked) until purge_sent (erasure unlinks it from
# the chat). Rows are never deleted under the sender: should it have one in flight after
# all, it is delivered and marked sent.
COALESCED_REF = "coalesced"
SUPERSEDED_REF = "superseded"
# Edits of a message in a youth's chat (the old question's keyboard removed, "→ choice",
# a toggle redrawn) carry the ref EDIT_REF + message id and form a lane of their own per
# message, apart from the chat's order: after every other row of their priority (a
# youth's next question goes before anyone's edit), in order per message, and only the
# newest pending edit of a message is sent; the older ones are then SUPERSEDED.
EDIT_REF = "edit:"


def edit_ref(message_id: int) -> str:
    """The ref of an edit of this message (in the row's chat)."""
    return f"{EDIT_REF}{message_id}"


def is_edit(ref: str | None) -> bool:
    return ref is not None and ref.startswith(EDIT_REF)


# A file to upload rides in the JSON payload as {UPLOAD: base64, "filename": name}; the
# sender turns it into a multipart upload. For small files only (a results chart is ~2 kB).
UPLOAD = "upload_base64"


def upload(data: bytes, filename: str) -> dict[str, str]:
    """A payload value that is uploaded as a file with the call."""
    return {UPLOAD: base64.b64encode(data).decode("ascii"), "filename": filename}


def uploaded(value: Any) -> tuple[bytes, str] | None:
    """(bytes, filename) of a payload value made by `upload`, else None."""
    if isinstance(value, dict) and isinstance(value.get(UPLOAD), str):
        return base64.b64decode(value[UPLOAD]), str(value.get("filename") or "file")
    return None


class Priority(IntEnum):
    """Outbox order: lower goes first (the stored integer)."""

    INTERACTIVE = 0  # answers to what a youth just wrote
    STAFF = 1  # the staff group, webhooks, admin answers, the bot's commands
    BACKGROUND = 2  # reminders and other messages nobody is waiting for
    CAMPAIGN = 3  # polls and campaigns: after everything else (storage/campaigns.py)


async def enqueue(
    s: AsyncSession,
    *,
    chat_id: int | None,
    method: str,
    payload: Any,
    priority: Priority = Priority.INTERACTIVE,
    target: str = "telegram",
    ref: str | None = None,
    now: datetime,
) -> Outbox:
    """Queue one call. The row is written with the transaction's next flush (rows
    queued together go in one INSERT, in the order queued), so its id comes then."""
    row = Outbox(
        chat_id=chat_id,
        target=target,
        method=method,
        payload=payload,
        priority=priority,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        ref=ref,
    )
    s.add(row)
    return row


def _is_edit_row(table: Any = Outbox) -> Any:
    return table.ref.like(f"{EDIT_REF}%")


async def due_heads(
    s: AsyncSession,
    now: datetime,
    limit: int,
    *,
    hold: tuple[Priority, datetime] | None = None,
    low: bool | None = None,
    skip: Collection[int] = (),
) -> list[Outbox]:
    """Rows to send now: per chat only its oldest pending row, and only if it is due;
    per edited message only its newest pending edit (EDIT_REF), after the other rows of
    its priority, newest first.

    Rows without a chat (webhook targets) do not wait for each other. `hold` =
    (priority, since) leaves out heads of that priority created after `since`, unless
    rows of a more urgent priority wait behind them in their chat. `low` True: only
    reminders and campaign messages (Priority.BACKGROUND and after); False: only the
    rest; None: all. `skip`: ids left out (the sender's, in flight: still pending, and
    still the heads of their chats).
    """
    pending = Outbox.status == "pending"
    heads = (
        select(func.min(Outbox.id))
        .where(pending, Outbox.chat_id.is_not(None), or_(Outbox.ref.is_(None), ~_is_edit_row()))
        .group_by(Outbox.chat_id)
    )
    newest_edits = select(func.max(Outbox.id)).where(pending, _is_edit_row()).group_by(Outbox.chat_id, Outbox.ref)
    conditions = [
        pending,
        Outbox.next_attempt_at <= now,
        or_(Outbox.chat_id.is_(None), Outbox.id.in_(heads), Outbox.id.in_(newest_edits)),
    ]
    if hold is not None:
        priority, since = hold
        behind = aliased(Outbox)
        urgent_behind = exists().where(
            behind.status == "pending",
            behind.chat_id == Outbox.chat_id,
            behind.priority < priority,
            or_(behind.ref.is_(None), ~_is_edit_row(behind)),
        )
        conditions.append(or_(Outbox.priority != priority, Outbox.created_at <= since, urgent_behind))
    if low is not None:
        conditions.append(Outbox.priority >= Priority.BACKGROUND if low else Outbox.priority < Priority.BACKGROUND)
    if skip:
        conditions.append(Outbox.id.not_in(list(skip)))
    # Edits newest first: a toggle just redrawn must not wait for the limit behind a
    # backlog of cosmetic edits (held while youth keep the pacer busy); order per
    # message is kept by the lane, not by this.
    edits_last = case((_is_edit_row(), 1), else_=0)
    order = case((_is_edit_row(), -Outbox.id), else_=Outbox.id)
    stmt = select(Outbox).where(*conditions).order_by(Outbox.priority, edits_last, order).limit(limit)
    return list((await s.scalars(stmt)).all())


async def supersede_edits(s: AsyncSession, done: list[tuple[int | None, str, int]]) -> None:
    """After the edit `row_id` of a message was sent (or failed for good), set aside the
    older pending edits of that message, given (chat id, ref, row id) triples: the newer
    one already shows what they would."""
    table = cast(Table, Outbox.__table__)
    stmt = (
        update(table)
        .where(
            table.c.status == "pending",
            table.c.chat_id == bindparam("edit_chat"),
            table.c.ref == bindparam("edit_ref"),
            table.c.id < bindparam("edit_id"),
        )
        .values(status="failed", ref=SUPERSEDED_REF, payload={}, last_error="superseded by a newer edit")
    )
    if done:
        await s.execute(stmt, [{"edit_chat": c, "edit_ref": r, "edit_id": i} for c, r, i in done])


async def has_due(s: AsyncSession, now: datetime, priority: Priority) -> bool:
    """Whether a pending row of `priority` is due (sent or waiting behind its chat's head)."""
    stmt = select(
        exists().where(Outbox.status == "pending", Outbox.priority == priority, Outbox.next_attempt_at <= now)
    )
    return bool(await s.scalar(stmt))


async def pending_of(s: AsyncSession, priority: Priority, limit: int) -> int:
    """Pending rows of `priority`, counted up to `limit` (enough to say "that many or more")."""
    rows = select(Outbox.id).where(Outbox.status == "pending", Outbox.priority == priority).limit(limit)
    return int(await s.scalar(select(func.count()).select_from(rows.subquery())) or 0)


async def mark_sent(s: AsyncSession, sent: list[tuple[int, Any]], now: datetime) -> None:
    """Mark rows sent, given (id, result) pairs, in one statement; rows owed to a youth
    who has erased themselves meanwhile are deleted instead."""
    if not sent:
        return
    table = cast(Table, Outbox.__table__)
    stmt = (
        update(table)
        .where(table.c.id == bindparam("sent_id"))
        .values(
            status="sent",
            attempts=table.c.attempts + 1,
            sent_at=now,
            last_error=None,
            result=bindparam("sent_result", type_=table.c.result.type),
        )
    )
    await s.execute(stmt, [{"sent_id": row_id, "sent_result": result} for row_id, result in sent])
    await s.execute(delete(table).where(table.c.id.in_([row_id for row_id, _ in sent]), table.c.ref == ERASED_REF))


async def mark_retry(s: AsyncSession, row: Outbox, at: datetime, error: str) -> None:
    """A temporary failure: try again at `at`. `error` holds no message content."""
    row.attempts += 1
    row.next_attempt_at = at
    row.last_error = error[:ERROR_MAX]
    await s.flush()


async def mark_failed(s: AsyncSession, row: Outbox, error: str) -> None:
    """A permanent failure; the row is kept for inspection."""
    row.status = "failed"
    row.attempts += 1
    row.last_error = error[:ERROR_MAX]
    await s.flush()


async def pending_in_chat(s: AsyncSession, chat_id: int, limit: int) -> int:
    """How many rows wait for this chat, counted up to `limit`."""
    first = select(Outbox.id).where(Outbox.status == "pending", Outbox.chat_id == chat_id).limit(limit)
    return int(await s.scalar(select(func.count()).select_from(first.subquery())) or 0)


async def coalesce(s: AsyncSession, ids: list[int], due: datetime) -> None:
    """Mark rows as replies a newer one may replace, held back until `due` so a newer
    one can; rows with a ref keep it (the goodbye after /delete is owed to an erased youth)."""
    if ids:
        await s.execute(
            update(Outbox)
            .where(Outbox.id.in_(ids), Outbox.ref.is_(None))
            .values(ref=COALESCED_REF, next_attempt_at=due)
            .execution_options(synchronize_session=False)
        )


async def supersede(s: AsyncSession, chat_id: int, now: datetime) -> int:
    """Set aside this chat's COALESCED rows not yet due: a newer reply replaces them.
    (Rows already due may be in flight: they go, as the youth paused meanwhile.)"""
    stmt = (
        update(Outbox)
        .where(
            Outbox.status == "pending",
            Outbox.chat_id == chat_id,
            Outbox.ref == COALESCED_REF,
            Outbox.next_attempt_at > now,
        )
        .values(status="failed", ref=SUPERSEDED_REF, payload={}, last_error="superseded by a newer reply")
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], await s.execute(stmt)).rowcount


async def oldest_pending(s: AsyncSession) -> tuple[datetime, int | None] | None:
    """(creation time, chat id) of the oldest pending row, if any."""
    row = (
        await s.execute(
            select(Outbox.created_at, Outbox.chat_id)
            .where(Outbox.status == "pending")
            .order_by(Outbox.created_at, Outbox.id)
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def last_sent_to(s: AsyncSession, chat_id: int | None) -> datetime | None:
    """When a row to this chat (None: to no chat, e.g. webhooks) was last sent."""
    chat = Outbox.chat_id.is_(None) if chat_id is None else Outbox.chat_id == chat_id
    return await s.scalar(select(func.max(Outbox.sent_at)).where(Outbox.status == "sent", chat))


async def backlog(s: AsyncSession) -> tuple[int, datetime | None]:
    """(number of pending rows, creation time of the oldest)."""
    row = (
        await s.execute(select(func.count(Outbox.id), func.min(Outbox.created_at)).where(Outbox.status == "pending"))
    ).one()
    return int(row[0]), row[1]


async def find_sent(s: AsyncSession, ref: str) -> Outbox | None:
    """The newest sent row with this ref (e.g. to edit the staff card of a submission)."""
    stmt = select(Outbox).where(Outbox.ref == ref, Outbox.status == "sent").order_by(Outbox.id.desc()).limit(1)
    return (await s.scalars(stmt)).first()


async def purge_sent(s: AsyncSession, older_than: datetime) -> int:
    """Delete rows sent before `older_than` (their payload may quote what a youth wrote),
    and superseded ones created before it."""
    stmt = delete(Outbox).where(
        or_(
            and_(Outbox.status == "sent", Outbox.sent_at < older_than),
            and_(Outbox.ref == SUPERSEDED_REF, Outbox.status != "pending", Outbox.created_at < older_than),
        )
    )
    return cast(CursorResult[Any], await s.execute(stmt)).rowcount
