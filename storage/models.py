"""The tables, as typed SQLAlchemy 2 declarative models.

Table and column names are a contract with the migrations and with other parts.
Timestamps are timezone-aware UTC in Python on every backend (see `UTCDateTime`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    cast,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Surrogate keys: BIGINT on PostgreSQL; plain INTEGER on SQLite, where only
# "INTEGER PRIMARY KEY" is an auto-incrementing rowid alias.
BigID = BigInteger().with_variant(Integer(), "sqlite")
# none_as_null: Python None is stored as SQL NULL (redaction), not as JSON 'null'.
JSONType = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python; naive UTC text on SQLite, timestamptz on PostgreSQL.

    SQLite has no time zones: storing every value as naive UTC keeps the stored
    text comparable, and values read back get their UTC zone again.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSONType, Any: JSONType}


def _statuses(*names: str) -> str:
    return "status IN (" + ", ".join(f"'{n}'" for n in names) + ")"


class Participant(Base):
    __tablename__ = "participants"
    __table_args__ = (
        # The few test participants, subtracted from the drop-off reach (migration 0003).
        Index("ix_participants_is_test", "id", sqlite_where=text("is_test = 1"), postgresql_where=text("is_test")),
    )

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)  # keyed HMAC of the user id
    pseudonym: Mapped[str] = mapped_column(String(64), unique=True)
    # random, per row: the pseudonym is made from it, so a new row after erasure gets a
    # new one (NULL: stored before migration 0006, pseudonym from the id alone)
    salt: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16))
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_at: Mapped[datetime | None]
    # may the team contact them later (polls, news about the ideas): a yes/no of its own
    # beside consent, with the time it was given (migration 0009)
    contact: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    contact_at: Mapped[datetime | None]
    age_band: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    stopped: Mapped[bool] = mapped_column(Boolean, default=False)
    is_test: Mapped[bool] = mapped_column(Boolean, default=False)


class Chat(Base):
    """The only place a Telegram chat id is kept."""

    __tablename__ = "chats"

    participant_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)


class Session(Base):
    __tablename__ = "sessions"
    __table_args__ = (
        CheckConstraint(_statuses("active", "ended", "expired"), name="status"),
        # One active session per participant.
        Index(
            "uq_sessions_active_participant",
            "participant_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    participant_id: Mapped[int] = mapped_column(BigID, ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    flow_id: Mapped[str] = mapped_column(String(64))
    flow_version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active")
    state: Mapped[dict[str, Any]]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    tick_at: Mapped[datetime | None] = mapped_column(index=True)


class Answer(Base):
    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    participant_id: Mapped[int] = mapped_column(BigID, ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(BigID, ForeignKey("sessions.id", ondelete="SET NULL"), index=True)
    flow_id: Mapped[str] = mapped_column(String(64))
    step_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any | None]  # NULL once purged after the retention period
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    forward: Mapped[bool] = mapped_column(Boolean, default=False)
    detected_language: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    purged_at: Mapped[datetime | None]


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        CheckConstraint(_statuses("new", "reviewed", "shortlisted", "archived"), name="status"),
        # Dashboard order: urgent first, newest first, paged by this key (migration 0002).
        Index("ix_submissions_urgent_created_at_id", "urgent", "created_at", "id"),
        # Equality filters, each followed by the list order: a filtered list or export walks
        # only the matching rows, in order, in keyset pages (migration 0003).
        *(
            Index(f"ix_submissions_{c}_urgent_created_at_id", c, "urgent", "created_at", "id")
            for c in ("flow_id", "language", "status")
        ),
    )

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)  # idempotency key
    participant_pseudonym: Mapped[str | None] = mapped_column(String(64), index=True)
    flow_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(String(64))
    answers: Mapped[Any]  # already anonymised
    detected_language: Mapped[str | None] = mapped_column(String(16))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    category: Mapped[str | None] = mapped_column(String(64))  # safeguarding category
    status: Mapped[str] = mapped_column(String(16), default="new")
    tags: Mapped[Any] = mapped_column(default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    status_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    is_test: Mapped[bool] = mapped_column(Boolean, default=False)
    # an urgent card's hand-off (storage/urgent.py, migration 0010): a staff label, never an id
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    done_note: Mapped[str | None] = mapped_column(Text)
    realerted_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]


# Free-text search (`text_search`) on PostgreSQL: trigrams of exactly this expression.
Index(
    "ix_submissions_answers_trgm",
    func.lower(cast(Submission.answers, Text)).label("answers_text"),
    postgresql_using="gin",
    postgresql_ops={"answers_text": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")


class SubmissionCount(Base):
    """Submissions per UTC day and dashboard dimension, kept exact by triggers (migration 0003).

    NULL topics and sources are counted under ''; topics are cut to 200 characters.
    Groups whose count fell to 0 may stay as rows with n = 0.
    """

    __tablename__ = "submission_counts"
    __table_args__ = {"sqlite_with_rowid": False}

    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD, UTC
    flow_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    language: Mapped[str] = mapped_column(String(16), primary_key=True)
    topic: Mapped[str] = mapped_column(String(200), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    is_test: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


class StepVisit(Base):
    """Each question a participant was asked (once, however often), written by triggers on
    `sessions` whenever a session comes to rest on a question (migration 0005). Asked,
    not answered: answers before consent are not stored, but the question was reached."""

    __tablename__ = "step_visits"
    __table_args__ = {"sqlite_with_rowid": False}

    participant_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    flow_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    step_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class StepReach(Base):
    """Distinct participants (test ones included) who reached each question: the rows of
    `step_visits` counted per (flow, step), kept by triggers (migration 0005)."""

    __tablename__ = "step_reach"
    __table_args__ = {"sqlite_with_rowid": False}

    flow_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    step_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


class Inbox(Base):
    __tablename__ = "inbox"
    __table_args__ = (
        CheckConstraint(_statuses("pending", "done", "failed"), name="status"),
        Index("ix_inbox_status_chat_key_update_id", "status", "chat_key", "update_id"),
    )

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_key: Mapped[int] = mapped_column(BigInteger, default=0)  # ordering key; 0 = no chat
    payload: Mapped[Any | None]  # redacted to NULL once handled
    status: Mapped[str] = mapped_column(String(16), default="pending")
    error: Mapped[str | None] = mapped_column(String(200))  # short, never message content
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None]


class Outbox(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(_statuses("pending", "sent", "failed"), name="status"),
        CheckConstraint("target IN ('telegram', 'webhook')", name="target"),
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_status_chat_id_id", "status", "chat_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)  # NULL for non-Telegram targets
    target: Mapped[str] = mapped_column(String(16), default="telegram")
    method: Mapped[str] = mapped_column(String(64))
    payload: Mapped[Any]
    priority: Mapped[int] = mapped_column(Integer)  # a storage.outbox.Priority
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    result: Mapped[Any | None]
    ref: Mapped[str | None] = mapped_column(String(128), index=True)


class FlowVersion(Base):
    __tablename__ = "flow_versions"

    flow_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Lease(Base):
    """Single-sender leadership on SQLite (PostgreSQL uses advisory locks instead)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime]


class ForumTopic(Base):
    """The topic a kind of staff message goes to in a forum group (bot/telegram/topics.py)."""

    __tablename__ = "forum_topics"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    thread_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


CAMPAIGN_STATES = ("draft", "scheduled", "sending", "paused", "done", "cancelled")
RECIPIENT_STATES = ("queued", "started", "skipped")


class Campaign(Base):
    """A poll or prototype test: a flow started with the opted-in youth of an audience.

    `audience` holds the filters as plain JSON (languages, age_bands, sources,
    took_part: a flow id, submitted_days; left_out: languages left out for lack of a
    translation); `scheduled_at` is when it is due (the schedule lives here, not in
    memory); `expanded_at` when its recipients were listed. `question` (migration 0012)
    is a one-question campaign's own question, choices and "why?" per language
    (bot/dialogue/campaign_question.py); its `flow_id` is then `campaign-<id>`.
    """

    __tablename__ = "campaigns"
    __table_args__ = (CheckConstraint(_statuses(*CAMPAIGN_STATES), name="status"),)

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    flow_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    audience: Mapped[dict[str, Any]]
    question: Mapped[dict[str, Any] | None]  # staff's words, never a youth's
    scheduled_at: Mapped[datetime | None]
    expanded_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    results_sent_at: Mapped[datetime | None]  # the results went back to the youth (once)
    created_by: Mapped[str | None] = mapped_column(String(64))  # the staff member, never a youth
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CampaignRecipient(Base):
    """One youth of one campaign: unique, so nobody is sent a campaign twice.

    `status`: queued (waiting, also while the youth is mid-flow), started (the flow was
    started with them), skipped (stopped, blocked or no longer opted in when their turn came).
    """

    __tablename__ = "campaign_recipients"
    __table_args__ = (
        CheckConstraint(_statuses(*RECIPIENT_STATES), name="status"),
        Index("ix_campaign_recipients_campaign_id_status", "campaign_id", "status"),
        UniqueConstraint("campaign_id", "participant_id", name="uq_campaign_recipients_campaign_id_participant_id"),
    )

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(BigID, ForeignKey("campaigns.id", ondelete="CASCADE"))
    # erasure (/delete) takes the row with the participant
    participant_id: Mapped[int] = mapped_column(BigID, ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    offered_at: Mapped[datetime | None]  # when its start was last put in the inbox
    started_at: Mapped[datetime | None]
