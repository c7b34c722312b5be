"""The translation tables (migration 0007_translations), on the same metadata as
storage/models.py: translations stored with their submission, the durable jobs that
make machine ones, and the cache of translated texts by hash.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, BigID, utcnow

KINDS = ("machine", "human")
JOB_STATUSES = ("pending", "done", "unsupported")


class Translation(Base):
    """One translation of a submission's text: machine (per answer, in `answers`) or
    human (one `text` from a staff member, `by`)."""

    __tablename__ = "translations"
    __table_args__ = (CheckConstraint("kind IN ('machine', 'human')", name="kind"),)

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    submission_id: Mapped[int] = mapped_column(BigID, ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str | None] = mapped_column(String(64))  # machine: the engine; human: NULL
    source: Mapped[str] = mapped_column(String(16))  # bot language codes
    target: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)  # the whole translation, as staff read it
    answers: Mapped[Any | None]  # machine: answer name -> translated text
    by: Mapped[str | None] = mapped_column(String(64))  # human: the staff member
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TranslationJob(Base):
    """A machine translation still to make (or made) for one submission into one target.
    Queued in the submission's own transaction; `card` is set while the staff card still
    has to show the outcome."""

    __tablename__ = "translation_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'done', 'unsupported')", name="status"),
        UniqueConstraint("submission_id", "target"),
        Index("ix_translation_jobs_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    submission_id: Mapped[int] = mapped_column(BigID, ForeignKey("submissions.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(200))  # for admins: never text
    card: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]


class TranslationCache(Base):
    """A translated text by the hash of (source, target, text): the same text is never
    sent twice. Only anonymised text is ever translated."""

    __tablename__ = "translation_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider: Mapped[str] = mapped_column(String(64))
    translated: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FollowupTranslation(Base):
    """A follow-up message to machine-translate, then send: the team's question into the
    youth's language (sent to the youth of the submission, found by its pseudonym at
    send time: no chat id is kept here), or the youth's answer into the team's (sent to
    the staff chat as a reply to the card). `text` is anonymised, and emptied once sent."""

    __tablename__ = "followup_translations"
    __table_args__ = (
        CheckConstraint("direction IN ('question', 'answer')", name="direction"),
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
        Index("ix_followup_translations_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    submission_id: Mapped[int] = mapped_column(BigID, ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))  # a bot language code, or "auto" (the team's)
    target: Mapped[str] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    staff_chat: Mapped[int] = mapped_column(BigInteger)  # the staff group (never a youth's chat)
    card: Mapped[int] = mapped_column(BigInteger)  # the card's message id there
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
